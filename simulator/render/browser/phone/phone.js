// The phone, in the browser: WeChat's frame (status bar, navigation bar, capsule) around one document per mini
// program page (an iframe, as WeChat gives each page its own webview), kept equal to the simulator's pages by the
// messages the simulator sends (window.__phone.apply). The same script runs in the simulator's own Chromium
// (browser render mode: layout, styles, screenshots) and in a person's browser (the live preview, where
// window.__phone.onAction carries taps and typing back to the simulator).
'use strict';

(function () {
  const pages = new Map(); // page id -> { id, route, frame, doc, win, nodes: Map<sid, Element>, windowConfig, layout, nav }
  let shownId = null;
  let foreign = null;
  let canGoBack = false;
  let theme = 'light';
  let tabBar = null; // app.json's tabBar
  let toast = null; // { kind: 'toast' | 'loading', options }
  let modal = null; // wx.showModal's options
  let actionSheet = null; // wx.showActionSheet's options
  const el = (id) => document.getElementById(id);

  // ---- messages ----------------------------------------------------------------------------------------------

  function apply(messages) {
    for (const m of messages) {
      switch (m.type) {
        case 'reset':
          for (const id of [...pages.keys()]) detach(id);
          shownId = null;
          foreign = null;
          tabBar = m.tabBar || null;
          toast = null;
          modal = null;
          actionSheet = null;
          renderChrome();
          break;
        case 'attach':
          attach(m);
          break;
        case 'tree':
          tree(m);
          break;
        case 'detach':
          detach(m.page);
          break;
        case 'show': {
          shownId = m.page;
          canGoBack = !!m.back;
          const p = pages.get(m.page);
          if (p && m.window) p.windowConfig = m.window;
          renderChrome();
          break;
        }
        case 'foreign':
          foreign = m.screen || null;
          renderChrome();
          break;
        case 'theme':
          theme = m.theme === 'dark' ? 'dark' : 'light';
          for (const p of pages.values()) applyTheme(p.doc);
          renderChrome();
          break;
        case 'nav': {
          // wx.setNavigationBarTitle / setNavigationBarColor / show/hideNavigationBarLoading on a page
          const p = pages.get(m.page);
          if (p) p.nav = m.nav || {};
          renderChrome();
          break;
        }
        case 'overlay':
          toast = m.toast || null;
          modal = m.modal || null;
          actionSheet = m.actionSheet || null;
          renderOverlay();
          break;
        default:
          break;
      }
    }
  }

  // ---- the system theme ------------------------------------------------------------------------------------------

  /**
   * The page documents follow the phone's theme whatever the browser's own colour scheme is (a person's browser
   * showing the preview has its own): each @media rule that asks prefers-color-scheme is rewritten to hold or not.
   */
  function applyTheme(doc) {
    doc.documentElement.setAttribute('data-theme', theme);
    for (const sheet of Array.from(doc.styleSheets)) {
      try {
        themeRules(sheet.cssRules);
      } catch {
        // a sheet the page cannot read: nothing of ours
      }
    }
  }
  const SCHEME = /\(\s*prefers-color-scheme\s*:\s*(light|dark)\s*\)/gi;
  function themeRules(rules) {
    for (const rule of Array.from(rules)) {
      if (rule.media && rule.cssRules) {
        if (rule.__media === undefined) rule.__media = rule.media.mediaText;
        if (/prefers-color-scheme/i.test(rule.__media)) {
          const queries = rule.__media.split(',').map((q) => {
            let holds = true;
            const rewritten = q.replace(SCHEME, (_m, want) => {
              if (want.toLowerCase() !== theme) holds = false;
              return '(min-width: 0px)';
            });
            return holds ? rewritten.trim() : 'not all';
          });
          const text = queries.join(', ');
          if (rule.media.mediaText !== text) rule.media.mediaText = text;
        }
      }
      if (rule.cssRules) themeRules(rule.cssRules);
    }
  }

  function attach(m) {
    if (pages.has(m.page)) detach(m.page);
    const frame = document.createElement('iframe');
    frame.className = 'page-frame';
    frame.setAttribute('data-route', m.route);
    frame.title = m.route;
    el('pages').appendChild(frame);
    const doc = frame.contentDocument;
    doc.open();
    doc.write('<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"></head><body></body></html>');
    doc.close();
    if (m.darkmode) doc.documentElement.setAttribute('data-darkmode', '');
    for (const [key, css] of [['wechat', el('wechat-css').textContent], ['app', m.css || '']]) {
      const style = doc.createElement('style');
      style.setAttribute('data-sheet', key);
      style.textContent = css;
      doc.head.appendChild(style);
    }
    const page = { id: m.page, route: m.route, frame, doc, win: frame.contentWindow, nodes: new Map(), styles: new Set(), windowConfig: m.window || {}, layout: m.layout || { top: null, bottom: 0, tabBar: false }, nav: {} };
    pages.set(m.page, page);
    listen(page);
    applyTheme(doc);
    if (m.tree) tree(m);
    renderChrome();
  }

  function detach(id) {
    const page = pages.get(id);
    if (!page) return;
    page.frame.remove();
    pages.delete(id);
    if (shownId === id) shownId = null;
  }

  function tree(m) {
    const page = pages.get(m.page);
    if (!page) return;
    let added = false;
    for (const s of m.styles || []) {
      if (page.styles.has(s.key)) continue;
      page.styles.add(s.key);
      const style = page.doc.createElement('style');
      style.setAttribute('data-sheet', s.key);
      style.textContent = s.css;
      page.doc.head.appendChild(style);
      added = true;
    }
    if (added) applyTheme(page.doc);
    const seen = new Map();
    reconcile(page, page.doc.body, m.tree, seen);
    page.nodes = seen;
  }

  // ---- building the page's DOM from the simulator's tree -------------------------------------------------------

  function reconcile(page, parent, specs, seen) {
    const target = contentOf(parent);
    const reusable = new Map();
    for (const child of Array.from(target.childNodes)) if (child.__sid !== undefined) reusable.set(child.__sid, child);
    let cursor = firstContent(target);
    for (const spec of specs) {
      let node;
      if (typeof spec === 'string') {
        if (cursor && cursor.nodeType === 3) {
          node = cursor;
          if (node.data !== spec) node.data = spec;
        } else {
          node = page.doc.createTextNode(spec);
        }
      } else {
        node = reusable.get(spec.s);
        if (!node || node.localName !== spec.t) {
          node = page.doc.createElement(spec.t);
          node.__sid = spec.s;
        }
        reusable.delete(spec.s);
        setAttributes(node, spec.a);
        reconcile(page, node, spec.c, seen);
        decorate(page, node);
        seen.set(spec.s, node);
      }
      if (node === cursor) cursor = nextContent(cursor);
      else target.insertBefore(node, cursor);
    }
    while (cursor) {
      const next = nextContent(cursor);
      cursor.remove();
      cursor = next;
    }
  }

  /** Builtins draw a few parts of their own (an <input>, an icon...): those are not the tree's children. */
  function isDecoration(node) {
    return node.nodeType === 1 && node.hasAttribute('data-wx');
  }
  function firstContent(parent) {
    let n = parent.firstChild;
    while (n && isDecoration(n)) n = n.nextSibling;
    return n;
  }
  function nextContent(node) {
    let n = node.nextSibling;
    while (n && isDecoration(n)) n = n.nextSibling;
    return n;
  }
  function contentOf(node) {
    if (node.localName === 'wx-swiper') {
      let track = node.querySelector(':scope > .wx-swiper-track');
      if (!track) {
        track = node.ownerDocument.createElement('div');
        track.className = 'wx-swiper-track';
        track.setAttribute('data-wx', '');
        node.insertBefore(track, node.firstChild);
      }
      return track;
    }
    return node;
  }

  function setAttributes(node, attrs) {
    for (const a of Array.from(node.attributes)) {
      if (a.name === 'data-wx') continue;
      if (!(a.name in attrs)) node.removeAttribute(a.name);
    }
    for (const name of Object.keys(attrs)) {
      if (node.getAttribute(name) !== attrs[name]) {
        try {
          node.setAttribute(name, attrs[name]);
        } catch {
          // a WXML attribute name the DOM does not accept: only the simulator needs it
        }
      }
    }
  }

  function deco(node, className, tag) {
    let d = node.querySelector(`:scope > .${className}`);
    if (!d) {
      d = node.ownerDocument.createElement(tag || 'div');
      d.className = className;
      d.setAttribute('data-wx', '');
      node.insertBefore(d, node.firstChild);
    }
    return d;
  }
  function dropDeco(node, className) {
    const d = node.querySelector(`:scope > .${className}`);
    if (d) d.remove();
  }

  const ICON_COLORS = {
    success: '#07c160', success_no_circle: '#07c160', info: '#10aeff', warn: '#fa5151', waiting: '#10aeff',
    cancel: '#fa5151', download: '#07c160', search: '#b2b2b2', clear: '#b2b2b2', info_circle: '#10aeff',
  };
  function iconSvg(type, size, color) {
    const c = color || ICON_COLORS[type] || '#b2b2b2';
    const s = Number(size) || 23;
    const circle = `<circle cx="12" cy="12" r="12" fill="${c}"/>`;
    const white = 'stroke="#fff" stroke-width="2" fill="none" stroke-linecap="round" stroke-linejoin="round"';
    const shapes = {
      success: `${circle}<path d="M6.5 12.3l3.7 3.6 7.3-7.4" ${white}/>`,
      success_no_circle: `<path d="M3.5 12.5l5.5 5.3L20.5 6.5" stroke="${c}" stroke-width="2.4" fill="none" stroke-linecap="round" stroke-linejoin="round"/>`,
      info: `${circle}<path d="M12 10.5v7" ${white}/><circle cx="12" cy="7" r="1.3" fill="#fff"/>`,
      info_circle: `<circle cx="12" cy="12" r="11" stroke="${c}" stroke-width="1.6" fill="none"/><path d="M12 10.5v7" stroke="${c}" stroke-width="2" stroke-linecap="round"/><circle cx="12" cy="7" r="1.3" fill="${c}"/>`,
      warn: `${circle}<path d="M12 6.5v7" ${white}/><circle cx="12" cy="17.2" r="1.3" fill="#fff"/>`,
      waiting: `${circle}<path d="M12 6.5V12l3.8 2.5" ${white}/>`,
      cancel: `${circle}<path d="M8 8l8 8M16 8l-8 8" ${white}/>`,
      clear: `${circle}<path d="M8.5 8.5l7 7M15.5 8.5l-7 7" ${white}/>`,
      download: `${circle}<path d="M12 6.5v9M8 12l4 4 4-4" ${white}/>`,
      search: `<circle cx="10.5" cy="10.5" r="7" stroke="${c}" stroke-width="2" fill="none"/><path d="M15.8 15.8l5.2 5.2" stroke="${c}" stroke-width="2" stroke-linecap="round"/>`,
    };
    return `<svg data-wx xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="${s}" height="${s}">${shapes[type] || circle}</svg>`;
  }

  function resolveSrc(page, src) {
    if (!src || /^(https?:|data:|blob:|wxfile:)/.test(src)) return src;
    const base = page.route.split('/').slice(0, -1);
    const parts = src.startsWith('/') ? [] : base;
    for (const part of src.replace(/^\//, '').split('/')) {
      if (part === '..') parts.pop();
      else if (part !== '.' && part !== '') parts.push(part);
    }
    return `files/${parts.map(encodeURIComponent).join('/')}`;
  }

  function decorate(page, node) {
    const a = (name) => node.getAttribute(name);
    switch (node.localName) {
      case 'wx-input':
      case 'wx-textarea': {
        const isArea = node.localName === 'wx-textarea';
        const field = deco(node, 'wx-field', isArea ? 'textarea' : 'input');
        if (!isArea) field.type = a('password') !== null || a('type') === 'safe-password' ? 'password' : 'text';
        if (!isArea && /^(number|digit|idcard)$/.test(a('type') || '')) field.inputMode = a('type') === 'digit' ? 'decimal' : 'numeric';
        field.placeholder = a('placeholder') || '';
        field.disabled = a('disabled') !== null;
        const max = Number(a('maxlength'));
        if (max > 0) field.maxLength = max;
        else field.removeAttribute('maxlength');
        const value = a('value') || '';
        // the app's value wins when it changes; otherwise what the person typed stays
        if (field.__appValue !== value) {
          field.__appValue = value;
          if (field.value !== value) field.value = value;
        }
        break;
      }
      case 'wx-icon':
        {
          const key = `${a('type')}|${a('size')}|${a('color')}`;
          if (node.__iconKey !== key) {
            node.__iconKey = key;
            dropDeco(node, 'wx-icon-svg');
            const holder = node.ownerDocument.createElement('span');
            holder.innerHTML = iconSvg(a('type'), a('size'), a('color'));
            const svg = holder.firstChild;
            svg.setAttribute('class', 'wx-icon-svg');
            node.insertBefore(svg, node.firstChild);
          }
        }
        break;
      case 'wx-image': {
        const content = deco(node, 'wx-image-content');
        const url = resolveSrc(page, a('src'));
        const bg = url ? `url("${url}")` : '';
        if (content.style.backgroundImage !== bg) content.style.backgroundImage = bg;
        const img = deco(node, 'wx-image-sizer', 'img');
        if (url && img.getAttribute('src') !== url) img.setAttribute('src', url);
        img.alt = '';
        break;
      }
      case 'wx-button':
        if (a('loading') !== null) deco(node, 'wx-button-loading', 'i');
        else dropDeco(node, 'wx-button-loading');
        break;
      case 'wx-swiper': {
        const track = contentOf(node);
        const items = Array.from(track.children).filter((c) => !isDecoration(c));
        const current = Math.max(0, Math.min(items.length - 1, Number(a('current')) || 0));
        const vertical = a('vertical') !== null;
        track.style.transform = vertical ? `translateY(${-100 * current}%)` : `translateX(${-100 * current}%)`;
        if (a('indicator-dots') !== null) {
          const dots = deco(node, 'wx-swiper-dots');
          node.appendChild(dots);
          dots.innerHTML = items.map((_c, i) => `<i class="${i === current ? 'active' : ''}"></i>`).join('');
        } else dropDeco(node, 'wx-swiper-dots');
        break;
      }
      case 'wx-scroll-view': {
        const top = a('scroll-top');
        if (top !== null && node.__scrollTopAttr !== top) {
          node.__scrollTopAttr = top;
          node.scrollTop = Number(top) || 0;
        }
        const left = a('scroll-left');
        if (left !== null && node.__scrollLeftAttr !== left) {
          node.__scrollLeftAttr = left;
          node.scrollLeft = Number(left) || 0;
        }
        break;
      }
      case 'wx-switch':
        deco(node, 'wx-switch-input');
        break;
      case 'wx-checkbox':
        deco(node, 'wx-checkbox-input');
        break;
      case 'wx-radio':
        deco(node, 'wx-radio-input');
        break;
      case 'wx-progress': {
        const bar = deco(node, 'wx-progress-bar');
        if (!bar.firstChild) bar.appendChild(node.ownerDocument.createElement('i'));
        bar.firstChild.style.width = `${Math.max(0, Math.min(100, Number(a('percent')) || 0))}%`;
        break;
      }
      case 'wx-slider': {
        const track = deco(node, 'wx-slider-track');
        if (!track.firstChild) track.appendChild(node.ownerDocument.createElement('i'));
        const min = Number(a('min')) || 0;
        const max = a('max') === null ? 100 : Number(a('max'));
        const value = Number(a('value')) || 0;
        track.firstChild.style.width = `${max > min ? ((value - min) / (max - min)) * 100 : 0}%`;
        break;
      }
      default:
        break;
    }
  }

  // ---- a person's taps and typing (the preview) ------------------------------------------------------------------

  function sidTarget(node) {
    for (let n = node; n; n = n.parentNode) if (n.__sid !== undefined) return n;
    return null;
  }

  function emit(action) {
    if (typeof api.onAction === 'function') api.onAction(action);
  }

  // hover-class: WeChat adds it while a finger is on the element (after hover-start-time, for hover-stay-time after
  // it lifts); buttons and navigators have their own by default. Ancestors get theirs too, unless an element says
  // hover-stop-propagation.
  const HOVER_DEFAULTS = { 'wx-button': ['button-hover', 20, 70], 'wx-navigator': ['navigator-hover', 50, 600] };
  function hoverOf(node) {
    const fallback = HOVER_DEFAULTS[node.localName] || ['none', 50, 400];
    const cls = node.getAttribute('hover-class') ?? fallback[0];
    if (!cls || cls === 'none' || node.hasAttribute('disabled')) return null;
    const start = Number(node.getAttribute('hover-start-time'));
    const stay = Number(node.getAttribute('hover-stay-time'));
    return { classes: cls.split(/\s+/).filter(Boolean), start: start >= 0 && node.hasAttribute('hover-start-time') ? start : fallback[1], stay: stay >= 0 && node.hasAttribute('hover-stay-time') ? stay : fallback[2] };
  }
  function pressHover(doc, target) {
    const pressed = [];
    for (let n = sidTarget(target); n && n.nodeType === 1 && n !== doc.body; n = n.parentNode) {
      const hover = hoverOf(n);
      if (hover) pressed.push({ node: n, hover });
      if (n.hasAttribute('hover-stop-propagation') && hover) break;
    }
    const timers = pressed.map(({ node, hover }) => setTimeout(() => node.classList.add(...hover.classes), hover.start));
    const release = () => {
      doc.removeEventListener('pointerup', release, true);
      doc.removeEventListener('pointercancel', release, true);
      timers.forEach(clearTimeout);
      for (const { node, hover } of pressed) setTimeout(() => node.classList.remove(...hover.classes), hover.stay);
    };
    doc.addEventListener('pointerup', release, true);
    doc.addEventListener('pointercancel', release, true);
  }

  function listen(page) {
    const doc = page.doc;
    doc.addEventListener('pointerdown', (e) => pressHover(doc, e.target));
    doc.addEventListener('click', (e) => {
      const target = sidTarget(e.target);
      if (!target) return;
      emit({ type: 'tap', page: page.id, sid: target.__sid, x: Math.round(e.pageX), y: Math.round(e.pageY) });
    });
    const fieldOwner = (e) => (e.target && e.target.classList && e.target.classList.contains('wx-field') ? e.target.parentNode : null);
    doc.addEventListener('input', (e) => {
      const owner = fieldOwner(e);
      if (owner) emit({ type: 'input', page: page.id, sid: owner.__sid, value: e.target.value });
    });
    doc.addEventListener('focusin', (e) => {
      const owner = fieldOwner(e);
      if (owner) emit({ type: 'focus', page: page.id, sid: owner.__sid, value: e.target.value });
    });
    doc.addEventListener('focusout', (e) => {
      const owner = fieldOwner(e);
      if (owner) emit({ type: 'blur', page: page.id, sid: owner.__sid, value: e.target.value });
    });
    doc.addEventListener('keydown', (e) => {
      const owner = fieldOwner(e);
      if (owner && e.key === 'Enter' && owner.localName === 'wx-input') emit({ type: 'confirm', page: page.id, sid: owner.__sid, value: e.target.value });
    });
  }

  // ---- WeChat's frame -------------------------------------------------------------------------------------------

  function renderChrome() {
    const phone = el('phone');
    phone.dataset.theme = theme;
    const frameNav = theme === 'dark' ? { bg: '#111111', text: 'white' } : { bg: '#ededed', text: 'black' };
    const page = shownId === null ? null : pages.get(shownId);
    for (const p of pages.values()) p.frame.classList.toggle('shown', !foreign && p === page);
    const nav = el('nav-bar');
    const screen = el('foreign');
    const away = el('away');
    screen.hidden = !foreign;
    away.hidden = !!foreign || !!page;
    if (foreign || !page) {
      if (foreign) renderForeign(foreign);
      setNav({ title: foreign ? foreign.title || '' : '', bg: frameNav.bg, text: frameNav.text, back: !!foreign, loading: false });
      phone.classList.remove('custom-nav', 'tab-page');
      renderTabBar(null);
      return;
    }
    const w = page.windowConfig || {};
    const o = page.nav || {};
    const custom = w.navigationStyle === 'custom';
    phone.classList.toggle('custom-nav', custom);
    phone.classList.toggle('tab-page', !!page.layout.tabBar);
    el('pages').style.backgroundColor = w.backgroundColor || (theme === 'dark' ? '#191919' : '#ffffff');
    const text = o.frontColor ? (/^#?f{3}(f{3})?$/i.test(o.frontColor) ? 'white' : 'black') : w.navigationBarTextStyle === 'black' ? 'black' : 'white';
    setNav({
      title: o.title !== undefined ? o.title : w.navigationBarTitleText || '',
      bg: o.backgroundColor || w.navigationBarBackgroundColor || '#000000',
      text,
      back: canGoBack,
      loading: !!o.loading,
    });
    nav.hidden = custom;
    renderTabBar(page.layout.tabBar ? page : null);
  }

  function setNav(o) {
    const phone = el('phone');
    const nav = el('nav-bar');
    nav.hidden = false;
    phone.style.setProperty('--nav-bg', o.bg);
    phone.dataset.navText = o.text;
    el('nav-title-text').textContent = o.title;
    el('nav-loading').hidden = !o.loading;
    el('nav-back').hidden = !o.back;
  }

  /** WeChat's tab bar under a tab page: app.json's tabBar items, the shown page's selected. */
  function renderTabBar(page) {
    const bar = el('tab-bar');
    bar.hidden = !page || !tabBar;
    if (bar.hidden) return;
    const esc = (v) => String(v == null ? '' : v).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
    const phone = el('phone');
    if (tabBar.color) phone.style.setProperty('--tab-fg', tabBar.color);
    if (tabBar.selectedColor) phone.style.setProperty('--tab-selected', tabBar.selectedColor);
    if (tabBar.backgroundColor) phone.style.setProperty('--tab-bg', tabBar.backgroundColor);
    if (tabBar.borderStyle) phone.style.setProperty('--tab-line', tabBar.borderStyle === 'white' ? 'rgba(255, 255, 255, 0.3)' : 'rgba(0, 0, 0, 0.15)');
    bar.innerHTML = (tabBar.list || [])
      .map((item) => {
        const path = String(item.pagePath || '').replace(/^\//, '');
        const selected = path === page.route;
        const icon = selected ? item.selectedIconPath || item.iconPath : item.iconPath;
        const img = icon ? `<img alt="" src="${esc(resolveSrc({ route: '' }, '/' + String(icon).replace(/^\//, '')))}">` : '';
        return `<div class="tab${selected ? ' selected' : ''}" data-tab="${esc(path)}">${img}<span>${esc(item.text)}</span></div>`;
      })
      .join('');
  }

  /** wx.showToast / showLoading / showModal / showActionSheet, over the page. */
  function renderOverlay() {
    const box = el('toast');
    box.hidden = !toast;
    if (toast) {
      const o = toast.options || {};
      const icon = toast.kind === 'loading' ? 'loading' : o.icon || 'success';
      box.classList.toggle('text-only', icon === 'none' && !o.image);
      box.classList.toggle('mask', !!o.mask);
      el('toast-text').textContent = o.title || '';
      el('toast-icon').innerHTML =
        icon === 'loading' ? '<div class="spinner"></div>'
        : icon === 'error' ? '<svg width="40" height="40" viewBox="0 0 24 24"><circle cx="12" cy="12" r="10" fill="none" stroke="rgba(255,255,255,0.9)" stroke-width="1.6"/><path d="M12 7v6.5" stroke="rgba(255,255,255,0.9)" stroke-width="1.8" stroke-linecap="round"/><circle cx="12" cy="16.8" r="1.1" fill="rgba(255,255,255,0.9)"/></svg>'
        : icon === 'success' ? '<svg width="40" height="40" viewBox="0 0 24 24"><path d="M4 12.5l5.2 5L20 6.8" fill="none" stroke="rgba(255,255,255,0.9)" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"/></svg>'
        : '';
    }
    const dialog = el('modal');
    dialog.hidden = !modal;
    if (modal) {
      el('modal-title').textContent = modal.title || '';
      el('modal-content').textContent = modal.content || '';
      const cancel = el('modal-cancel');
      const confirm = el('modal-confirm');
      cancel.hidden = modal.showCancel === false;
      cancel.textContent = modal.cancelText || '取消';
      confirm.textContent = modal.confirmText || '确定';
      cancel.style.color = modal.cancelColor || '';
      confirm.style.color = modal.confirmColor || '';
    }
    // WeChat's action sheet: a bottom sheet with the optional alertText, the items in itemColor, a gap, 取消
    const sheet = el('action-sheet');
    sheet.hidden = !actionSheet;
    if (actionSheet) {
      const alert = el('sheet-alert');
      alert.hidden = !actionSheet.alertText;
      alert.textContent = actionSheet.alertText || '';
      const items = el('sheet-items');
      items.textContent = '';
      (actionSheet.itemList || []).forEach((text, index) => {
        const item = document.createElement('button');
        item.type = 'button';
        item.className = 'sheet-item';
        item.setAttribute('data-index', String(index));
        item.textContent = String(text);
        item.style.color = actionSheet.itemColor || '';
        items.appendChild(item);
      });
    }
  }

  function renderForeign(screen) {
    const root = el('foreign-body');
    const esc = (s) => String(s == null ? '' : s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
    const rows = (screen.rows || []).map((r) => `<div class="foreign-row"><span>${esc(r.label)}</span><span>${esc(r.value)}</span></div>`).join('');
    const actions = (screen.actions || [])
      .map((a) => `<button type="button" class="foreign-action${a.primary ? ' primary' : ''}" data-action="${esc(a.id)}">${esc(a.text)}</button>`)
      .join('');
    root.innerHTML =
      `<div class="foreign-brand">${esc(screen.brand || screen.title || '')}</div>` +
      (screen.headline ? `<div class="foreign-headline">${esc(screen.headline)}</div>` : '') +
      (screen.amount ? `<div class="foreign-amount">${esc(screen.amount)}</div>` : '') +
      (rows ? `<div class="foreign-rows">${rows}</div>` : '') +
      `<div class="foreign-actions">${actions}</div>` +
      (screen.note ? `<div class="foreign-note">${esc(screen.note)}</div>` : '');
  }

  function setup() {
    el('nav-back').addEventListener('click', () => {
      if (foreign) emit({ type: 'foreign', action: 'back' });
      else emit({ type: 'back' });
    });
    el('foreign-body').addEventListener('click', (e) => {
      const button = e.target.closest('[data-action]');
      if (button && foreign) emit({ type: 'foreign', action: button.getAttribute('data-action') });
    });
    el('modal-confirm').addEventListener('click', () => emit({ type: 'modal', confirm: true }));
    el('modal-cancel').addEventListener('click', () => emit({ type: 'modal', confirm: false }));
    el('sheet-items').addEventListener('click', (e) => {
      const item = e.target.closest('[data-index]');
      if (item && actionSheet) emit({ type: 'actionSheet', tapIndex: Number(item.getAttribute('data-index')) });
    });
    el('sheet-cancel').addEventListener('click', () => emit({ type: 'actionSheet', tapIndex: null }));
    // as in WeChat, a tap on the mask above the sheet is 取消 too
    el('action-sheet').addEventListener('click', (e) => {
      if (e.target === e.currentTarget && actionSheet) emit({ type: 'actionSheet', tapIndex: null });
    });
    el('tab-bar').addEventListener('click', (e) => {
      const tab = e.target.closest('[data-tab]');
      if (tab) emit({ type: 'tab', path: tab.getAttribute('data-tab') });
    });
    renderChrome();
    renderOverlay();
  }

  // ---- layout answers for the simulator ---------------------------------------------------------------------------

  function pageOf(id) {
    const page = pages.get(id);
    if (!page) throw new Error(`page ${id} is not in the browser`);
    return page;
  }
  function nodeOf(id, sid) {
    const node = pageOf(id).nodes.get(sid);
    if (!node) throw new Error(`element ${sid} of page ${id} is not in the browser`);
    return node;
  }

  const api = {
    onAction: null,
    apply,
    rect(id, sid) {
      const page = pageOf(id);
      const r = nodeOf(id, sid).getBoundingClientRect();
      return { left: r.left + page.win.scrollX, top: r.top + page.win.scrollY, width: r.width, height: r.height };
    },
    style(id, sid, names) {
      const cs = pageOf(id).win.getComputedStyle(nodeOf(id, sid));
      const out = {};
      for (const n of names) out[n] = cs.getPropertyValue(n);
      return out;
    },
    size(id) {
      const d = pageOf(id).doc.documentElement;
      return { width: d.scrollWidth, height: d.scrollHeight };
    },
    scrollTop(id) {
      return pageOf(id).win.scrollY;
    },
    scrollTo(id, top) {
      pageOf(id).win.scrollTo(0, top);
      return pageOf(id).win.scrollY;
    },
    /** what the shown page says, for tests and the preview's own checks */
    text(id) {
      return pageOf(id).doc.body.innerText;
    },
    shown() {
      return {
        page: shownId,
        foreign: !!foreign,
        theme,
        title: el('nav-bar').hidden ? null : el('nav-title-text').textContent,
        toast: toast ? toast.options.title || '' : null,
        modal: modal ? { title: modal.title || '', content: modal.content || '' } : null,
        back: !el('nav-bar').hidden && !el('nav-back').hidden,
        tab: el('tab-bar').hidden ? null : (el('tab-bar').querySelector('.tab.selected') || { dataset: {} }).dataset.tab || null,
        visiblePages: [...pages.values()].filter((p) => getComputedStyle(p.frame).visibility === 'visible').map((p) => p.id),
        pages: [...pages.keys()],
        actionSheet: actionSheet ? { alertText: actionSheet.alertText || null, items: (actionSheet.itemList || []).map(String) } : null,
      };
    },
  };
  window.__phone = api;
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', setup);
  else setup();
})();
