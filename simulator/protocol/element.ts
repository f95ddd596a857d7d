// Element domain: reading an element (layout and styles from the renderer), and acting on it as a finger would.
import type { Element as ExElement, MethodCaller } from '../runtime/exparser';
import type { Context, DomainHandlers } from './dispatcher';
import { errorMessage } from './dispatcher';
import { exparser } from '../runtime/dom-env';
import { attributeOf, attributesOf, dashed, innerText, tagOf, toWxml } from '../runtime/tree';
import { querySelectorAll } from '../runtime/selector';
import { getByPath, plainData } from './page';
import type { ElementTarget, Touch } from './methods';

const LONGPRESS_MS = 350;
const touchState = new WeakMap<object, { timer?: NodeJS.Timeout; longpressed: boolean }>();
/**
 * What a test typed into an input, slid a slider to, switched a switch to, and the template's value at that moment:
 * the control shows the user's value until the template sets another one (an app that clears or fills the field
 * with setData wins, as on a phone).
 */
interface ControlState { value?: unknown; valueFrom?: unknown; checked?: boolean; checkedFrom?: unknown }
const controlState = new WeakMap<ExElement, ControlState>();

function userValue(node: ExElement, name: 'value' | 'checked'): { set: boolean; value?: unknown } {
  const s = controlState.get(node);
  const value = s?.[name];
  if (!s || value === undefined) return { set: false };
  const from = name === 'value' ? s.valueFrom : s.checkedFrom;
  if (JSON.stringify(attributeOf(node, name) ?? null) !== JSON.stringify(from ?? null)) return { set: false };
  return { set: true, value };
}

function setUserValue(node: ExElement, name: 'value' | 'checked', value: unknown): void {
  const s = state(node);
  if (name === 'value') Object.assign(s, { value, valueFrom: attributeOf(node, 'value') });
  else Object.assign(s, { checked: value as boolean, checkedFrom: attributeOf(node, 'checked') });
}

/** DOM properties that are layout: the renderer's rect answers them. */
const RECT_PROPERTIES: Record<string, 'width' | 'height' | 'left' | 'top'> = {
  offsetWidth: 'width', offsetHeight: 'height', clientWidth: 'width', clientHeight: 'height',
  scrollWidth: 'width', scrollHeight: 'height', offsetLeft: 'left', offsetTop: 'top',
};

