// Element domain: reading an element, and acting on it as a finger would.
/* eslint-disable @typescript-eslint/no-explicit-any */
import type { Context, Domain } from './dispatcher';
import { errorMessage } from './dispatcher';
import { exparser } from '../runtime/dom-env';
import { attributeOf, attributesOf, innerText, querySelectorAll, toWxml } from '../runtime/tree';
import { getByPath } from './page';
import type { Rect } from '../render/renderer';

interface ElementParams {
  elementId: string;
  pageId: number;
  [k: string]: any;
}

const LONGPRESS_MS = 350;

/** DOM layout properties answered from the renderer's rect (element.size() asks offsetWidth/offsetHeight). */
const LAYOUT_PROPERTIES: Record<string, (r: Rect) => number> = {
  offsetWidth: (r) => Math.round(r.width),
  offsetHeight: (r) => Math.round(r.height),
  offsetLeft: (r) => Math.round(r.left),
  offsetTop: (r) => Math.round(r.top),
  clientWidth: (r) => Math.round(r.width),
  clientHeight: (r) => Math.round(r.height),
};
const touchState = new WeakMap<object, { timer?: NodeJS.Timeout; longpressed: boolean }>();

function camel(name: string): string {
  return name.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

function entry(p: ElementParams, ctx: Context) {
  return ctx.elements.get(p.elementId, p.pageId);
}

function customCaller(p: ElementParams, ctx: Context): any {
  const { node } = entry(p, ctx);
  if (!ctx.sim.customIds.has(node.is)) throw new Error(`element ${p.elementId} is not a custom component: data/setData/callMethod need one`);
  return exparser().Element.getMethodCaller(node);
}

function attributeValue(v: unknown): unknown {
  if (v === undefined || v === null) return null;
  return typeof v === 'object' ? v : String(v);
}

export const elementDomain: Domain = {
  getElement: (p: ElementParams, ctx) => {
    const { node, page } = entry(p, ctx);
    const [first] = querySelectorAll(node, p.selector, ctx.sim.customIds);
    if (!first) throw new Error(`no element matches "${p.selector}" inside element ${p.elementId}`);
    return ctx.elements.describe(first, page);
  },
  getElements: (p: ElementParams, ctx) => {
    const { node, page } = entry(p, ctx);
    return { elements: querySelectorAll(node, p.selector, ctx.sim.customIds).map((n) => ctx.elements.describe(n, page)) };
  },
  getDOMProperties: async (p: ElementParams, ctx) => {
    const { node, page } = entry(p, ctx);
    const renderer = ctx.sim.renderer;
    const layoutNames = (p.names || []).filter((n: string) => n in LAYOUT_PROPERTIES);
    const rect = renderer && layoutNames.length && node.$$ ? await renderer.rect(page.rendered, node.$$) : undefined;
    return {
      properties: (p.names || []).map((name: string) => {
        if (rect && name in LAYOUT_PROPERTIES) return LAYOUT_PROPERTIES[name](rect);
        if (name === 'innerText') return innerText(node);
        if (name === 'textContent') return node.$$?.textContent ?? '';
        if (name === 'innerHTML' || name === 'outerHTML') return toWxml(node, name === 'outerHTML');
        if (name === 'value' && node.__simValue !== undefined) return node.__simValue;
        if (name === 'id') return node.id;
        if (name === 'className') return node.class;
        const v = node.$$?.[name];
        return typeof v === 'function' || (v && typeof v === 'object') ? undefined : v ?? null;
      }),
    };
  },
  getProperties: (p: ElementParams, ctx) => {
    const { node } = entry(p, ctx);
    const isCustom = ctx.sim.customIds.has(node.is);
    const data = isCustom ? exparser().Element.getMethodCaller(node).data : {};
    return {
      properties: (p.names || []).map((name: string) => {
        if (name === '__propPublic') {
          const pub: Record<string, boolean> = {};
          for (const k of Object.keys(attributesOf(node))) pub[camel(k)] = true;
          if (isCustom) for (const k of Object.keys(node.__behavior?.properties || data || {})) pub[k] = true;
          for (const k of ['value', 'checked'].filter((k) => node[`__sim_${k}`] !== undefined)) pub[k] = true;
          return pub;
        }
        if (name === 'value' && node.__simValue !== undefined) return node.__simValue;
        if (name === 'checked' && node.__simChecked !== undefined) return node.__simChecked;
        if (isCustom && data && name in data) return data[name];
        return attributeOf(node, name) ?? null;
      }),
    };
  },
  getAttributes: (p: ElementParams, ctx) => {
    const { node } = entry(p, ctx);
    return { attributes: (p.names || []).map((n: string) => attributeValue(attributeOf(node, n))) };
  },
  getStyles: async (p: ElementParams, ctx) => {
    const { node, page } = entry(p, ctx);
    const names: string[] = (p.names || []).map((n: string) => n.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`));
    if (ctx.sim.renderer && node.$$) {
      const computed = await ctx.sim.renderer.computedStyle(page.rendered, node.$$, names);
      return { styles: names.map((n) => computed[n] ?? '') };
    }
    const style = node.$$?.style;
    return { styles: (p.names || []).map((n: string) => (style ? style.getPropertyValue(n.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)) : '')) };
  },
  getOffset: async (p: ElementParams, ctx) => {
    const { node, page } = entry(p, ctx);
    if (ctx.sim.renderer && node.$$) {
      const rect = await ctx.sim.renderer.rect(page.rendered, node.$$);
      return { left: rect.left, top: rect.top };
    }
    return { left: 0, top: 0 }; // no layout engine: every element sits at the origin
  },
  getWXML: (p: ElementParams, ctx) => ({ wxml: toWxml(entry(p, ctx).node, p.type === 'outer') }),
  tap: (p: ElementParams, ctx) => {
    const { node, page } = entry(p, ctx);
    page.app.tap(node);
    return {};
  },
  touchstart: (p: ElementParams, ctx) => {
    const { node, page } = entry(p, ctx);
    const touches = p.touches ?? [{ identifier: 0, pageX: 0, pageY: 0, clientX: 0, clientY: 0 }];
    page.app.dispatch(node, 'touchstart', {}, { touches, changedTouches: p.changedTouches ?? touches });
    const state = { longpressed: false, timer: undefined as NodeJS.Timeout | undefined };
    state.timer = setTimeout(() => {
      state.timer = undefined;
      state.longpressed = true;
      if (page.alive) {
        page.app.dispatch(node, 'longpress', { x: 0, y: 0 }, { touches });
        page.app.dispatch(node, 'longtap', { x: 0, y: 0 }, { touches });
      }
    }, LONGPRESS_MS);
    state.timer.unref();
    touchState.set(node, state);
    return {};
  },
  touchmove: (p: ElementParams, ctx) => {
    const { node, page } = entry(p, ctx);
    const state = touchState.get(node);
    if (state?.timer) clearTimeout(state.timer);
    if (state) state.longpressed = true; // a moving finger is no tap
    page.app.dispatch(node, 'touchmove', {}, { touches: p.touches ?? [], changedTouches: p.changedTouches ?? [] });
    return {};
  },
  touchend: (p: ElementParams, ctx) => {
    const { node, page } = entry(p, ctx);
    const state = touchState.get(node);
    touchState.delete(node);
    page.app.dispatch(node, 'touchend', {}, { touches: [], changedTouches: p.changedTouches ?? [] });
    if (state?.timer) {
      clearTimeout(state.timer);
      page.app.userTap(() => page.app.dispatch(node, 'tap', { x: 0, y: 0 }));
    }
    return {};
  },
  triggerEvent: (p: ElementParams, ctx) => {
    const { node, page } = entry(p, ctx);
    if (p.type === 'tap') page.app.userTap(() => page.app.dispatch(node, 'tap', p.detail ?? { x: 0, y: 0 }));
    else page.app.dispatch(node, String(p.type), p.detail ?? {}, { bubbles: false, composed: false });
    return {};
  },
  dispatchEvent: (p: ElementParams, ctx) => {
    const { node, page } = entry(p, ctx);
    const type = String(p.eventName ?? p.type);
    page.app.dispatch(node, type, p.eventData?.detail ?? p.detail ?? {}, { bubbles: true, composed: true });
    return {};
  },
  callFunction: (p: ElementParams, ctx) => {
    const { node, page } = entry(p, ctx);
    const args: unknown[] = Array.isArray(p.args) ? p.args : [];
    const app = page.app;
    switch (p.functionName) {
      case 'input.input':
      case 'textarea.input': {
        const value = String(args[0] ?? '');
        node.__simValue = value;
        app.dispatch(node, 'input', { value, cursor: value.length, keyCode: 0 }, { bubbles: false, composed: false });
        return {};
      }
      case 'switch.tap': {
        const checked = !(node.__simChecked ?? ['true', true].includes(attributesOf(node).checked as string | boolean));
        node.__simChecked = checked;
        app.dispatch(node, 'change', { value: checked }, { bubbles: false, composed: false });
        return {};
      }
      case 'slider.slideTo':
        node.__simValue = Number(args[0]);
        app.dispatch(node, 'change', { value: Number(args[0]) }, { bubbles: false, composed: false });
        return {};
      case 'swiper.swipeTo':
        app.dispatch(node, 'change', { current: Number(args[0]), source: 'touch' }, { bubbles: false, composed: false });
        return {};
      case 'scroll-view.scrollTo':
        app.dispatch(node, 'scroll', { scrollLeft: Number(args[0]) || 0, scrollTop: Number(args[1]) || 0 }, { bubbles: false, composed: false });
        return {};
      case 'scroll-view.scrollTop':
      case 'scroll-view.scrollLeft':
      case 'scroll-view.scrollWidth':
      case 'scroll-view.scrollHeight':
        return { result: 0 };
      default:
        throw new Error(`Element.callFunction "${String(p.functionName)}" is not supported by the simulator`);
    }
  },
  getData: (p: ElementParams, ctx) => ({ data: JSON.parse(JSON.stringify(getByPath(customCaller(p, ctx).data, p.path) ?? null)) }),
  setData: (p: ElementParams, ctx) => {
    customCaller(p, ctx).setData(p.data || {});
    return {};
  },
  callMethod: async (p: ElementParams, ctx) => {
    const caller = customCaller(p, ctx);
    if (typeof caller[p.method] !== 'function') throw new Error(`component has no method "${String(p.method)}"`);
    try {
      return { result: await caller[p.method](...(Array.isArray(p.args) ? p.args : [])) };
    } catch (err) {
      throw new Error(errorMessage(err));
    }
  },
  callContextMethod: () => {
    throw new Error('Element.callContextMethod (video/map contexts) is not supported by the headless simulator');
  },
};
