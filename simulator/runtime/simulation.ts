// The phone: one mini program process (AppInstance) at a time, plus what outlives it on a real device —
// storage, network state, the user's answers to dialogs — and the test-facing controls (__sim / Sim domain).
/* eslint-disable @typescript-eslint/no-explicit-any */
import { EventEmitter } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { exparser, jComponent, domWindow } from './dom-env';
import { ModuleLoader, type Scope } from './module-loader';
import { resolveComponentPath, type Project } from './project';
import { composedParent, attributesOf, tagOf } from './tree';
import { createWx, type WxHost } from './wx-api';
import type { EnterOptions, Log, MiniProgramHandler, MiniProgramJump, ShowRequest } from './types';
import type { RenderedPage, Renderer } from '../render/renderer';

export { RouteError } from './errors';
import { RouteError } from './errors';

export interface UiEvent {
  type: 'toast' | 'hideToast' | 'loading' | 'hideLoading' | 'modal' | 'actionSheet' | 'navigationBarTitle';
  options: Record<string, unknown>;
  at: number;
}

interface PendingModal {
  options: Record<string, unknown>;
  answer: (res: { confirm: boolean; cancel: boolean; content?: string }) => void;
}

export interface Mock {
  fn: (...args: any[]) => any;
  args: unknown[];
}

export interface PageInstance {
  id: number;
  route: string;
  query: Record<string, string>;
  node: any;
  caller: any;
  container: any;
  alive: boolean;
  app: AppInstance;
  /** what the renderer knows of this page */
  rendered: RenderedPage;
}

/** One wx.request as the app made it: what DevTools' Network panel would list. */
export interface RequestRecord {
  method: string;
  url: string;
  /** ms since the epoch when the app called wx.request */
  at: number;
}

export interface JumpRecord {
  appId: string;
  path?: string;
  extraData?: Record<string, unknown>;
  envVersion?: string;
  returnedExtraData?: Record<string, unknown>;
  error?: string;
}

const LIFECYCLE_KEYS = new Set(['data', 'options', 'behaviors', 'usingComponents']);

function clone<T>(v: T): T {
  return v === undefined ? v : JSON.parse(JSON.stringify(v));
}

export function parseQuery(qs: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of qs.split('&')) {
    if (!part) continue;
    const i = part.indexOf('=');
    if (i < 0) out[part] = '';
    else out[part.slice(0, i)] = part.slice(i + 1);
  }
  return out;
}

/** One launch of the mini program: its modules, App, pages, timers and requests. A cold restart makes a new one. */
export class AppInstance {
  alive = true;
  visible = false;
  appDef: any;
  readonly stack: PageInstance[] = [];
  readonly timers = new Set<NodeJS.Timeout>();
  readonly requests = new Set<{ abort(): void }>();
  readonly listeners: Record<string, ((...a: any[]) => void)[]> = {
    appShow: [], appHide: [], error: [], unhandledRejection: [], networkStatusChange: [], pageNotFound: [],
  };
  launchOptions!: EnterOptions;
  enterOptions!: EnterOptions;
  /** > 0 only while a tap event is being dispatched synchronously: WeChat's user-gesture window */
  tapDepth = 0;
  readonly wx: any;
  private readonly loader: ModuleLoader;
  private readonly pageDefs = new Map<string, { kind: 'page' | 'component'; def: any }>();
  private readonly componentIds = new Map<string, string>();
  private loadingPage: string | undefined;
  private loadingComponent: { path: string; def?: any } | undefined;
  private readonly scope: Scope;

