// One launch of the mini program: its module registry and globals (wx, App, Page, getApp...), the App object and
// its lifecycle (launch, show, hide, and a kill without callbacks), its timers and requests. The pages, the
// components and the finger have their own modules (router.ts, components.ts, input.ts); this class wires them and
// keeps the surface wx-api.ts and the protocol use. A cold restart makes a new AppInstance.
import type { Element as ExElement } from './exparser';
import { jComponent } from './dom-env';
import { ModuleLoader, type Scope } from './module-loader';
import { createWx } from './wx-api';
import { ComponentRegistry } from './components';
import { Router, type PageInstance } from './router';
import { Input, type DispatchOptions } from './input';
import { jumpToMiniProgram } from './jump';
import type { Simulation } from './simulation';
import type { EnterOptions, MiniProgramHandler, MiniProgramJump, ShowRequest } from './types';

/** What the app's code passed to App({...}). */
export type AppDefinition = Record<string, unknown>;
type Listener = (...args: unknown[]) => unknown;
/** The `wx` object one launch sees (built by wx-api.ts). */
export type WxObject = Record<string, (...args: unknown[]) => unknown>;

function clone<T>(v: T): T {
  return v === undefined ? v : JSON.parse(JSON.stringify(v));
}

export class AppInstance {
  alive = true;
  visible = false;
  appDef: AppDefinition | undefined;
  readonly timers = new Set<NodeJS.Timeout>();
  readonly requests = new Set<{ abort(): void }>();
  readonly listeners: Record<string, Listener[]> = {
    appShow: [], appHide: [], error: [], unhandledRejection: [], networkStatusChange: [], pageNotFound: [],
  };
  launchOptions!: EnterOptions;
  enterOptions!: EnterOptions;
  readonly wx: WxObject;
  readonly components: ComponentRegistry;
  readonly router: Router;
  readonly input: Input;
  /** the console the app's code sees (framework messages such as a missing component go there too, as in WeChat) */
  readonly console: Record<string, (...a: unknown[]) => void>;
  private readonly loader: ModuleLoader;
  private readonly scope: Scope;

  constructor(readonly sim: Simulation) {
    this.components = new ComponentRegistry(this);
    this.router = new Router(this);
    this.input = new Input(this);
    this.wx = createWx(this);
    this.console = sim.makeConsole();
    this.scope = {
      wx: this.wx,
      App: (def: unknown) => this.registerApp(def),
      Page: (def: unknown) => this.components.registerPage(def),
      Component: (def: unknown) => this.components.registerComponent(def),
      Behavior: (def: Record<string, unknown>) => jComponent().behavior(def),
      getApp: () => this.appDef,
      getCurrentPages: () => this.stack.filter((p) => p.alive).map((p) => p.caller),
      requirePlugin: (name: string) => {
        throw new Error(`requirePlugin("${name}"): plugins are not supported by the simulator`);
      },
      console: this.console,
      setTimeout: (fn: Listener, ms?: number, ...args: unknown[]) => this.timer(false, fn, ms, args),
      setInterval: (fn: Listener, ms?: number, ...args: unknown[]) => this.timer(true, fn, ms, args),
      clearTimeout: (t: number) => this.clearTimer(t),
      clearInterval: (t: number) => this.clearTimer(t),
      __sim: sim.controls,
      __wxConfig: { envVersion: 'develop', platform: 'devtools', appLaunchInfo: {} },
    };
    this.loader = new ModuleLoader(sim.project.root, () => this.scope, sim.project.compile);
  }

