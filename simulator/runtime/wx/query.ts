// wx.createSelectorQuery / createIntersectionObserver, and the same on a page or component (`this.createSelectorQuery()`,
// `this.createIntersectionObserver()`), over the rendered component tree. Geometry comes from the renderer: zeros
// and the window size headless, real layout in browser mode.
import type { PageInstance } from '../simulation';
import { attributesOf, composedParent, tagOf } from '../tree';
import { querySelectorAll as selectIn } from '../selector';
import { exparser } from '../dom-env';
import { permissive, softObject, type WxDefinitions, type WxHost, type WxOptions } from './core';
import type { Element as ExElement } from '../exparser';
import { windowInfo, appTimeout } from './system';

export type { Rect } from '../../render/renderer';
import type { Rect } from '../../render/renderer';

/** Geometry through the simulation's renderer (headless: zeros, the window size, scroll where pageScrollTo put it). */
export const layout = {
  async rect(app: WxHost, page: PageInstance, node: ExElement | undefined): Promise<Rect> {
    return node?.$$ ? app.sim.renderer.rect(page, node.$$) : { left: 0, top: 0, width: 0, height: 0 };
  },
  async computedStyle(app: WxHost, page: PageInstance, node: ExElement | undefined, names: string[]): Promise<Record<string, string>> {
    return node?.$$ ? app.sim.renderer.computedStyle(page, node.$$, names) : {};
  },
  scrollTop: (app: WxHost, page: PageInstance): Promise<number> => app.sim.renderer.scrollTop(page),
  pageScrollTo: (app: WxHost, page: PageInstance, top: number): Promise<void> => app.sim.renderer.pageScrollTo(page, top),
  /** whether layout can change by itself (browser mode), so observers must look again */
  isLive: (app: WxHost): boolean => app.sim.renderer.kind === 'browser',
};

/** The selector engine, scoped as WeChat scopes queries: one component's (or page's) own template. */
function querySelectorAll(app: WxHost, container: ExElement, selector: string): ExElement[] {
  return selectIn(container, selector, (n) => app.sim.isCustomComponent(n));
}

/** The live page (on the stack, or a tab page kept off it) whose tree holds `node`. */
export function pageOfNode(app: WxHost, node: ExElement): PageInstance | undefined {
  let root = node;
  for (let p = composedParent(node); p; p = composedParent(p)) root = p;
  return app.livePages().find((page) => page.node === root || page.node === node);
}

/** The exparser node behind a page or component instance (`this` in Page/Component). */
function nodeOfInstance(inst: unknown): ExElement {
  const instance = inst as { _exparserNode?: ExElement; __wxElement?: ExElement } | null | undefined;
  const node = instance?._exparserNode ?? instance?.__wxElement;
  if (!node) throw new Error('SelectorQuery.in(component): expects a page or component instance (`this`)');
  return node;
}

const CONTEXT_OF_TAG: Record<string, string> = {
  video: 'VideoContext', canvas: 'CanvasContext', map: 'MapContext', 'live-player': 'LivePlayerContext', 'live-pusher': 'LivePusherContext', camera: 'CameraContext',
};

/** `fields({node: true})`: a canvas of type 2d/webgl gives a Canvas whose context accepts every drawing call. */
function nodeObject(app: WxHost, node: ExElement, rect: Rect): unknown {
  const tag = tagOf(node);
  if (tag === 'canvas') {
    const attrs = attributesOf(node);
    return canvasNode(app, Number(attrs.width) || rect.width || 300, Number(attrs.height) || rect.height || 150);
  }
  if (tag === 'scroll-view') {
    const ctx: Record<string, unknown> = {};
    for (const m of ['scrollTo', 'scrollIntoView', 'triggerRefresh', 'closeRefresh', 'triggerTwoLevel', 'closeTwoLevel']) ctx[m] = () => undefined;
    return Object.assign(ctx, { scrollEnabled: true, bounces: true, showScrollbar: true, pagingEnabled: false, fastDeceleration: false, decelerationDisabled: false });
  }
  return {};
}

/** A drawing context with no pixels behind it: every method exists and does nothing (measureText answers widths). */
export function permissiveContext(): Record<string | symbol, unknown> {
  const state: Record<string | symbol, unknown> = {};
  return new Proxy(state, {
    get(target, prop) {
      if (prop in target) return target[prop];
      if (prop === 'then' || typeof prop === 'symbol') return undefined;
      if (prop === 'measureText') return (text: string) => ({ width: String(text ?? '').length * 10 });
      if (prop === 'getImageData' || prop === 'createImageData') return (_x: number, _y: number, w = 1, h = 1) => ({ width: w, height: h, data: new Uint8ClampedArray(Math.max(0, w * h * 4)) });
      if (/^(create\w*Gradient|createPattern)$/.test(prop)) return () => ({ addColorStop: () => undefined });
      // WebGL asks for objects (shaders, extensions, precision formats) and reads their fields
      return () => permissive();
    },
    set(target, prop, value) {
      target[prop] = value;
      return true;
    },
  });
}

