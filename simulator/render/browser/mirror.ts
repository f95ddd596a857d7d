// Mirrors one page's jsdom DOM into a tree a browser can build: WeChat's element names (wx-view, wx-button...),
// the attributes the WXML set (the builtins' own, such as type/disabled/src, live on exparser nodes, not in jsdom),
// class names scoped per component as WeChat's style isolation does, and inline styles with rpx resolved.
// It watches the page itself (a MutationObserver on the jsdom container, plus j-component's attribute updates,
// which change no jsdom attribute), so the runtime needs no setData hook.
import fs from 'node:fs';
import path from 'node:path';
import { resolveComponentPath } from '../../runtime/project';
import { attributesOf, tagOf, type RenderedDom } from '../../runtime/tree';
import type { Element as ExElement } from '../../runtime/exparser';
import type { RenderedPage } from '../renderer';

/** A text node, or an element: s = its id in this mirror, t = tag, a = attributes, c = children. */
export type MirrorNode = string | MirrorElement;
export interface MirrorElement {
  s: number;
  t: string;
  a: Record<string, string>;
  c: MirrorNode[];
}

export type StyleIsolation = 'isolated' | 'apply-shared' | 'shared';

/** A component's style scope: the page itself, or a custom component. */
export interface StyleScope {
  /** page route or component path, relative to the mini program root, without extension */
  path: string;
  page: boolean;
  isolation: StyleIsolation;
  /** put before the class names of elements in this scope and of this component's wxss ("" for pages and shared) */
  prefix: string;
  /** external classes the component declares (each host passes its own values) */
  externalClasses: string[];
}

export interface MirrorSnapshot {
  tree: MirrorNode[];
  /** the custom components whose styles the tree needs */
  components: StyleScope[];
}

export interface MirrorContext {
  /** the mini program root (where app.json is) */
  root: string;
  appUsingComponents: Record<string, string>;
  /** CSS px per rpx is width / 750 */
  deviceWidth: number;
  pixelRatio: number;
}

// ---- attribute updates j-component makes without touching jsdom ----------------------------------------------

type AttrListener = (node: ExElement | undefined) => void;

/** The part of j-component's render module (untyped, internal) the hook replaces. */
interface JComponentRender {
  updateAttrs(this: unknown, node: ExElement | undefined, attrs: unknown): unknown;
}

/** A component's json, as far as style isolation needs it. */
interface ComponentJson {
  usingComponents?: Record<string, string>;
  styleIsolation?: StyleIsolation;
  addGlobalClass?: boolean;
}

/** The Component() definition j-component keeps for a registered component, as far as style isolation needs it. */
interface RegisteredDefinition {
  options?: { styleIsolation?: StyleIsolation; addGlobalClass?: boolean };
  externalClasses?: unknown;
}
const attrListeners = new Set<AttrListener>();
let attrHookInstalled = false;

/** j-component's diff updates builtin attributes (disabled, type, src...) on exparser nodes only: listen there. */
function installAttrHook(): void {
  if (attrHookInstalled) return;
  attrHookInstalled = true;
  const render = require('j-component/src/render/render') as JComponentRender;
  const original = render.updateAttrs;
  render.updateAttrs = function updateAttrs(this: unknown, node: ExElement | undefined, attrs: unknown) {
    const result = original.call(this, node, attrs);
    for (const listener of attrListeners) listener(node);
    return result;
  };
}

// ---- helpers --------------------------------------------------------------------------------------------------

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** WeChat's rpx rule (the one wcsc's runtime uses): floor to whole px, but never round a non-zero value to 0. */
export function rpxToPx(rpx: number, deviceWidth: number, pixelRatio: number): number {
  if (rpx === 0) return 0;
  const px = Math.floor((rpx / 750) * deviceWidth + 1e-4);
  if (px === 0) return pixelRatio === 1 ? 1 : 0.5;
  return px;
}

export function resolveInlineRpx(style: string, deviceWidth: number, pixelRatio: number): string {
  return style.replace(/(-?\d*\.?\d+)rpx\b/gi, (_m, n: string) => `${rpxToPx(Number(n), deviceWidth, pixelRatio)}px`);
}