  /** Runs one of the app's files (path relative to the mini program root) through its `require`. */
  loadModule(relPath: string): unknown {
    return this.loader.load(relPath);
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
  rebuildFunction(source: string): (...args: unknown[]) => unknown {
    const scope = this.evaluationScope();
    let factory: (s: Scope) => unknown;
    try {
      factory = new Function('__scope', `with (__scope) { return (${source}\n); }`) as typeof factory;
    } catch {
      // method shorthand such as `foo() {}` is not an expression
      const name = source.match(/^\s*(?:async\s+)?([\w$]+)/)?.[1];
      factory = new Function('__scope', `with (__scope) { return ({ ${source}\n }).${name}; }`) as typeof factory;
    }
    const fn = factory(scope);
    if (typeof fn !== 'function') throw new Error(`functionDeclaration is not a function: ${source.slice(0, 80)}`);
    return fn as (...args: unknown[]) => unknown;
  }

  // timer ids are numbers, as in WeChat: apps keep them in `data` (setData deep-copies it; a Node Timeout is a
  // linked list of every pending timer)
  private readonly timerIds = new Map<number, NodeJS.Timeout>();
  private timerSeq = 0;

  private timer(repeat: boolean, fn: Listener, ms: number | undefined, args: unknown[]): number {
    if (typeof fn !== 'function') throw new TypeError('setTimeout/setInterval expects a function');
    const id = ++this.timerSeq;
    const run = () => {
      if (!repeat) {
        this.timers.delete(handle);
        this.timerIds.delete(id);
      }
      if (this.alive) this.guard(() => fn(...args), 'timer callback');
    };
    const handle = repeat ? setInterval(run, ms) : setTimeout(run, ms);
    this.timers.add(handle);
    this.timerIds.set(id, handle);
    return id;
  }

  private clearTimer(id: number) {
    const handle = this.timerIds.get(id);
    if (!handle) return;
    clearTimeout(handle);
    this.timers.delete(handle);
    this.timerIds.delete(id);
  }

  /** Runs app code, reporting (not propagating) what it throws, and what a returned promise rejects with. */
  guard<T>(fn: () => T, where: string): T | undefined {
    try {
      const r = fn();
      const p = r as unknown as Promise<unknown> | undefined;
      if (p && typeof p.then === 'function') {
        p.then(undefined, (err: unknown) => this.sim.reportException(err, `${where} (async)`, this));
      }
      return r;
    } catch (err) {
      this.sim.reportException(err, where, this);
      return undefined;
    }
  }

  /** Calls target[name](...args) if it is a function, as a guarded lifecycle callback. */
  hook(target: unknown, name: string, args: unknown[] = []): void {
    const fn = target && (target as Record<string, unknown>)[name];
    if (typeof fn === 'function') this.guard(() => fn.apply(target, args), name);
  }

  // ---- launch, show, hide ------------------------------------------------------------------------------

  private registerApp(def: unknown) {
    if (this.appDef) throw new Error('App() may be called only once');
    this.appDef = def && typeof def === 'object' ? (def as AppDefinition) : {};
  }

  async launch(options: EnterOptions): Promise<void> {
    this.launchOptions = clone(options);
    // an app.js that throws is reported and the app goes on without it, as in WeChat (getApp() is then undefined)
    this.guard(() => this.loadModule('app.js'), 'app.js');
    this.hook(this.appDef, 'onLaunch', [clone(options)]);
    this.showNow(options, false);
    this.router.openFirstPage(options.path, options.query);
  }

  private showNow(options: EnterOptions, withPage: boolean) {
    this.visible = true;
    this.enterOptions = clone(options);
    this.hook(this.appDef, 'onShow', [clone(options)]);
    for (const l of [...this.listeners.appShow]) this.guard(() => l(clone(options)), 'onAppShow listener');
    if (withPage) this.router.pageShow(this.top());
    this.router.syncScreen();
  }

  hide(): void {
    if (!this.visible) return;
    this.visible = false;
    this.hook(this.appDef, 'onHide');
    this.router.pageHide(this.top());
    for (const l of [...this.listeners.appHide]) this.guard(() => l({}), 'onAppHide listener');
    this.router.syncScreen();
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
    this.router.disposeAll();
  }

  // ---- what wx-api.ts and the protocol reach through the app ------------------------------------------

  get stack(): PageInstance[] {
    return this.router.stack;
  }

  top(): PageInstance | undefined {
    return this.router.top();
  }

  /** Every live page: the stack and the tab pages kept alive off it (hidden since a switchTab). */
  livePages(): PageInstance[] {
    return this.router.livePages();
  }

  route(kind: string, opts: { url?: unknown; delta?: unknown }): void {
    this.router.route(kind, opts);
  }

  inUserTap(): boolean {
    return this.input.inUserTap();
  }

  userTap(fn: () => void): void {
    this.input.userTap(fn);
  }

  tap(node: ExElement, touch?: { x: number; y: number }): void {
    this.input.tap(node, touch);
  }

  dispatch(node: ExElement, type: string, detail: unknown, extra?: DispatchOptions): void {
    this.input.dispatch(node, type, detail, extra);
  }

  /** Leaves for another mini program; resolves once the app is back in the foreground. */
  jump(jump: MiniProgramJump, handler?: MiniProgramHandler): Promise<void> {
    return jumpToMiniProgram(this, jump, handler);
  }

  forEachComponent(root: ExElement, fn: (n: ExElement) => void): void {
    this.components.forEachComponent(root, fn);
  }
}