export function canvasNode(app: WxHost, width: number, height: number) {
  let context: Record<string | symbol, unknown> | undefined;
  const frames = new Map<number, NodeJS.Timeout>();
  let frameSeq = 0;
  return {
    width,
    height,
    getContext: () => (context ??= permissiveContext()),
    createImage: () => ({ src: '', width: 0, height: 0, onload: null, onerror: null }),
    createImageData: (w = 1, h = 1) => ({ width: w, height: h, data: new Uint8ClampedArray(w * h * 4) }),
    createPath2D: () => permissiveContext(),
    // frame ids are numbers, as in WeChat (an app may keep one in its data)
    requestAnimationFrame: (fn: (t: number) => void) => {
      const id = ++frameSeq;
      frames.set(id, appTimeout(app, () => {
        frames.delete(id);
        fn(Date.now());
      }, 16, 'canvas.requestAnimationFrame'));
      return id;
    },
    cancelAnimationFrame: (id: number) => {
      clearTimeout(frames.get(id));
      frames.delete(id);
    },
    toDataURL: () => 'data:image/png;base64,',
  };
}

interface QueryItem {
  selector: string | null; // null: the viewport
  single: boolean;
  /** what the app asked for: fields({id, dataset, rect, size, properties, computedStyle...}) */
  fields: WxOptions;
  callback?: (res: unknown) => void;
}

class SelectorQueryImpl {
  private scope: ExElement | undefined;
  private readonly items: QueryItem[] = [];

  constructor(private readonly app: WxHost, scope?: ExElement) {
    this.scope = scope;
  }

  in(component: unknown) {
    this.scope = nodeOfInstance(component);
    return this;
  }

  select(selector: string) {
    return this.ref(selector, true);
  }

  selectAll(selector: string) {
    return this.ref(selector, false);
  }

  selectViewport() {
    return this.ref(null, true);
  }

  private ref(selector: string | null, single: boolean) {
    const push = (fields: WxOptions, callback?: (res: unknown) => void) => {
      this.items.push({ selector, single, fields, callback });
      return this;
    };
    return {
      boundingClientRect: (cb?: (res: unknown) => void) => push({ id: true, dataset: true, rect: true, size: true }, cb),
      scrollOffset: (cb?: (res: unknown) => void) => push({ id: true, dataset: true, scrollOffset: true }, cb),
      fields: (fields: WxOptions, cb?: (res: unknown) => void) => push(fields ?? {}, cb),
      context: (cb?: (res: unknown) => void) => push({ context: true }, cb),
      node: (cb?: (res: unknown) => void) => push({ node: true }, cb),
    };
  }

  exec(callback?: (res: unknown[]) => void) {
    const app = this.app;
    const items = this.items.splice(0);
    const scopeNode = this.scope;
    void (async () => {
      // answers after the current turn, once the tree has settled, as WeChat answers after layout
      await new Promise((r) => setImmediate(r));
      if (!app.alive) return;
      const page = scopeNode ? pageOfNode(app, scopeNode) : app.top();
      // the component's page was closed meanwhile: there is no view to answer from, and nobody is told
      if (!page) return;
      const results: unknown[] = [];
      for (const item of items) {
        let res: unknown = null;
        try {
          res = await this.answer(page, scopeNode ?? page.node, item);
        } catch (err) {
          app.sim.reportException(err, 'SelectorQuery.exec', app);
        }
        results.push(res);
        if (typeof item.callback === 'function') app.guard(() => item.callback!(res), 'SelectorQuery field callback');
      }
      if (typeof callback === 'function') app.guard(() => callback(results), 'SelectorQuery.exec callback');
    })();
    return this;
  }

  private async answer(page: PageInstance, scopeNode: ExElement, item: QueryItem): Promise<unknown> {
    if (item.selector === null) return this.viewport(page, item.fields);
    const container = scopeNode.shadowRoot ?? scopeNode;
    let nodes: ExElement[];
    try {
      nodes = querySelectorAll(this.app, container, item.selector);
    } catch (err) {
      this.app.sim.log(`SelectorQuery: ${(err as Error).message}`);
      nodes = [];
    }
    if (item.single) return nodes[0] ? this.describe(page, nodes[0], item.fields) : null;
    return Promise.all(nodes.map((n) => this.describe(page, n, item.fields)));
  }