  constructor(readonly sim: Simulation) {
    this.wx = createWx(this as unknown as WxHost & AppInstance);
    const appConsole = sim.makeConsole();
    this.scope = {
      wx: this.wx,
      App: (def: any) => this.registerApp(def),
      Page: (def: any) => this.registerPage(def),
      Component: (def: any) => this.registerComponent(def),
      Behavior: (def: any) => jComponent().behavior(def),
      getApp: () => this.appDef,
      getCurrentPages: () => this.stack.filter((p) => p.alive).map((p) => p.caller),
      requirePlugin: (name: string) => {
        throw new Error(`requirePlugin("${name}"): plugins are not supported by the simulator`);
      },
      console: appConsole,
      setTimeout: (fn: (...a: any[]) => void, ms?: number, ...args: any[]) => this.timer(false, fn, ms, args),
      setInterval: (fn: (...a: any[]) => void, ms?: number, ...args: any[]) => this.timer(true, fn, ms, args),
      clearTimeout: (t: NodeJS.Timeout) => this.clearTimer(t),
      clearInterval: (t: NodeJS.Timeout) => this.clearTimer(t),
      __sim: sim.controls,
      __wxConfig: { envVersion: 'develop', platform: 'devtools', appLaunchInfo: {} },
    };
    this.loader = new ModuleLoader(sim.project.root, () => this.scope);
  }

  /** Globals as evaluate() and mocks see them: the app's scope plus the bindings a test exposed. */
  evaluationScope(): Scope {
    const scope: Scope = Object.create(null);
    Object.assign(scope, this.scope);
    for (const name of this.sim.bindings) {
      scope[name] = (...args: unknown[]) => this.sim.emitEvent('App.bindingCalled', { name, args: clone(args) ?? [] });
    }
    return scope;
  }

  /** Rebuilds a function from its source in the app's global scope (closures are lost, as in DevTools). */
  rebuildFunction(source: string): (...args: any[]) => any {
    const scope = this.evaluationScope();
    let factory: (s: Scope) => any;
    try {
      factory = new Function('__scope', `with (__scope) { return (${source}\n); }`) as any;
    } catch {
      // method shorthand such as `foo() {}` is not an expression
      factory = new Function('__scope', `with (__scope) { return ({ ${source}\n }).${source.match(/^\s*(?:async\s+)?([\w$]+)/)?.[1]}; }`) as any;
    }
    const fn = factory(scope);
    if (typeof fn !== 'function') throw new Error(`functionDeclaration is not a function: ${source.slice(0, 80)}`);
    return fn;
  }

  private timer(repeat: boolean, fn: (...a: any[]) => void, ms: number | undefined, args: any[]): NodeJS.Timeout {
    if (typeof fn !== 'function') throw new TypeError('setTimeout/setInterval expects a function');
    const run = () => {
      if (!repeat) this.timers.delete(handle);
      if (this.alive) this.guard(() => fn(...args), 'timer callback');
    };
    const handle = repeat ? setInterval(run, ms) : setTimeout(run, ms);
    this.timers.add(handle);
    return handle;
  }

  private clearTimer(t: NodeJS.Timeout) {
    if (!t) return;
    clearTimeout(t);
    this.timers.delete(t);
  }

  /** Runs app code, reporting (not propagating) what it throws, and what a returned promise rejects with. */
  guard<T>(fn: () => T, where: string): T | undefined {
    try {
      const r: any = fn();
      if (r && typeof r.then === 'function') r.then(undefined, (err: unknown) => this.sim.reportException(err, `${where} (async)`, this));
      return r;
    } catch (err) {
      this.sim.reportException(err, where, this);
      return undefined;
    }
  }

  hook(target: any, name: string, args: unknown[] = []): void {
    if (target && typeof target[name] === 'function') this.guard(() => target[name](...args), name);
  }

  inUserTap(): boolean {
    return this.tapDepth > 0;
  }

  // ---- registration -------------------------------------------------------------------------------------

  private registerApp(def: any) {
    if (this.appDef) throw new Error('App() may be called only once');
    this.appDef = def && typeof def === 'object' ? def : {};
  }

  private registerPage(def: any) {
    if (!this.loadingPage) throw new Error('Page() may only be called from a page file listed in app.json');
    this.pageDefs.set(this.loadingPage, { kind: 'page', def: def || {} });
  }

