// The app's pages and components as exparser knows them: which file defines what (Page() / Component() calls),
// which tag is which component (usingComponents, app.json's global ones included), registering them with j-component
// (a component once per launch, a page at each visit), and building a page's component tree.
import type { ComponentDefinition, Element as ExElement, MethodCaller } from './exparser';
import path from 'node:path';
import { exparser, jComponent } from './dom-env';
import { resolveComponentPath } from './project';
import { ConfigError } from './errors';
import type { AppInstance } from './app-instance';

export type Definition = Record<string, unknown>;
type Method = (this: MethodCaller, ...args: unknown[]) => unknown;

/** What a page file registered: Page({...}) or, as WeChat allows, Component({...}). */
export interface PageDefinition {
  kind: 'page' | 'component';
  def: Definition;
}

/** A page ready to be created: its definition loaded and registered (exparser id). */
export interface PreparedPage extends PageDefinition {
  id: string;
}

/** A page's component tree, built but not yet on the page stack. */
export interface PageTree {
  node: ExElement;
  caller: MethodCaller;
  /** the DOM element of the page's root */
  dom: HTMLElement;
}

// exparser's registry is global to the process (several simulators may share it): ids must never repeat
let componentSeq = 0;

const PAGE_OPTION_KEYS = new Set(['data', 'options', 'behaviors', 'usingComponents']);

/**
 * exparser keeps what setData was given in the logic layer's `this.data` and deep-copies only for the view; j-component
 * copies into `this.data` too, which strips class instances of their prototype. Put the given values back.
 */
function keepLogicLayerValues(caller: MethodCaller): void {
  const original = caller.setData;
  caller.setData = (data: Record<string, unknown>, callback?: () => void) => {
    original.call(caller, data, callback);
    if (!data || typeof data !== 'object') return;
    for (const [key, value] of Object.entries(data)) {
      if (value !== null && typeof value === 'object') assignPath(caller.data, parseDataPath(key), value);
    }
  };
}

/** "a.b[2].c" -> ['a', 'b', 2, 'c'], as setData reads its keys. */
export function parseDataPath(key: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const part of key.split('.')) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) return [key];
    if (m[1]) out.push(m[1]);
    for (const index of m[2].match(/\d+/g) || []) out.push(Number(index));
  }
  return out;
}

/** Puts `value` back at `keys` where a copy of it now is (not where exparser converted it, e.g. to a typed property). */
function assignPath(target: Record<string, unknown>, keys: (string | number)[], value: unknown): void {
  let cur: Record<string | number, unknown> = target;
  for (const key of keys.slice(0, -1)) {
    const next = cur[key];
    if (next === null || typeof next !== 'object') return;
    cur = next as Record<string | number, unknown>;
  }
  const last = keys[keys.length - 1];
  const now = cur[last];
  if (now !== null && typeof now === 'object' && Array.isArray(now) === Array.isArray(value)) cur[last] = value;
}

/** Page/component methods report what they throw or reject with, as WeChat logs them, and keep behaving. */
function wrapMethods(methods: Record<string, unknown>, app: AppInstance): Record<string, Method> {
  const out: Record<string, Method> = {};
  for (const [name, fn] of Object.entries(methods)) {
    if (typeof fn !== 'function') continue;
    out[name] = function (this: MethodCaller, ...args: unknown[]) {
      const r = (fn as Method).apply(this, args);
      if (r && typeof (r as Promise<unknown>).then === 'function') {
        (r as Promise<unknown>).then(undefined, (err: unknown) => app.sim.reportException(err, `${name} (async)`, app));
      }
      return r;
    };
  }
  return out;
}

function pickProperties(def: Definition, query: Record<string, string>): Record<string, string> {
  const props = (def.properties as Record<string, unknown>) || {};
  const out: Record<string, string> = {};
  for (const k of Object.keys(query)) if (k in props) out[k] = query[k];
  return out;
}

