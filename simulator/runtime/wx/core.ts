// How a wx function behaves, whatever it does: async APIs answer through success/fail/complete (always
// asynchronously) or a promise, with errMsg "<api>:ok" / "<api>:fail ..."; listeners register on the app; every
// definition says whether the simulator does what a phone does (supported), accepts the call without the device
// effect (stubbed), or cannot do it (unsupported: "<api>:fail not supported in the simulator").
import type { AppInstance, Mock } from '../simulation';
import { RouteError, ApiFailure, fail } from '../errors';
import { CATALOG, wxEntry, type ObjectShape } from './catalog';
import { ownRejection, wxPromise } from './rejections';

export type WxHost = AppInstance;
/** What app code passed a wx API as its options: an object of its own making, read field by field. */
export type WxOptions = Record<string, unknown>;
/** A function the simulator calls without knowing its parameters: an app's callback or listener, a wx function. */
export type Impl = (...args: unknown[]) => unknown;
/** Any function at all, whatever its parameters (a definition's value, a mocked method's origin). */
export type AnyFunction = (...args: never[]) => unknown;

export function isCallable(v: unknown): v is Impl {
  return typeof v === 'function';
}

/** `errMsg` of a result or reason, whatever it holds (undefined for a primitive or nullish value). */
function errMsgOf(v: unknown): unknown {
  return (v as { errMsg?: unknown } | null | undefined)?.errMsg;
}

export type Status = 'supported' | 'stubbed' | 'unsupported';

export interface ApiDef {
  status: Status;
  /** why it is stubbed or unsupported, or what "supported" means here (shown in the conformance table) */
  note?: string;
  /** a function, or for wx.cloud / wx.env / wx.router / wx.worklet the object itself */
  value: unknown;
}

export const NOT_SUPPORTED = 'not supported in the simulator';

export function failResult(name: string, err: unknown): { errMsg: string } & Record<string, unknown> {
  if (err instanceof ApiFailure) return { errMsg: `${name}:fail ${err.errMsg}` };
  if (err instanceof RouteError) return { errMsg: `${name}:fail ${err.message}` };
  if (err && typeof err === 'object' && typeof errMsgOf(err) === 'string') {
    const e = err as { errMsg: string };
    return { ...(err as object), errMsg: e.errMsg.startsWith(`${name}:`) ? e.errMsg : `${name}:fail ${e.errMsg}` };
  }
  if (err && typeof err === 'object' && typeof (err as Error).message === 'string') return { errMsg: `${name}:fail ${(err as Error).message}` };
  return { errMsg: `${name}:fail ${String(err)}` };
}

function hasCallbacks(o: unknown): boolean {
  return !!o && typeof o === 'object' && ['success', 'fail', 'complete'].some((k) => typeof (o as WxOptions)[k] === 'function');
}

export interface SettleOptions {
  /** what the call returns (RequestTask...); such APIs are never promisified */
  task?: unknown;
  /** whether a call without callbacks returns a promise (default: the catalog's answer, true for unknown names) */
  promise?: boolean;
}

/**
 * Runs an async API. `run` starts right away (so checks such as the tap rule see the caller's turn); its outcome
 * is delivered asynchronously through callbacks, or through the returned promise when the caller gave none and the
 * API is promisified.
 */
export function settle(app: WxHost, name: string, opts: unknown, run: () => unknown, options: SettleOptions = {}): unknown {
  const task = options.task;
  const o: WxOptions = opts && typeof opts === 'object' ? (opts as WxOptions) : {};
  let started: Promise<unknown>;
  try {
    started = Promise.resolve(run());
  } catch (err) {
    started = Promise.reject(err);
  }
  const outcome = started.then(
    (res) => ({ ok: true, res: { ...(res && typeof res === 'object' ? res : {}), errMsg: errMsgOf(res) ?? `${name}:ok` } }),
    (err) => ({ ok: false, res: failResult(name, err) }),
  );
  const entry = wxEntry(name);
  const promisified = options.promise ?? (task === undefined && (entry ? !!entry.promise : true));
  if (hasCallbacks(o) || !promisified) {
    void outcome.then(({ ok, res }) => {
      if (!app.alive) return;
      // each callback is read when it is due and called as a method of the options object
      const success = o.success;
      if (ok && isCallable(success)) app.guard(() => success.call(o, res), `${name} success callback`);
      const failed = o.fail;
      if (!ok && isCallable(failed)) app.guard(() => failed.call(o, res), `${name} fail callback`);
      const complete = o.complete;
      if (isCallable(complete)) app.guard(() => complete.call(o, res), `${name} complete callback`);
    });
    return task;
  }
  return wxPromise(app, (resolve, reject) => {
    void outcome.then(({ ok, res }) => {
      if (!app.alive) return; // a killed app never hears back
      if (ok) resolve(res);
      else {
        ownRejection(app, res);
        reject(res);
      }
    });
  });
}

/** The listener list for an event ("themeChange"), created on first use. */
export function listenersOf(app: WxHost, key: string): Impl[] {
  return (app.listeners[key] ??= []);
}