  private registerComponent(def: any) {
    if (this.loadingComponent) {
      this.loadingComponent.def = def || {};
      return;
    }
    if (this.loadingPage) {
      this.pageDefs.set(this.loadingPage, { kind: 'component', def: def || {} });
      return;
    }
    throw new Error('Component() may only be called from a component or page file');
  }

  private usingComponentsOf(file: string): Record<string, string> {
    const json = this.sim.readJsonIfExists(path.join(this.sim.project.root, `${file}.json`));
    const merged = { ...(this.sim.project.appJson.usingComponents || {}), ...(json?.usingComponents || {}) };
    const ids: Record<string, string> = {};
    for (const [tag, ref] of Object.entries(merged)) {
      if (typeof ref !== 'string') continue;
      if (ref.startsWith('plugin://')) throw new Error(`${file}.json uses plugin component "${ref}": plugins are not supported by the simulator`);
      const compPath = resolveComponentPath(this.sim.project.root, file, ref);
      if (!compPath) throw new Error(`component "${tag}": "${ref}" in ${file}.json not found`);
      ids[tag] = this.componentId(compPath, tag);
    }
    return ids;
  }

  private componentId(compPath: string, tag: string): string {
    const known = this.componentIds.get(compPath);
    if (known) return known;
    const usingComponents = this.usingComponentsOf(compPath);
    const template = this.sim.project.gwx(`${compPath}.wxml`);
    if (typeof template !== 'function') throw new Error(`component ${compPath} has no .wxml template`);
    const previous = this.loadingComponent;
    this.loadingComponent = { path: compPath };
    let def: any;
    try {
      this.loader.load(`${compPath}.js`);
      def = this.loadingComponent.def;
    } finally {
      this.loadingComponent = previous;
    }
    if (!def) throw new Error(`component ${compPath}.js did not call Component()`);
    const definition = {
      ...def,
      methods: wrapMethods(def.methods || {}, this),
      options: { ...(def.options || {}), multipleSlots: def.options?.multipleSlots ?? true },
      template,
      usingComponents,
      tagName: tag,
    };
    const id = jComponent().register(definition);
    this.sim.customIds.add(id);
    this.componentIds.set(compPath, id);
    return id;
  }

  private pageDefinition(route: string) {
    let entry = this.pageDefs.get(route);
    if (entry) return entry;
    this.loadingPage = route;
    try {
      this.loader.load(`${route}.js`);
    } finally {
      this.loadingPage = undefined;
    }
    entry = this.pageDefs.get(route);
    if (!entry) throw new Error(`page ${route}.js did not call Page() or Component()`);
    return entry;
  }

  // ---- launch, show, hide ------------------------------------------------------------------------------

  async launch(options: EnterOptions): Promise<void> {
    this.launchOptions = clone(options);
    this.loader.load('app.js');
    if (!this.appDef) this.appDef = {};
    this.hook(this.appDef, 'onLaunch', [clone(options)]);
    this.showNow(options, false);
    await this.openFirstPage(options.path, options.query);
  }

  private async openFirstPage(route: string, query: Record<string, string>) {
    const target = this.sim.project.pages.includes(route) ? route : this.sim.project.entryPage;
    if (target !== route) {
      for (const l of [...this.listeners.pageNotFound]) this.guard(() => l({ path: route, query, isEntryPage: true }), 'onPageNotFound');
      this.hook(this.appDef, 'onPageNotFound', [{ path: route, query, isEntryPage: true }]);
    }
    this.openPage(target, query);
  }

  private showNow(options: EnterOptions, withPage: boolean) {
    this.visible = true;
    this.enterOptions = clone(options);
    this.hook(this.appDef, 'onShow', [clone(options)]);
    for (const l of [...this.listeners.appShow]) this.guard(() => l(clone(options)), 'onAppShow listener');
    if (withPage) this.pageShow(this.top());
    this.screenChanged();
  }

  hide(): void {
    if (!this.visible) return;
    this.visible = false;
    this.hook(this.appDef, 'onHide');
    this.pageHide(this.top());
    for (const l of [...this.listeners.appHide]) this.guard(() => l({}), 'onAppHide listener');
    this.screenChanged();
  }