export class ComponentRegistry {
  private readonly pageDefs = new Map<string, PageDefinition>();
  /** component path (relative to the root, no extension) -> exparser id, for this launch */
  private readonly componentIds = new Map<string, string>();
  private loadingPage: string | undefined;
  private loadingComponent: { path: string; def?: Definition } | undefined;
  private keepValuesBehavior: string | undefined;

  constructor(private readonly app: AppInstance) {}

  /** Page() as the app calls it */
  registerPage(def: unknown): void {
    if (!this.loadingPage) throw new Error('Page() may only be called from a page file listed in app.json');
    this.pageDefs.set(this.loadingPage, { kind: 'page', def: (def as Definition) || {} });
  }

  /** Component() as the app calls it: in a component file, or in a page file (a page built with Component) */
  registerComponent(def: unknown): void {
    if (this.loadingComponent) {
      this.loadingComponent.def = (def as Definition) || {};
      return;
    }
    if (this.loadingPage) {
      this.pageDefs.set(this.loadingPage, { kind: 'component', def: (def as Definition) || {} });
      return;
    }
    throw new Error('Component() may only be called from a component or page file');
  }

  /** The page's definition, running its script the first time. */
  pageDefinition(route: string): PageDefinition {
    let entry = this.pageDefs.get(route);
    if (entry) return entry;
    this.loadingPage = route;
    try {
      this.app.loadModule(`${route}.js`);
    } finally {
      this.loadingPage = undefined;
    }
    entry = this.pageDefs.get(route);
    if (!entry) throw new Error(`page ${route}.js did not call Page() or Component()`);
    return entry;
  }

  /** tag -> component id for one page or component file: its own usingComponents over app.json's global ones. */
  private usingComponentsOf(file: string): Record<string, string> {
    const { project } = this.app.sim;
    const json = this.app.sim.readJsonIfExists(path.join(project.root, `${file}.json`));
    const own = (json?.usingComponents as Record<string, unknown> | undefined) || {};
    const merged: Record<string, unknown> = { ...(project.appJson.usingComponents || {}), ...own };
    const ids: Record<string, string> = {};
    for (const [tag, ref] of Object.entries(merged)) {
      if (typeof ref !== 'string') continue;
      if (ref.startsWith('plugin://')) throw new ConfigError(`${file}.json uses plugin component "${ref}": plugins are not supported by the simulator`);
      const compPath = resolveComponentPath(project.root, file, ref);
      if (!compPath) throw new ConfigError(`component "${tag}": "${ref}" in ${file}.json not found`);
      ids[tag] = this.componentId(compPath, tag);
    }
    return ids;
  }

  /**
   * The component's exparser id, registering it (and what it uses) the first time. The id is reserved before its
   * own usingComponents are resolved, so a component that uses itself (directly, or through app.json's global
   * usingComponents, as WeChat's own demo does) refers to its id instead of recursing: exparser registers lazily.
   */
  private componentId(compPath: string, tag: string): string {
    const known = this.componentIds.get(compPath);
    if (known) return known;
    const id = `sim-c${++componentSeq}`;
    this.componentIds.set(compPath, id);
    try {
      const template = this.app.sim.project.gwx(`${compPath}.wxml`);
      if (typeof template !== 'function') throw new ConfigError(`component ${compPath} has no .wxml template`);
      const def = this.loadComponentScript(compPath);
      const usingComponents = this.usingComponentsOf(compPath);
      const options = (def.options as Record<string, unknown>) || {};
      jComponent().register({
        ...def,
        id,
        methods: wrapMethods((def.methods as Record<string, unknown>) || {}, this.app),
        behaviors: [this.keepValues(), ...((def.behaviors as unknown[]) || [])],
        options: { ...options, multipleSlots: options.multipleSlots ?? true },
        template,
        usingComponents,
        tagName: tag,
      });
    } catch (err) {
      this.componentIds.delete(compPath);
      throw err;
    }
    this.app.sim.customIds.add(id);
    return id;
  }