/** Calls every listener of `key` with `arg`, each guarded. */
export function emit(app: WxHost, key: string, arg: unknown): void {
  for (const l of [...listenersOf(app, key)]) app.guard(() => l(arg), `${key} listener`);
}

export function listenerPair(app: WxHost, key: string): [Impl, Impl] {
  return [
    (fn: unknown) => {
      if (isCallable(fn)) listenersOf(app, key).push(fn);
    },
    (fn?: unknown) => {
      const list = listenersOf(app, key);
      if (fn === undefined) list.length = 0;
      else if (list.indexOf(fn as Impl) >= 0) list.splice(list.indexOf(fn as Impl), 1);
    },
  ];
}

/** "onThemeChange" / "offThemeChange" -> "themeChange" */
export function eventKey(name: string): string {
  const rest = name.replace(/^(on|off)/, '');
  return rest.charAt(0).toLowerCase() + rest.slice(1);
}

/** Builds the definitions of one app's wx object; domain modules add to it. */
export class WxDefinitions {
  readonly defs = new Map<string, ApiDef>();
  private readonly warned = new Set<string>();

  constructor(readonly app: WxHost) {}

  private set(name: string, def: ApiDef, as?: 'async' | 'sync') {
    // a definition must keep the calling convention the typings give the function (a programming error otherwise)
    const kind = wxEntry(name)?.kind;
    if (as === 'async' && kind && kind !== 'async') throw new Error(`wx.${name} is ${kind} in the typings but defined as async`);
    if (as === 'sync' && kind === 'async') throw new Error(`wx.${name} is async in the typings but defined as sync`);
    this.defs.set(name, def);
  }

  /** An async API: `body` returns the result (or a promise of it), or throws/calls fail() to fail it. */
  async(name: string, status: Status, body: (opts: WxOptions) => unknown, note?: string): void {
    const app = this.app;
    this.set(name, { status, note, value: (opts?: unknown) => settle(app, name, opts, () => body(opts && typeof opts === 'object' ? (opts as WxOptions) : {})) }, 'async');
  }

  /** A sync API; an ApiFailure thrown by `fn` becomes Error("<name>:fail <reason>"), as WeChat throws. */
  sync<A extends unknown[]>(name: string, status: Status, fn: (...args: A) => unknown, note?: string): void {
    this.set(name, {
      status,
      note,
      value: (...args: A) => {
        try {
          return fn(...args);
        } catch (err) {
          if (err instanceof ApiFailure) throw new Error(`${name}:fail ${err.errMsg}`);
          throw err;
        }
      },
    }, 'sync');
  }

  /** A function with its own calling convention (request returns its task...). */
  raw(name: string, status: Status, fn: AnyFunction, note?: string): void {
    this.set(name, { status, note, value: fn });
  }

  /** wx.onX / wx.offX on the app's listener list "x"; `fires` says when the simulator calls them. */
  listener(onName: string, status: Status, note?: string): void {
    const key = eventKey(onName);
    const [on, off] = listenerPair(this.app, key);
    this.set(onName, { status, note, value: on });
    const offName = onName.replace(/^on/, 'off');
    if (wxEntry(offName)) this.set(offName, { status, note, value: off });
  }

  value(name: string, status: Status, value: unknown, note?: string): void {
    this.set(name, { status, note, value });
  }

  has(name: string): boolean {
    return this.defs.has(name);
  }

  /** Every catalog function not defined by a domain module gets the behaviour its kind calls for. */
  fillFromCatalog(): void {
    for (const [name, entry] of Object.entries(CATALOG.functions)) {
      if (this.defs.has(name)) continue;
      switch (entry.kind) {
        case 'listener':
          if (name.startsWith('on')) this.listener(name, 'stubbed', 'accepts the listener; the event never happens in the simulator');
          else if (!wxEntry(`on${name.slice(3)}`)) this.listener(`on${name.slice(3)}`, 'stubbed');
          break;
        case 'async':
          this.unsupportedAsync(name);
          break;
        case 'factory':
        case 'object': {
          const obj = softObject(this.app, name, entry.returns);
          this.set(name, entry.kind === 'object'
            ? { status: 'stubbed', note: 'an object whose methods exist and do nothing', value: obj }
            : { status: 'stubbed', note: `returns a ${entry.returns ?? 'object'} whose methods exist and do nothing (no device behind it)`, value: () => softObject(this.app, name, entry.returns) });
          break;
        }
        default:
          this.set(name, {
            status: 'unsupported',
            value: () => {
              this.warn(name);
              throw new Error(`${name}:fail ${NOT_SUPPORTED}`);
            },
          });
      }
    }
  }

  /** fail/complete and a rejected promise with "<name>:fail not supported in the simulator" */
  unsupportedAsync(name: string, note?: string): void {
    const app = this.app;
    const entry = wxEntry(name);
    this.set(name, {
      status: 'unsupported',
      note,
      value: (opts?: unknown) => {
        this.warn(name);
        const task = entry?.returns ? softObject(app, name, entry.returns) : undefined;
        return settle(app, name, opts, () => fail(NOT_SUPPORTED), { task });
      },
    });
  }