  show(req: ShowRequest): EnterOptions {
    if (this.visible) this.hide();
    const top = this.top();
    const options: EnterOptions = {
      scene: req.scene ?? 1001,
      path: (req.path ?? top?.route ?? this.sim.project.entryPage).replace(/^\//, ''),
      query: req.query ?? (req.path ? {} : { ...(top?.query || {}) }),
      referrerInfo: req.referrerInfo ?? {},
    };
    this.showNow(options, true);
    return options;
  }

  /** Kill without any lifecycle callbacks, as WeChat does to a background app. */
  destroy(): void {
    this.alive = false;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const r of this.requests) r.abort();
    this.requests.clear();
    for (const page of this.stack.splice(0)) this.disposePage(page);
    this.screenChanged();
  }

  // ---- pages ---------------------------------------------------------------------------------------------

  top(): PageInstance | undefined {
    return this.stack[this.stack.length - 1];
  }

  private openPage(route: string, query: Record<string, string>): PageInstance {
    const page = this.createPage(route, query);
    this.stack.push(page);
    this.screenChanged();
    this.hook(page.caller, 'onLoad', [{ ...query }]);
    this.pageShow(page);
    this.forEachComponent(page.node, (n) => n.triggerLifeTime('ready'));
    this.hook(page.caller, 'onReady');
    return page;
  }

  private createPage(route: string, query: Record<string, string>): PageInstance {
    const { kind, def } = this.pageDefinition(route);
    const usingComponents = this.usingComponentsOf(route);
    const template = this.sim.project.gwx(`${route}.wxml`);
    if (typeof template !== 'function') throw new Error(`page ${route} has no .wxml template`);
    const jc = jComponent();
    let registration: any;
    if (kind === 'page') {
      const methods: Record<string, (...a: any[]) => any> = {};
      for (const [k, v] of Object.entries(def)) if (typeof v === 'function') methods[k] = v as any;
      registration = { data: clone(def.data || {}), methods: wrapMethods(methods, this), options: { multipleSlots: true } };
    } else {
      registration = { ...def, methods: wrapMethods(def.methods || {}, this), options: { multipleSlots: true, ...(def.options || {}) } };
    }
    const id = jc.register({ ...registration, template, usingComponents });
    const root = jc.create(id, kind === 'component' ? pickProperties(def, query) : undefined);
    const node = root._exparserNode;
    const caller = exparser().Element.getMethodCaller(node);
    if (kind === 'page') {
      for (const [k, v] of Object.entries(def)) {
        if (typeof v !== 'function' && !LIFECYCLE_KEYS.has(k)) caller[k] = clone(v);
      }
    }
    caller.route = route;
    caller.__route__ = route;
    caller.options = { ...query };
    const win = domWindow();
    const container = win.document.createElement('page');
    container.setAttribute('route', route);
    win.document.body.appendChild(container);
    container.appendChild(root.dom);
    exparser().Element.pretendAttached(node);
    const pageId = ++this.sim.pageSeq;
    const rendered: RenderedPage = { id: pageId, route, container, windowConfig: this.sim.windowConfig(route) };
    const page: PageInstance = { id: pageId, route, query: { ...query }, node, caller, container, alive: true, app: this, rendered };
    void this.sim.renderer?.attachPage(rendered);
    caller.__simPageId = page.id;
    return page;
  }

  private pageShow(page: PageInstance | undefined) {
    if (!page) return;
    this.hook(page.caller, 'onShow');
    this.forEachComponent(page.node, (n) => n.triggerPageLifeTime('show', []));
  }

  private pageHide(page: PageInstance | undefined) {
    if (!page) return;
    this.hook(page.caller, 'onHide');
    this.forEachComponent(page.node, (n) => n.triggerPageLifeTime('hide', []));
  }

  private unloadPage(page: PageInstance) {
    this.hook(page.caller, 'onUnload');
    this.disposePage(page);
  }