function isTruthy(v: unknown): boolean {
  // WXML attribute values: a non-empty string is true, even "false" (as in WeChat)
  return v !== undefined && v !== null && v !== false && v !== '' && v !== 0;
}

function componentDefinition(id: string): RegisteredDefinition | undefined {
  try {
    const utils = require('j-component/src/tool/utils') as { cache(id: string): { definition?: RegisteredDefinition } | undefined };
    return utils.cache(id)?.definition;
  } catch {
    return undefined;
  }
}

let sidSeq = 0;
const sids = new WeakMap<object, number>();

function sidOf(el: object): number {
  let sid = sids.get(el);
  if (sid === undefined) {
    sid = ++sidSeq;
    sids.set(el, sid);
  }
  return sid;
}

// ---- the mirror of one page --------------------------------------------------------------------------------------

export class PageMirror {
  /** the jsdom element behind each mirrored element id, as of the last snapshot */
  private elements = new Map<number, Element>();
  private readonly scopes = new Map<string, StyleScope>();
  private readonly observer: { disconnect(): void };
  private readonly onAttrs: AttrListener;
  private closed = false;
  /** the page's root component node, during a snapshot */
  private rootNode: ExElement | undefined;

  constructor(
    readonly page: RenderedPage,
    private readonly context: MirrorContext,
    onChange: () => void,
  ) {
    installAttrHook();
    // the jsdom window's own MutationObserver (Node has none)
    const win = page.container.ownerDocument?.defaultView as Window & typeof globalThis;
    const observer = new win.MutationObserver(() => {
      if (!this.closed) onChange();
    });
    observer.observe(page.container, { subtree: true, childList: true, attributes: true, characterData: true });
    this.observer = observer;
    this.onAttrs = (node) => {
      if (!this.closed && node?.$$ && page.container.contains(node.$$)) onChange();
    };
    attrListeners.add(this.onAttrs);
  }

  close(): void {
    this.closed = true;
    this.observer.disconnect();
    attrListeners.delete(this.onAttrs);
    this.elements.clear();
  }

  /** The jsdom element with this mirror id (if it was in the last snapshot). */
  element(sid: number): Element | undefined {
    return this.elements.get(sid);
  }

  /** The mirror id of a jsdom element; the element shows in the browser once a snapshot containing it is applied. */
  idOf(element: Element): number {
    return sidOf(element);
  }

  snapshot(): MirrorSnapshot {
    const elements = new Map<number, Element>();
    const components = new Map<string, StyleScope>();
    const rootEl = this.page.container.firstElementChild as RenderedDom | null;
    const rootNode = rootEl?.__wxElement;
    this.rootNode = rootNode;
    const walk = (domParent: Node): MirrorNode[] => {
      const out: MirrorNode[] = [];
      for (const childNode of Array.from(domParent.childNodes)) {
        if (childNode.nodeType === 3) {
          out.push(String((childNode as Text).data));
          continue;
        }
        if (childNode.nodeType !== 1) continue;
        const child = childNode as RenderedDom;
        const node = child.__wxElement;
        if (!node) {
          out.push(...walk(child));
          continue;
        }
        const host = node.ownerShadowRoot?.getHostNode?.();
        const scope = this.scopeOfHost(host);
        const isCustom = !!node.is;
        const attrs: Record<string, string> = {};
        for (const [name, value] of Object.entries(attributesOf(node))) {
          if (name === 'class' || name === 'style') continue;
          if (typeof value === 'boolean') {
            if (value) attrs[name] = '';
          } else if (typeof value === 'string' || typeof value === 'number') {
            attrs[name] = String(value);
          }
        }
        const raw = this.rawAttr(node, 'style');
        if (typeof raw === 'string' && raw.trim()) attrs.style = resolveInlineRpx(raw, this.context.deviceWidth, this.context.pixelRatio);
        const cls = this.scopedClasses(String(node.class || ''), scope, host);
        if (cls) attrs.class = cls;
        // hover-class names are class names of the same scope (a component's own wxss styles its hover state)
        const hover = attrs['hover-class'];
        if (hover && hover !== 'none') attrs['hover-class'] = this.scopedClasses(hover, scope, host);
        if (isTruthy(this.rawAttr(node, 'hidden'))) attrs.hidden = '';
        else delete attrs.hidden;
        let tag: string;
        if (isCustom) {
          const own = this.scopeOfHost(node);
          attrs.is = own.path;
          if (!components.has(own.path)) components.set(own.path, own);
          tag = tagOf(node) || 'wx-component';
        } else {
          tag = `wx-${tagOf(node)}`;
        }
        const sid = sidOf(child);
        elements.set(sid, child);
        out.push({ s: sid, t: tag, a: attrs, c: walk(child) });
      }
      return out;
    };
    const tree = rootEl ? walk(rootEl) : [];
    this.elements = elements;
    return { tree, components: [...components.values()] };
  }