  private async viewport(page: PageInstance, fields: WxOptions) {
    const { windowWidth, windowHeight } = windowInfo(this.app);
    const out: Record<string, unknown> = {};
    if (fields.id) out.id = '';
    if (fields.dataset) out.dataset = {};
    if (fields.rect) Object.assign(out, { left: 0, top: 0, right: windowWidth, bottom: windowHeight });
    if (fields.size) Object.assign(out, { width: windowWidth, height: windowHeight });
    if (fields.scrollOffset) Object.assign(out, { scrollLeft: 0, scrollTop: await layout.scrollTop(this.app, page), scrollWidth: windowWidth, scrollHeight: windowHeight });
    return out;
  }

  private async describe(page: PageInstance, node: ExElement, fields: WxOptions) {
    const out: Record<string, unknown> = {};
    if (fields.id) out.id = node.id || '';
    if (fields.dataset) out.dataset = { ...(node.dataset || {}) };
    if (fields.mark) out.mark = { ...(node.__marks || {}) };
    let rect: Rect | undefined;
    if (fields.rect || fields.size || fields.node) rect = await layout.rect(this.app, page, node);
    if (fields.rect && rect) Object.assign(out, { left: rect.left, top: rect.top, right: rect.left + rect.width, bottom: rect.top + rect.height });
    if (fields.size && rect) Object.assign(out, { width: rect.width, height: rect.height });
    if (fields.scrollOffset) Object.assign(out, { scrollLeft: 0, scrollTop: 0, scrollWidth: rect?.width ?? 0, scrollHeight: rect?.height ?? 0 });
    if (Array.isArray(fields.properties)) {
      const isCustom = this.app.sim.isCustomComponent(node);
      const data = isCustom ? exparser().Element.getMethodCaller(node)?.data ?? {} : {};
      const attrs = attributesOf(node);
      for (const name of fields.properties) {
        const camel = String(name).replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
        out[camel] = camel in data ? data[camel] : attrs[String(name).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)];
      }
    }
    if (Array.isArray(fields.computedStyle) && fields.computedStyle.length) Object.assign(out, await layout.computedStyle(this.app, page, node, fields.computedStyle));
    if (fields.context) {
      const shape = CONTEXT_OF_TAG[tagOf(node)];
      out.context = shape ? softObject(this.app, `${tagOf(node)} context`, shape) : {};
    }
    if (fields.node) out.node = nodeObject(this.app, node, rect!);
    return out;
  }
}

interface Margins {
  left?: number;
  top?: number;
  right?: number;
  bottom?: number;
}

class IntersectionObserverImpl {
  private readonly relatives: { selector: string | null; margins: Margins }[] = [];
  private disconnected = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly app: WxHost, private readonly scope: ExElement | undefined, private readonly options: WxOptions = {}) {}

  relativeTo(selector: string, margins: Margins = {}) {
    this.relatives.push({ selector, margins });
    return this;
  }

  relativeToViewport(margins: Margins = {}) {
    this.relatives.push({ selector: null, margins });
    return this;
  }

  disconnect() {
    this.disconnected = true;
    if (this.timer) clearInterval(this.timer);
  }

  observe(selector: string, callback: (res: unknown) => void) {
    const app = this.app;
    const thresholds: number[] = Array.isArray(this.options.thresholds) && this.options.thresholds.length ? this.options.thresholds : [0];
    const previous = new Map<ExElement, number>();
    const check = async () => {
      const page = this.scope ? pageOfNode(app, this.scope) : app.top();
      if (this.disconnected || !page || !page.alive) return;
      // a page's or component's node: it has its own template (a shadow root)
      const container = (this.scope ?? page.node).shadowRoot!;
      let targets: ExElement[] = [];
      try {
        targets = querySelectorAll(app, container, selector);
      } catch (err) {
        app.sim.log(`IntersectionObserver: ${(err as Error).message}`);
      }
      if (!this.options.observeAll) targets = targets.slice(0, 1);
      const relative = await this.relativeRect(page, container);
      for (const node of targets) {
        const r = await layout.rect(app, page, node);
        const target = { left: r.left, top: r.top, right: r.left + r.width, bottom: r.top + r.height, width: r.width, height: r.height };
        const inter = intersect(relative, target);
        const area = target.width * target.height;
        const ratio = area ? (inter.width * inter.height) / area : 0;
        const before = previous.has(node) ? previous.get(node)! : Number(this.options.initialRatio) || 0;
        previous.set(node, ratio);
        // which side of each threshold a ratio is on (0 means "intersects at all")
        const side = (x: number) => thresholds.filter((t) => (t === 0 ? x > 0 : x >= t)).length;
        if (side(before) !== side(ratio) && !this.disconnected) {
          app.guard(() => callback({ id: node.id || '', dataset: { ...(node.dataset || {}) }, time: Date.now(), boundingClientRect: target, intersectionRatio: ratio, intersectionRect: inter, relativeRect: relative }), 'IntersectionObserver callback');
        }
      }
    };
    appTimeout(app, () => void check(), 0, 'IntersectionObserver');
    // with real layout, things move: look again while the observer lives
    if (layout.isLive(app) && !this.timer) {
      this.timer = setInterval(() => {
        if (!app.alive) return this.disconnect();
        void check();
      }, 200);
      app.timers.add(this.timer);
    }
  }

  private async relativeRect(page: PageInstance, container: ExElement) {
    const { windowWidth, windowHeight } = windowInfo(this.app);
    const relatives = this.relatives.length ? this.relatives : [{ selector: null, margins: {} }];
    let out: ReturnType<typeof intersect> | undefined;
    for (const { selector, margins } of relatives) {
      let base = { left: 0, top: 0, right: windowWidth, bottom: windowHeight };
      if (selector !== null) {
        const [node] = querySelectorAll(this.app, container, selector);
        if (!node) continue;
        const r = await layout.rect(this.app, page, node);
        base = { left: r.left, top: r.top, right: r.left + r.width, bottom: r.top + r.height };
      }
      const m = { left: Number(margins.left) || 0, top: Number(margins.top) || 0, right: Number(margins.right) || 0, bottom: Number(margins.bottom) || 0 };
      const rect = { left: base.left - m.left, top: base.top - m.top, right: base.right + m.right, bottom: base.bottom + m.bottom };
      const sized = { ...rect, width: rect.right - rect.left, height: rect.bottom - rect.top };
      out = out ? intersect(out, sized) : sized;
    }
    return out ?? { left: 0, top: 0, right: 0, bottom: 0, width: 0, height: 0 };
  }
}