function camel(name: string): string {
  return name.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

function entry(p: ElementTarget, ctx: Context) {
  return ctx.elements.get(p.elementId, p.pageId);
}

function customCaller(p: ElementTarget, ctx: Context): MethodCaller {
  const { node } = entry(p, ctx);
  if (!ctx.sim.isCustomComponent(node)) throw new Error(`element ${p.elementId} is not a custom component: data/setData/callMethod need one`);
  return exparser().Element.getMethodCaller(node);
}

/**
 * The types WeChat's built-in components declare for the properties tests read most: exparser converts what the
 * template passes to the declared type (an input given value="{{50}}" has the value "50"), so property() answers it.
 */
const BUILTIN_PROPERTY_TYPES: Record<string, Record<string, StringConstructor | NumberConstructor | BooleanConstructor>> = {
  input: { value: String, type: String, placeholder: String, password: Boolean, disabled: Boolean, maxlength: Number, focus: Boolean },
  textarea: { value: String, placeholder: String, disabled: Boolean, maxlength: Number, focus: Boolean, 'auto-height': Boolean },
  button: { type: String, size: String, plain: Boolean, disabled: Boolean, loading: Boolean, 'form-type': String, 'open-type': String },
  slider: { value: Number, min: Number, max: Number, step: Number, disabled: Boolean },
  switch: { checked: Boolean, disabled: Boolean, type: String },
  checkbox: { value: String, checked: Boolean, disabled: Boolean },
  radio: { value: String, checked: Boolean, disabled: Boolean },
  progress: { percent: Number },
  image: { src: String, mode: String },
};

function builtinProperty(node: ExElement, name: string): unknown {
  const v = attributeOf(node, name);
  const type = BUILTIN_PROPERTY_TYPES[tagOf(node).toLowerCase()]?.[dashed(name)];
  if (v === undefined || v === null || !type) return v;
  if (type === Number) return Number.isNaN(Number(v)) ? 0 : Number(v);
  // as exparser: any non-empty string is true (checked="false" is checked; {{false}} is not); a bare attribute is true
  if (type === Boolean) return typeof v === 'boolean' ? v : v === '' || Boolean(v);
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function attributeValue(v: unknown): unknown {
  if (v === undefined || v === null) return null;
  return typeof v === 'object' ? v : String(v);
}

/** What a person typed into an <input>/<textarea> (the live preview), as element.value() reads it back. */
export function rememberControlValue(node: ExElement, value: string): void {
  state(node).value = value;
}

function state(node: ExElement) {
  let s = controlState.get(node);
  if (!s) controlState.set(node, (s = {}));
  return s;
}

function isCustom(ctx: Context) {
  return (n: ExElement) => ctx.sim.isCustomComponent(n);
}

const DEFAULT_TOUCH: Touch = { identifier: 0, pageX: 0, pageY: 0, clientX: 0, clientY: 0 };

export const elementDomain: DomainHandlers<'Element'> = {
  getElement: (p, ctx) => {
    const { node, page } = entry(p, ctx);
    const [first] = querySelectorAll(node, p.selector, isCustom(ctx));
    if (!first) throw new Error(`no element matches "${p.selector}" inside element ${p.elementId}`);
    return ctx.elements.describe(first, page);
  },
  getElements: (p, ctx) => {
    const { node, page } = entry(p, ctx);
    return { elements: querySelectorAll(node, p.selector, isCustom(ctx)).map((n) => ctx.elements.describe(n, page)) };
  },
  getDOMProperties: async (p, ctx) => {
    const { node, page } = entry(p, ctx);
    const properties: unknown[] = [];
    for (const name of p.names || []) {
      if (name in RECT_PROPERTIES) {
        properties.push(node.$$ ? (await ctx.sim.renderer.rect(page, node.$$))[RECT_PROPERTIES[name]] : 0);
      } else if (name === 'innerText') properties.push(innerText(node));
      else if (name === 'textContent') properties.push(node.$$?.textContent ?? '');
      else if (name === 'innerHTML' || name === 'outerHTML') properties.push(toWxml(node, name === 'outerHTML'));
      else if (name === 'value' && userValue(node, 'value').set) properties.push(userValue(node, 'value').value);
      else if (name === 'id') properties.push(node.id);
      else if (name === 'className') properties.push(node.class);
      else {
        const v = (node.$$ as unknown as Record<string, unknown> | undefined)?.[name];
        properties.push(typeof v === 'function' || (v && typeof v === 'object') ? undefined : (v ?? null));
      }
    }
    return { properties };
  },
  getProperties: (p, ctx) => {
    const { node } = entry(p, ctx);
    const custom = ctx.sim.isCustomComponent(node);
    const data = custom ? exparser().Element.getMethodCaller(node).data : {};
    return {
      properties: (p.names || []).map((name: string) => {
        if (name === '__propPublic') {
          const pub: Record<string, boolean> = {};
          for (const k of Object.keys(attributesOf(node))) pub[camel(k)] = true;
          if (custom) for (const k of Object.keys(node.__behavior?.properties || data || {})) pub[k] = true;
          if (controlState.get(node)?.value !== undefined) pub.value = true;
          if (controlState.get(node)?.checked !== undefined) pub.checked = true;
          return pub;
        }
        if ((name === 'value' || name === 'checked') && userValue(node, name).set) return userValue(node, name).value;
        if (custom && data && name in data) return data[name];
        return (custom ? attributeOf(node, name) : builtinProperty(node, name)) ?? null;
      }),
    };
  },
  getAttributes: (p, ctx) => {
    const { node } = entry(p, ctx);
    return { attributes: (p.names || []).map((n: string) => attributeValue(attributeOf(node, n))) };
  },
  getStyles: async (p, ctx) => {
    const { node, page } = entry(p, ctx);
    const names = (p.names || []).map(String);
    if (!node.$$) return { styles: names.map(() => '') };
    const styles = await ctx.sim.renderer.computedStyle(page, node.$$, names);
    return { styles: names.map((n) => styles[n] ?? '') };
  },
  getOffset: async (p, ctx) => {
    const { node, page } = entry(p, ctx);
    if (!node.$$) return { left: 0, top: 0 };
    const { left, top } = await ctx.sim.renderer.rect(page, node.$$);
    return { left, top };
  },
  getWXML: (p, ctx) => ({ wxml: toWxml(entry(p, ctx).node, p.type === 'outer') }),
  tap: (p, ctx) => {
    const { node, page } = entry(p, ctx);
    page.app.tap(node);
    return {};
  },
  touchstart: (p, ctx) => {
    const { node, page } = entry(p, ctx);
    const touches = p.touches ?? [DEFAULT_TOUCH];
    page.app.dispatch(node, 'touchstart', {}, { touches, changedTouches: p.changedTouches ?? touches });
    const s = { longpressed: false, timer: undefined as NodeJS.Timeout | undefined };
    s.timer = setTimeout(() => {
      s.timer = undefined;
      s.longpressed = true;
      if (page.alive) {
        page.app.dispatch(node, 'longpress', { x: 0, y: 0 }, { touches });
        page.app.dispatch(node, 'longtap', { x: 0, y: 0 }, { touches });
      }
    }, LONGPRESS_MS);
    s.timer.unref();
    touchState.set(node, s);
    return {};
  },
  touchmove: (p, ctx) => {
    const { node, page } = entry(p, ctx);
    const s = touchState.get(node);
    if (s?.timer) clearTimeout(s.timer);
    if (s) s.longpressed = true; // a moving finger is no tap
    page.app.dispatch(node, 'touchmove', {}, { touches: p.touches ?? [], changedTouches: p.changedTouches ?? [] });
    return {};
  },
  touchend: (p, ctx) => {
    const { node, page } = entry(p, ctx);
    const s = touchState.get(node);
    touchState.delete(node);
    page.app.dispatch(node, 'touchend', {}, { touches: [], changedTouches: p.changedTouches ?? [] });
    if (s?.timer) {
      clearTimeout(s.timer);
      page.app.userTap(() => page.app.dispatch(node, 'tap', { x: 0, y: 0 }));
    }
    return {};
  },
  triggerEvent: (p, ctx) => {
    const { node, page } = entry(p, ctx);
    if (p.type === 'tap') page.app.userTap(() => page.app.dispatch(node, 'tap', p.detail ?? { x: 0, y: 0 }));
    else page.app.dispatch(node, String(p.type), p.detail ?? {}, { bubbles: false, composed: false });
    return {};
  },
  dispatchEvent: (p, ctx) => {
    const { node, page } = entry(p, ctx);
    const type = String(p.eventName ?? p.type);
    page.app.dispatch(node, type, p.eventData?.detail ?? p.detail ?? {}, { bubbles: true, composed: true });
    return {};
  },
  callFunction: (p, ctx) => {
    const { node, page } = entry(p, ctx);
    const args: unknown[] = Array.isArray(p.args) ? p.args : [];
    const app = page.app;
    const quiet = { bubbles: false, composed: false };
    switch (p.functionName) {
      case 'input.input':
      case 'textarea.input': {
        const value = String(args[0] ?? '');
        setUserValue(node, 'value', value);
        app.dispatch(node, 'input', { value, cursor: value.length, keyCode: 0 }, quiet);
        return {};
      }
      case 'switch.tap': {
        const current = userValue(node, 'checked');
        const checked = !(current.set ? current.value : ['true', true].includes(attributesOf(node).checked as string | boolean));
        setUserValue(node, 'checked', checked);
        app.dispatch(node, 'change', { value: checked }, quiet);
        return {};
      }
      case 'slider.slideTo':
        setUserValue(node, 'value', Number(args[0]));
        app.dispatch(node, 'change', { value: Number(args[0]) }, quiet);
        return {};
      case 'swiper.swipeTo':
        app.dispatch(node, 'change', { current: Number(args[0]), source: 'touch' }, quiet);
        return {};
      case 'scroll-view.scrollTo':
        app.dispatch(node, 'scroll', { scrollLeft: Number(args[0]) || 0, scrollTop: Number(args[1]) || 0 }, quiet);
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
  getData: (p, ctx) => ({ data: plainData(getByPath(customCaller(p, ctx).data, p.path)) }),
  setData: (p, ctx) => {
    customCaller(p, ctx).setData(p.data || {});
    return {};
  },
  callMethod: async (p, ctx) => {
    const caller = customCaller(p, ctx);
    const fn = caller[p.method];
    if (typeof fn !== 'function') throw new Error(`component has no method "${String(p.method)}"`);
    try {
      return { result: await fn.apply(caller, Array.isArray(p.args) ? p.args : []) };
    } catch (err) {
      throw new Error(errorMessage(err));
    }
  },
  callContextMethod: () => {
    throw new Error('Element.callContextMethod (video/map contexts) is not supported by the simulator');
  },
};