  private rawAttr(node: ExElement | undefined, name: string): unknown {
    for (const a of node?._vt?.attrs || []) if (a.name === name) return a.value;
    return undefined;
  }

  private scopedClasses(raw: string, scope: StyleScope, host: ExElement | undefined): string {
    const tokens = raw.split(/\s+/).filter(Boolean);
    const out: string[] = [];
    for (const token of tokens) {
      if (host && scope.externalClasses.includes(token)) {
        // an external class takes the classes the parent passed on this host, in the parent's scope
        const passed = this.rawAttr(host, token) ?? this.rawAttr(host, token.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase()));
        if (typeof passed === 'string' && passed.trim()) {
          const parentHost = host.ownerShadowRoot?.getHostNode?.();
          out.push(this.scopedClasses(passed, this.scopeOfHost(parentHost), parentHost));
        }
        continue;
      }
      if (scope.page || scope.isolation === 'shared') out.push(token);
      else if (scope.isolation === 'apply-shared') out.push(scope.prefix + token, token);
      else out.push(scope.prefix + token);
    }
    return out.join(' ');
  }

  /** The scope of the elements a host's template wrote: the page's, or a custom component's. */
  private scopeOfHost(host: ExElement | undefined): StyleScope {
    const pageScope = (): StyleScope => {
      let scope = this.scopes.get('');
      if (!scope) {
        scope = { path: this.page.route, page: true, isolation: 'shared', prefix: '', externalClasses: [] };
        this.scopes.set('', scope);
      }
      return scope;
    };
    if (!host || host === this.rootNode || !host.ownerShadowRoot) return pageScope();
    const known = this.scopes.get(host.is);
    if (known) return known;
    const owner = this.scopeOfHost(host.ownerShadowRoot.getHostNode?.());
    const tag = tagOf(host);
    const ownerJson = (readJson(path.join(this.context.root, `${owner.path}.json`)) || {}) as ComponentJson;
    const ref = { ...this.context.appUsingComponents, ...(ownerJson.usingComponents || {}) }[tag];
    const compPath = typeof ref === 'string' ? resolveComponentPath(this.context.root, owner.path, ref) : undefined;
    const json = (compPath ? readJson(path.join(this.context.root, `${compPath}.json`)) || {} : {}) as ComponentJson;
    const def = componentDefinition(host.is) || {};
    const options = def.options || {};
    const isolation: StyleIsolation =
      options.styleIsolation || json.styleIsolation || (options.addGlobalClass || json.addGlobalClass ? 'apply-shared' : 'isolated');
    const scopePath = compPath ?? `unknown/${tag}`;
    const scope: StyleScope = {
      path: scopePath,
      page: false,
      isolation,
      prefix: isolation === 'shared' ? '' : `${scopePath.replace(/[^A-Za-z0-9_-]/g, '-')}--`,
      externalClasses: Array.isArray(def.externalClasses) ? def.externalClasses : [],
    };
    this.scopes.set(host.is, scope);
    return scope;
  }
}