  warn(name: string): void {
    if (this.warned.has(name)) return;
    this.warned.add(name);
    this.app.sim.log(`wx.${name} is not supported in the simulator: it fails with "${name}:fail ${NOT_SUPPORTED}" (mock it with miniProgram.mockWxMethod('${name}', ...))`);
  }
}

/**
 * An object of a typings interface (VideoContext, InnerAudioContext, Worker...) with no device behind it: every
 * method exists; on/off register listeners that never fire; methods that take callbacks fail them softly; methods
 * that return another such object return one; properties are plain and writable.
 */
export function softObject(app: WxHost, owner: string, shapeName: string | undefined, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const shape: ObjectShape | undefined = shapeName ? CATALOG.objects[shapeName] : undefined;
  const obj: Record<string, unknown> = {};
  const listeners: Record<string, Impl[]> = {};
  for (const prop of shape?.properties ?? []) obj[prop] = undefined;
  for (const [method, m] of Object.entries(shape?.methods ?? {})) {
    if (/^on[A-Z]/.test(method)) {
      obj[method] = (fn: unknown) => void (isCallable(fn) && (listeners[method] ??= []).push(fn));
    } else if (/^off[A-Z]/.test(method)) {
      obj[method] = (fn?: unknown) => {
        const list = listeners[`on${method.slice(3)}`];
        if (!list) return;
        if (fn === undefined) list.length = 0;
        else if (list.includes(fn as Impl)) list.splice(list.indexOf(fn as Impl), 1);
      };
    } else if (m.async) {
      const label = `${shapeName}.${method}`;
      obj[method] = (opts?: unknown) => settle(app, label, opts, () => fail(NOT_SUPPORTED));
    } else if (m.returns && m.returns === shapeName) {
      obj[method] = () => obj; // chainable
    } else if (m.returns && CATALOG.objects[m.returns]) {
      const ret = m.returns;
      obj[method] = () => softObject(app, owner, ret);
    } else {
      // callbacks in an options object still hear back, softly: WeChat's contexts answer fail when the device
      // cannot act
      const label = `${shapeName ?? owner}.${method}`;
      obj[method] = (opts?: unknown) => {
        if (hasCallbacks(opts)) settle(app, label, opts, () => fail(NOT_SUPPORTED), { promise: false });
        return undefined;
      };
    }
  }
  return Object.assign(obj, overrides);
}

/**
 * DevTools' mock semantics: the mock runs with `this.origin` = the real method; for an async API it gets the
 * caller's options without callbacks plus the mock's own args, and the call succeeds when the result's errMsg
 * says "<api>:ok" (a result without errMsg counts as success). The mock runs in the caller's turn, so
 * `this.origin(...)` still sees a user tap.
 */
export function mocked(app: WxHost, name: string, mock: Mock, origin: AnyFunction | undefined, sync: boolean): Impl {
  const ctx = { origin: origin ?? (() => { throw new Error(`${name}:fail ${NOT_SUPPORTED}`); }) };
  if (sync) return (...args: unknown[]) => mock.fn.call(ctx, ...args, ...mock.args);
  return (opts?: unknown) => {
    const o: WxOptions = opts && typeof opts === 'object' ? (opts as WxOptions) : {};
    const rest: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) if (k !== 'success' && k !== 'fail' && k !== 'complete') rest[k] = v;
    return settle(app, name, o, async () => {
      let res: unknown;
      try {
        res = await mock.fn.call(ctx, rest, ...mock.args);
      } catch (err) {
        if (err && typeof err === 'object' && 'errMsg' in err) res = err;
        else throw err;
      }
      const errMsg = errMsgOf(res);
      if (res && typeof res === 'object' && typeof errMsg === 'string' && !errMsg.includes(`${name}:ok`)) throw res;
      return res ?? {};
    });
  };
}

/** What permissive() gives: every property is another one; it can be called and constructed. */
export type Permissive = { [key: string]: Permissive } & ((...args: unknown[]) => Permissive) & (new (...args: unknown[]) => Permissive);

/**
 * Anything at all: every property is another one, it can be called and extended (`class A extends it`), and it
 * reads as 0 in arithmetic. For APIs whose objects exist only to drive a renderer the simulator does not have.
 */
export function permissive(): Permissive {
  const target = function () {} as unknown as object;
  const props = new Map<string, unknown>();
  return new Proxy(target, {
    get(t, p) {
      if (p === 'prototype') return (t as { prototype: unknown }).prototype;
      if (p === Symbol.toPrimitive) return () => 0;
      if (typeof p === 'symbol' || p === 'then' || p === 'toJSON') return undefined;
      if (!props.has(p)) props.set(p, permissive());
      return props.get(p);
    },
    set(_t, p, value) {
      if (typeof p === 'string') props.set(p, value);
      return true;
    },
    apply: () => permissive(),
    construct: (t, args, newTarget) => Reflect.construct(t as new () => object, args, newTarget),
  }) as Permissive;
}

export function clone<T>(v: T): T {
  return v === undefined ? v : JSON.parse(JSON.stringify(v));
}