  /** Tells the renderer which page is on screen: the top one while the app is in the foreground. */
  screenChanged(): void {
    this.sim.renderer?.showPage(this.alive && this.visible ? this.top()?.rendered : undefined);
  }

  private disposePage(page: PageInstance) {
    page.alive = false;
    this.sim.renderer?.detachPage(page.rendered);
    try {
      exparser().Element.pretendDetached(page.node);
    } catch (err) {
      this.sim.reportException(err, 'component detached', this);
    }
    page.container.remove();
  }

  /** custom components below `root`, parents first */
  forEachComponent(root: any, fn: (n: any) => void): void {
    const walk = (node: any) => {
      for (const child of node.childNodes || []) {
        if (this.sim.customIds.has(child.is)) this.guard(() => fn(child), 'component lifetime');
        walk(child);
        if (child.shadowRoot && this.sim.customIds.has(child.is)) walk(child.shadowRoot);
      }
    };
    if (root.shadowRoot) walk(root.shadowRoot);
  }

  // ---- routing -------------------------------------------------------------------------------------------

  resolveUrl(url: unknown): { route: string; query: Record<string, string> } {
    if (typeof url !== 'string' || !url) throw new RouteError('parameter error: url should be a non-empty string');
    const [pathPart, qs = ''] = url.split('?');
    const from = this.top()?.route ?? '';
    let route = pathPart.startsWith('/') ? pathPart.slice(1) : path.posix.join(path.posix.dirname(from), pathPart);
    route = path.posix.normalize(route).replace(/\.html$/, '').replace(/^\.\//, '');
    if (!this.sim.project.pages.includes(route)) throw new RouteError(`page "${route}" is not found`);
    return { route, query: parseQuery(qs) };
  }

  route(kind: string, opts: any): void {
    const tabs = this.sim.project.tabPages;
    if (kind === 'navigateBack') {
      const delta = Math.max(1, Number(opts?.delta) || 1);
      if (this.stack.length <= 1) throw new RouteError('cannot navigate back at first page.');
      const n = Math.min(delta, this.stack.length - 1);
      for (let i = 0; i < n; i++) this.unloadPage(this.stack.pop()!);
      this.screenChanged();
      this.pageShow(this.top());
      return;
    }
    const { route, query } = this.resolveUrl(opts?.url);
    const isTab = tabs.includes(route);
    switch (kind) {
      case 'navigateTo':
        if (isTab) throw new RouteError('can not navigateTo a tabbar page');
        if (this.stack.length >= 10) throw new RouteError('webview count limit exceed');
        this.pageHide(this.top());
        this.openPage(route, query);
        return;
      case 'redirectTo': {
        if (isTab) throw new RouteError('can not redirectTo a tabbar page');
        const old = this.stack.pop();
        if (old) this.unloadPage(old);
        this.openPage(route, query);
        return;
      }
      case 'switchTab':
      case 'reLaunch':
        if (kind === 'switchTab' && !isTab) throw new RouteError('can not switch to no-tabBar page');
        if (kind === 'switchTab' && Object.keys(query).length) throw new RouteError('url does not support query in switchTab');
        // without a tab bar to keep pages alive, switchTab closes every page like reLaunch
        while (this.stack.length) this.unloadPage(this.stack.pop()!);
        this.openPage(route, query);
        return;
      default:
        throw new RouteError(`unknown route ${kind}`);
    }
  }

  // ---- other mini programs ---------------------------------------------------------------------------

  /** Leaves for another mini program; resolves once the app is back in the foreground. */
  async jump(jump: MiniProgramJump, handler: MiniProgramHandler): Promise<void> {
    const record: JumpRecord = { ...clone(jump) };
    this.sim.jumps.push(record);
    this.sim.pendingJumps++;
    try {
      await new Promise((r) => setImmediate(r));
      if (!this.alive) return;
      this.hide();
      let extraData: Record<string, unknown> | undefined;
      try {
        const result = await handler(clone(jump));
        extraData = result?.extraData;
        record.returnedExtraData = clone(extraData);
      } catch (err) {
        record.error = (err as Error)?.message ?? String(err);
        this.sim.log(`handler for ${jump.appId} failed: ${record.error}; the user comes back without extraData`);
      }
      if (!this.alive || this.visible) return;
      const top = this.top();
      this.show({
        scene: 1038,
        path: top?.route,
        query: { ...(top?.query || {}) },
        referrerInfo: extraData === undefined ? { appId: jump.appId } : { appId: jump.appId, extraData: clone(extraData) },
      });
    } finally {
      this.sim.pendingJumps--;
      this.sim.notifyIdle();
    }
  }

  // ---- taps -----------------------------------------------------------------------------------------------

  dispatch(node: any, type: string, detail: unknown, extra: Record<string, unknown> = {}): void {
    const ex = exparser();
    const event = ex.Event.create(type, detail ?? {}, {
      bubbles: extra.bubbles ?? true,
      composed: extra.composed ?? true,
      extraFields: { touches: extra.touches ?? [], changedTouches: extra.changedTouches ?? [] },
    });
    try {
      ex.Event.dispatchEvent(node, event);
    } catch (err) {
      this.sim.reportException(err, `${type} handler`, this);
    }
  }

  /** A user tap: touchstart, touchend, tap — the tap inside WeChat's user-gesture window — then navigators act. */
  tap(node: any, touch = { x: 0, y: 0 }): void {
    const touches = [{ identifier: 0, pageX: touch.x, pageY: touch.y, clientX: touch.x, clientY: touch.y }];
    this.dispatch(node, 'touchstart', {}, { touches, changedTouches: touches });
    this.dispatch(node, 'touchend', {}, { touches: [], changedTouches: touches });
    this.userTap(() => this.dispatch(node, 'tap', { x: touch.x, y: touch.y }, { touches: [], changedTouches: touches }));
    this.activateNavigator(node);
  }

  userTap(fn: () => void): void {
    this.tapDepth++;
    try {
      fn();
    } finally {
      this.tapDepth--;
    }
  }

  private activateNavigator(node: any) {
    let nav: any;
    for (let n = node; n; n = composedParent(n)) {
      if (tagOf(n) === 'navigator' && !n.__virtual) {
        nav = n;
        break;
      }
    }
    if (!nav || !nav._vt) return;
    const attrs = attributesOf(nav);
    const fire = (type: 'success' | 'fail' | 'complete', detail: Record<string, unknown>) =>
      this.dispatch(nav, type, detail, { bubbles: false, composed: false });
    const done = (res: { errMsg: string }, ok: boolean) => {
      fire(ok ? 'success' : 'fail', res);
      fire('complete', res);
    };
    if (attrs.target === 'miniProgram') {
      this.userTap(() => {
        const p = this.wx.navigateToMiniProgram({
          appId: attrs['app-id'],
          path: attrs.path,
          extraData: attrs['extra-data'] as Record<string, unknown> | undefined,
          envVersion: attrs.version,
        });
        if (p && typeof p.then === 'function') p.then((res: any) => done(res, true), (res: any) => done(res, false));
      });
      return;
    }
    const openType = String(attrs['open-type'] || 'navigate');
    const method = ({ navigate: 'navigateTo', redirect: 'redirectTo', switchTab: 'switchTab', reLaunch: 'reLaunch', navigateBack: 'navigateBack', exit: 'exitMiniProgram' } as Record<string, string>)[openType];
    if (!method) return;
    const opts = method === 'navigateBack' ? { delta: Number(attrs.delta) || 1 } : { url: attrs.url };
    const p = this.wx[method](opts);
    if (p && typeof p.then === 'function') p.then((res: any) => done(res, true), (res: any) => done(res, false));
  }
}

/** Page/component methods report what they throw or reject with, as WeChat logs them, and keep behaving. */
function wrapMethods(methods: Record<string, any>, app: AppInstance): Record<string, any> {
  const out: Record<string, any> = {};
  for (const [name, fn] of Object.entries(methods)) {
    if (typeof fn !== 'function') continue;
    out[name] = function (this: unknown, ...args: unknown[]) {
      const r = fn.apply(this, args);
      if (r && typeof r.then === 'function') r.then(undefined, (err: unknown) => app.sim.reportException(err, `${name} (async)`, app));
      return r;
    };
  }
  return out;
}

function pickProperties(def: any, query: Record<string, string>): Record<string, string> {
  const props = def.properties || {};
  const out: Record<string, string> = {};
  for (const k of Object.keys(query)) if (k in props) out[k] = query[k];
  return out;
}

export interface SimulationOptions {
  project: Project;
  handlers: Record<string, MiniProgramHandler>;
  log: Log;
  verbose?: boolean;
}

/** The device around the mini program. */
export class Simulation extends EventEmitter {
  readonly project: Project;
  readonly handlers: Record<string, MiniProgramHandler>;
  readonly log: Log;
  readonly storage = new Map<string, string>();
  readonly mocks = new Map<string, Mock>();
  readonly bindings = new Set<string>();
  readonly customIds = new Set<string>();
  readonly ui: UiEvent[] = [];
  readonly jumps: JumpRecord[] = [];
  readonly requestLog: RequestRecord[] = [];
  readonly exceptions: { message: string; stack: string }[] = [];
  readonly httpAgent = new http.Agent({ keepAlive: false });
  readonly httpsAgent = new https.Agent({ keepAlive: false });
  modal: PendingModal | undefined;
  online = true;
  logEnabled = false;
  pageSeq = 0;
  pendingJumps = 0;
  app!: AppInstance;
  /** lays pages out (browser mode) or answers without layout (headless) */
  renderer: Renderer | undefined;
  readonly controls: Record<string, (...a: any[]) => unknown>;
  private readonly verbose: boolean;
  private idleWaiters: (() => void)[] = [];
  private reporting = false;