function intersect(a: { left: number; top: number; right: number; bottom: number }, b: { left: number; top: number; right: number; bottom: number }) {
  const left = Math.max(a.left, b.left);
  const top = Math.max(a.top, b.top);
  const right = Math.min(a.right, b.right);
  const bottom = Math.min(a.bottom, b.bottom);
  if (right <= left || bottom <= top) return { left: 0, top: 0, right: 0, bottom: 0, width: 0, height: 0 };
  return { left, top, right, bottom, width: right - left, height: bottom - top };
}

export function createSelectorQuery(app: WxHost, scope?: ExElement): SelectorQueryImpl {
  return new SelectorQueryImpl(app, scope);
}

export function createIntersectionObserver(app: WxHost, component: unknown, options?: WxOptions): IntersectionObserverImpl {
  return new IntersectionObserverImpl(app, component ? nodeOfInstance(component) : undefined, options ?? {});
}

export function defineQuery(d: WxDefinitions): void {
  const app = d.app;
  const geometry = 'ids, datasets, properties and contexts from the page; rects from the renderer (zeros headless, layout with --render browser)';
  d.sync('createSelectorQuery', 'supported', () => createSelectorQuery(app), `select/selectAll/selectViewport/in/exec, boundingClientRect/fields/scrollOffset/context/node; ${geometry}`);
  d.sync('createIntersectionObserver', 'supported', (component?: unknown, options?: WxOptions) => {
    // wx.createIntersectionObserver(component, options); a page calls it with `this`
    const inst = component as { _exparserNode?: unknown; __wxElement?: unknown } | null | undefined;
    if (inst && !inst._exparserNode && !inst.__wxElement && options === undefined) return createIntersectionObserver(app, undefined, component as WxOptions);
    return createIntersectionObserver(app, component, options);
  }, 'relativeTo/relativeToViewport/observe/disconnect; ratios from the renderer\'s rects (headless: nothing ever intersects)');
  d.async('pageScrollTo', 'supported', async (o) => {
    const top = app.top();
    if (!top) return {};
    let scrollTop = Number(o.scrollTop) || 0;
    if (typeof o.selector === 'string') {
      const [node] = querySelectorAll(app, top.node.shadowRoot!, o.selector);
      if (node) scrollTop = (await layout.rect(app, top, node)).top + (await layout.scrollTop(app, top)) + (Number(o.offsetTop) || 0);
    }
    await layout.pageScrollTo(app, top, scrollTop);
    setImmediate(() => app.alive && top.alive && app.hook(top.caller, 'onPageScroll', [{ scrollTop }]));
    return {};
  }, 'moves the renderer\'s page (headless: remembered for selectViewport().scrollOffset) and calls onPageScroll');
}