  private loadComponentScript(compPath: string): Definition {
    const previous = this.loadingComponent;
    this.loadingComponent = { path: compPath };
    let def: Definition | undefined;
    try {
      this.app.loadModule(`${compPath}.js`);
      def = this.loadingComponent.def;
    } finally {
      this.loadingComponent = previous;
    }
    if (!def) throw new Error(`component ${compPath}.js did not call Component()`);
    return def;
  }

  /** The behavior every page and component gets: setData keeps the logic layer's values (see keepLogicLayerValues). */
  private keepValues(): string {
    this.keepValuesBehavior ??= jComponent().behavior({
      lifetimes: {
        created(this: MethodCaller) {
          keepLogicLayerValues(this);
        },
      },
    });
    return this.keepValuesBehavior;
  }

  /**
   * Everything a page needs before it can be created: its script run, its template and components resolved and
   * registered. Throws (and changes nothing) when the page cannot open.
   */
  preparePage(route: string): PreparedPage {
    const { kind, def } = this.pageDefinition(route);
    const usingComponents = this.usingComponentsOf(route);
    const template = this.app.sim.project.gwx(`${route}.wxml`);
    if (typeof template !== 'function') throw new ConfigError(`page ${route} has no .wxml template`);
    let registration: ComponentDefinition;
    if (kind === 'page') {
      const methods: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(def)) if (typeof v === 'function') methods[k] = v;
      registration = {
        data: deepCopy(def.data || {}) as Record<string, unknown>,
        methods: wrapMethods(methods, this.app),
        behaviors: [this.keepValues()],
        options: { multipleSlots: true },
        template,
      };
    } else {
      registration = {
        ...def,
        methods: wrapMethods((def.methods as Record<string, unknown>) || {}, this.app),
        behaviors: [this.keepValues(), ...((def.behaviors as unknown[]) || [])],
        options: { multipleSlots: true, ...((def.options as Record<string, unknown>) || {}) },
        template,
      };
    }
    const id = jComponent().register({ ...registration, id: `sim-p${++componentSeq}`, usingComponents });
    return { kind, def, id };
  }

  /** Creates the page's component tree (component created/attached lifetimes run now). */
  createPageTree(prepared: PreparedPage, route: string, query: Record<string, string>): PageTree {
    const root = jComponent().create(prepared.id, prepared.kind === 'component' ? pickProperties(prepared.def, query) : undefined);
    const node = root._exparserNode;
    const caller = exparser().Element.getMethodCaller(node);
    if (prepared.kind === 'page') {
      // Page's other fields are deep-copied onto each instance, as in WeChat
      for (const [k, v] of Object.entries(prepared.def)) {
        if (typeof v !== 'function' && !PAGE_OPTION_KEYS.has(k)) caller[k] = deepCopy(v);
      }
    }
    caller.route = route;
    caller.__route__ = route;
    caller.options = { ...query };
    return { node, caller, dom: root.dom };
  }

  /** custom components below `root`, parents first */
  forEachComponent(root: ExElement, fn: (n: ExElement) => void): void {
    const walk = (node: ExElement) => {
      for (const child of node.childNodes) {
        if (!(child instanceof exparser().Element)) continue;
        const custom = this.app.sim.isCustomComponent(child);
        if (custom) this.app.guard(() => fn(child), 'component lifetime');
        walk(child);
        if (custom && child.shadowRoot) walk(child.shadowRoot);
      }
    };
    if (root.shadowRoot) walk(root.shadowRoot);
  }
}

/** exparser's deep copy: plain data is copied, other objects become plain copies of their own fields. */
export function deepCopy(v: unknown, seen = new WeakMap<object, unknown>()): unknown {
  if (v === null || typeof v !== 'object') return typeof v === 'symbol' ? undefined : v;
  const known = seen.get(v);
  if (known !== undefined) return known;
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    seen.set(v, out);
    for (const item of v) out.push(deepCopy(item, seen));
    return out;
  }
  const out: Record<string, unknown> = {};
  seen.set(v, out);
  for (const [k, item] of Object.entries(v)) out[k] = deepCopy(item, seen);
  return out;
}