  constructor(options: SimulationOptions) {
    super();
    this.project = options.project;
    this.handlers = options.handlers;
    this.log = options.log;
    this.verbose = !!options.verbose;
    this.controls = {
      appHide: () => this.appHide(),
      appShow: (req?: ShowRequest) => this.appShow(req ?? {}),
      restart: (req?: ShowRequest) => this.restart(req ?? {}),
      setNetwork: (req?: { online?: boolean }) => this.setNetwork(req ?? {}),
      idle: () => this.idle(),
      ui: () => clone(this.ui),
      modal: () => (this.modal ? clone(this.modal.options) : null),
      answerModal: (confirm?: boolean) => this.answerModal(confirm !== false),
      jumps: () => clone(this.jumps),
      requests: () => clone(this.requestLog),
      storage: () => Object.fromEntries([...this.storage].map(([k, v]) => [k, JSON.parse(v)])),
      exceptions: () => clone(this.exceptions),
    };
  }

  emitEvent(method: string, params: Record<string, unknown>): void {
    this.emit('protocol-event', method, params);
  }

  /** A page's window settings: app.json `window` overridden by the page's own json. */
  windowConfig(route: string): Record<string, unknown> {
    const own = this.readJsonIfExists(path.join(this.project.root, `${route}.json`)) || {};
    const { usingComponents: _u, componentGenerics: _g, component: _c, ...window } = own;
    return { ...(this.project.appJson.window || {}), ...window };
  }

