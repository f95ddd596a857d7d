// An unhandled rejection in the app (a wx call that fails with nobody listening, a promise the app's code rejects
// and never catches) is, on a phone, something the app hears through wx.onUnhandledRejection /
// App.onUnhandledRejection and DevTools prints in its console; it never stops the app. Here the app runs inside the
// simulator's Node process, where it would end the process. So unhandled rejections are handed to the app they
// belong to: the one whose wx call rejected with that reason (derived promises reject with the same object), the
// one whose files the error's stack goes through, or the only app running. Anything else keeps Node's behaviour.
import type { WxHost } from './core';

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
  if (!app.alive) return;
  const text = describe(reason);
  app.sim.log(`unhandled promise rejection in the app: ${text}`);
  app.sim.makeConsole().error(`Uncaught (in promise) ${text}`);
  const res = { reason, promise };
  for (const l of [...(app.listeners.unhandledRejection ?? [])]) app.guard(() => l(res), 'onUnhandledRejection listener');
  app.hook(app.appDef, 'onUnhandledRejection', [res]);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('unhandledRejection', onUnhandled);
}

/** An app launch whose unhandled rejections are its own from now on. */
export function trackApp(app: WxHost): void {
  running.add(app);
  install();
}

/** Remembers that `reason` is what a wx call of `app` rejected with. */
export function ownRejection(app: WxHost, reason: object): void {
  owners.set(reason, app);
  install();
}
