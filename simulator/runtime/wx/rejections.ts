// An unhandled rejection in the app (a wx call that fails with nobody listening, a promise the app's code rejects
// and never catches) is, on a phone, something the app hears through wx.onUnhandledRejection /
// App.onUnhandledRejection and DevTools prints in its console; it never stops the app. Here the app runs inside the
// simulator's Node process, where it would end the process (or fail a jest test). So:
// - a wx promise is a WxPromise: Node never sees it unhandled; if the app never looked at it (no then, no await)
//   when it rejects, the app's own onUnhandledRejection hears it;
// - any other unhandled rejection goes to the app it belongs to: the one whose wx call rejected with that reason
//   (derived promises reject with the same object), the one whose files the error's stack goes through, or the only
//   app running. Anything else keeps Node's behaviour.
import type { WxHost } from './core';
import { exparser } from '../dom-env';
import { composedParent } from '../tree';

const owners = new WeakMap<object, WxHost>();
const running = new Set<WxHost>();
let installed = false;

function ownerOf(reason: unknown): WxHost | undefined {
  for (const app of running) if (!app.alive) running.delete(app);
  const owned = reason && typeof reason === 'object' ? owners.get(reason) : undefined;
  if (owned) return owned;
  const stack = reason && typeof reason === 'object' && typeof (reason as Error).stack === 'string' ? (reason as Error).stack! : '';
  const byStack = [...running].find((app) => stack.includes(app.sim.project.root) || stack.includes(app.sim.project.sourceRoot));
  if (byStack) return byStack;
  return running.size === 1 ? [...running][0] : undefined;
}

function describe(reason: unknown): string {
  if (reason && typeof reason === 'object') {
    if (typeof (reason as { errMsg?: unknown }).errMsg === 'string') return (reason as { errMsg: string }).errMsg;
    if (typeof (reason as Error).stack === 'string') return (reason as Error).stack!;
  }
  return String(reason);
}

function onUnhandled(reason: unknown, promise: Promise<unknown>): void {
  const app = ownerOf(reason);
  if (!app) {
    // only this handler is listening: do what Node does without one
    if (process.listenerCount('unhandledRejection') === 1) throw reason;
    return;
  }
  reportUnhandled(app, reason, promise);
}

/** What WeChat does with an unhandled rejection: the console, wx.onUnhandledRejection, App.onUnhandledRejection. */
export function reportUnhandled(app: WxHost, reason: unknown, promise: Promise<unknown>): void {
  if (!app.alive) return;
  const text = describe(reason);
  app.sim.log(`unhandled promise rejection in the app: ${text}`);
  app.sim.makeConsole().error(`Uncaught (in promise) ${text}`);
  const res = { reason, promise };
  for (const l of [...(app.listeners.unhandledRejection ?? [])]) app.guard(() => l(res), 'onUnhandledRejection listener');
  app.hook(app.appDef, 'onUnhandledRejection', [res]);
}

/** The running app whose page holds `element`, or the only app running. */
function appOfElement(element: unknown): WxHost | undefined {
  for (const app of running) if (!app.alive) running.delete(app);
  let root = element as Parameters<typeof composedParent>[0] | undefined;
  for (let p = root && composedParent(root); p; p = composedParent(p)) root = p;
  const owner = [...running].find((app) => app.livePages().some((page) => page.node === root));
  return owner ?? (running.size === 1 ? [...running][0] : undefined);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('unhandledRejection', onUnhandled);
  // exparser catches what a component's lifetimes, observers and relations throw and prints it to stderr; WeChat
  // reports those as the app's errors: hand them to the app (exception event, App.onError...) instead
  const ex = exparser() as unknown as { addGlobalErrorListener(fn: (err: unknown, info: { message?: string; element?: unknown }) => boolean): void };
  ex.addGlobalErrorListener((err, info) => {
    const app = appOfElement(info?.element);
    if (!app) return true;
    app.sim.reportException(err, (info?.message ?? 'component').replace(/^\[Exparser\] \[Error\] \[Component\] /, ''), app);
    return false;
  });
}

/** An app launch whose unhandled rejections are its own from now on. */
export function trackApp(app: WxHost): void {
  running.add(app);
  install();
}

/** A promise a wx API returns: `observed` once anyone called then/catch/finally on it or awaited it. */
class WxPromise<T> extends Promise<T> {
  observed = false;

  // then() of a WxPromise makes ordinary promises: only the promise wx hands out is watched
  static override get [Symbol.species](): PromiseConstructor {
    return Promise;
  }

  override then<A = T, B = never>(onFulfilled?: ((v: T) => A | PromiseLike<A>) | null, onRejected?: ((r: unknown) => B | PromiseLike<B>) | null): Promise<A | B> {
    this.observed = true;
    return super.then(onFulfilled, onRejected);
  }
}

/**
 * The promise an async wx API returns when called without callbacks. Its rejection never reaches Node as unhandled;
 * if the app has not looked at the promise by then, its onUnhandledRejection hears it, as on a phone.
 */
export function wxPromise<T>(app: WxHost, executor: (resolve: (v: T) => void, reject: (reason: unknown) => void) => void): Promise<T> {
  let promise: WxPromise<T>;
  // eslint-disable-next-line prefer-const -- assigned by the constructor call below, read in the callbacks
  promise = new WxPromise<T>((resolve, reject) => {
    executor(resolve, (reason) => {
      // handled as far as Node is concerned (an await or a then of the app is an observation of its own)
      Promise.prototype.then.call(promise, undefined, () => undefined);
      reject(reason);
      setImmediate(() => {
        if (!promise.observed) reportUnhandled(app, reason, promise);
      });
    });
  });
  return promise;
}

/** Remembers that `reason` is what a wx call of `app` rejected with. */
export function ownRejection(app: WxHost, reason: object): void {
  owners.set(reason, app);
  install();
}