  readJsonIfExists(file: string): any {
    try {
      return JSON.parse(require('node:fs').readFileSync(file, 'utf8'));
    } catch {
      return undefined;
    }
  }

  makeConsole(): Record<string, (...a: unknown[]) => void> {
    const out: Record<string, (...a: unknown[]) => void> = {};
    for (const type of ['log', 'info', 'warn', 'error', 'debug']) {
      out[type] = (...args: unknown[]) => {
        if (this.verbose) this.log(`[app ${type}] ${args.map((a) => (typeof a === 'string' ? a : safeJson(a))).join(' ')}`);
        if (this.logEnabled) this.emitEvent('App.logAdded', { type, args: args.map(serializeArg) });
      };
    }
    out.table = out.log;
    out.trace = out.debug;
    out.group = out.groupEnd = out.time = out.timeEnd = () => undefined;
    return out;
  }

  reportException(err: unknown, where: string, app?: AppInstance): void {
    const e = isErrorLike(err) ? err : undefined;
    const message = e ? e.message : typeof err === 'object' && err && 'errMsg' in err ? String((err as any).errMsg) : String(err);
    const stack = e?.stack ?? message;
    this.exceptions.push({ message, stack });
    this.log(`app error in ${where}: ${stack}`);
    this.emitEvent('App.exceptionThrown', { message, stack });
    if (this.reporting || !app || !app.alive) return;
    this.reporting = true;
    try {
      for (const l of [...app.listeners.error]) {
        try { l(stack); } catch { /* an error handler that throws is not reported again */ }
      }
      if (app.appDef && typeof app.appDef.onError === 'function') {
        try { app.appDef.onError(stack); } catch { /* idem */ }
      }
    } finally {
      this.reporting = false;
    }
  }

