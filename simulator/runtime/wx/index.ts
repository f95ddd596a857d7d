// The `wx` object one app launch sees: every function miniprogram-api-typings declares, defined by domain
// (system, storage, network, route, ui, open, query, media, update, cloud) or, where the simulator has nothing to
// offer, by the behaviour its kind calls for (core.ts). Mocks installed through App.mockWxMethod sit in front,
// with DevTools' semantics. A name the typings do not declare is undefined, as on a phone (`if (wx.x)` works).
import { wxEntry, isSyncApi } from './catalog';
import { WxDefinitions, isCallable, mocked, type AnyFunction, type ApiDef, type WxHost } from './core';
import type { WxObject } from '../app-instance';
import { defineSystem } from './system';
import { defineStorage } from './storage';
import { defineNetwork } from './network';
import { defineRoute } from './route';
import { defineUi } from './ui';
import { defineOpen } from './open';
import { defineQuery } from './query';
import { defineMedia } from './media';
import { defineUpdate } from './update';
import { defineCloud } from './cloud';
import { defineSkyline } from './skyline';
import { defineFiles } from './files';
import { defineHardware } from './hardware';
import { trackApp } from './rejections';

export { isSyncApi } from './catalog';
export type { WxHost } from './core';
export { instanceApi } from './instance';
export { setInitialTheme } from './device';

const DEFINITIONS = Symbol('wx definitions');

export function createWx(app: WxHost): WxObject {
  const sim = app.sim;
  trackApp(app);
  const d = new WxDefinitions(app);
  for (const define of [defineSystem, defineStorage, defineNetwork, defineRoute, defineUi, defineOpen, defineQuery, defineMedia, defineUpdate, defineCloud, defineSkyline, defineFiles, defineHardware]) define(d);
  d.fillFromCatalog();
  const impl: Record<string, unknown> = {};
  for (const [name, def] of d.defs) impl[name] = def.value;
  Object.defineProperty(impl, DEFINITIONS, { value: d.defs });

  return new Proxy(impl, {
    get(target, prop) {
      if (prop === DEFINITIONS) return Reflect.get(target, prop);
      if (typeof prop !== 'string') return undefined;
      const mock = sim.mocks.get(prop);
      if (mock) return mocked(app, prop, mock, target[prop] as AnyFunction | undefined, isSyncApi(prop));
      return target[prop];
    },
    has(target, prop) {
      return typeof prop === 'string' && (prop in target || sim.mocks.has(prop));
    },
  }) as WxObject;
}

/** What each wx member is (supported / stubbed / unsupported, with a note): the conformance table's source. */
export function describeWx(wx: WxObject): Map<string, Omit<ApiDef, 'value'>> {
  const defs = Reflect.get(wx, DEFINITIONS) as Map<string, ApiDef>;
  return new Map([...defs].map(([name, { status, note }]) => [name, { status, note }]));
}

/**
 * App.callWxMethod as DevTools does it: an async API is called with success/fail callbacks (so task-returning
 * APIs such as request answer too) and resolves with what success receives, or rejects with what fail receives;
 * a sync API returns its value.
 */
export async function callWxForResult(wx: WxObject, method: string, args: unknown[]): Promise<unknown> {
  const fn: unknown = wx[method];
  if (!isCallable(fn)) throw new Error(`wx.${method} is not a function${wxEntry(method) ? '' : ' (miniprogram-api-typings declares no such API)'}`);
  if (isSyncApi(method)) {
    const v = fn(...args);
    return v && typeof (v as PromiseLike<unknown>).then === 'function' ? await v : v;
  }
  const opts = args[0] && typeof args[0] === 'object' ? { ...(args[0] as object) } : {};
  return new Promise((resolve, reject) => {
    fn({ ...opts, success: resolve, fail: reject });
  });
}