  // ---- lifecycle controls (Sim domain, __sim) -------------------------------------------------------------

  async start(options: ShowRequest = {}): Promise<void> {
    this.app = new AppInstance(this);
    const route = (options.path ?? this.project.entryPage).replace(/^\//, '');
    const [p, qs] = route.split('?');
    await this.app.launch({
      scene: options.scene ?? 1001,
      path: p,
      query: options.query ?? parseQuery(qs || ''),
      referrerInfo: options.referrerInfo ?? {},
    });
  }

  appHide(): { visible: boolean } {
    this.app.hide();
    return { visible: this.app.visible };
  }

  appShow(req: ShowRequest): EnterOptions {
    return this.app.show(req);
  }

  async restart(req: ShowRequest): Promise<{ pageId: number; path: string }> {
    this.app.destroy();
    this.modal = undefined;
    await this.start(req);
    const top = this.app.top()!;
    return { pageId: top.id, path: top.route };
  }

  setNetwork(req: { online?: boolean }): { online: boolean } {
    const online = req.online !== false;
    if (online !== this.online) {
      this.online = online;
      const res = { isConnected: online, networkType: online ? 'wifi' : 'none' };
      for (const l of [...this.app.listeners.networkStatusChange]) this.app.guard(() => l(res), 'onNetworkStatusChange');
    }
    return { online: this.online };
  }

  answerModal(confirm: boolean): { confirm: boolean } {
    if (!this.modal) throw new Error('no modal is showing (wx.showModal was not called, or was already answered)');
    const m = this.modal;
    this.modal = undefined;
    m.answer({ confirm, cancel: !confirm, ...(m.options.editable ? { content: '' } : {}) });
    return { confirm };
  }

  idle(): Promise<void> {
    if (this.pendingJumps === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  notifyIdle(): void {
    if (this.pendingJumps > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  close(): void {
    this.app?.destroy();
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
    this.notifyIdle();
  }

  findPage(pageId: unknown): PageInstance {
    const page = this.app.stack.find((p) => p.id === Number(pageId));
    if (!page) throw new Error(`page ${String(pageId)} is not in the page stack any more (it was closed or the app restarted)`);
    return page;
  }
}

function isErrorLike(v: unknown): v is Error {
  return !!v && typeof v === 'object' && typeof (v as Error).message === 'string' && typeof (v as Error).stack === 'string';
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

function serializeArg(v: unknown): unknown {
  if (isErrorLike(v)) return `${v.name}: ${v.message}`;
  if (typeof v === 'function') return `[Function ${(v as { name?: string }).name || 'anonymous'}]`;
  if (v === undefined) return 'undefined';
  try {
    return JSON.parse(JSON.stringify(v));
  } catch {
    return String(v);
  }
}
