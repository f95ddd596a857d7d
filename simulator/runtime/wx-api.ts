// The `wx` object one app launch sees. Async APIs follow WeChat: callbacks when any of success/fail/complete is
// given (always called asynchronously), a promise otherwise; results carry `errMsg` "<api>:ok" or "<api>:fail ...".
// Mocks installed through App.mockWxMethod sit in front of the real implementation, with DevTools' semantics.
/* eslint-disable @typescript-eslint/no-explicit-any */
import type { AppInstance, Mock } from './simulation';
import { RouteError, ApiFailure, fail } from './errors';
import { request } from './request';
import { SDK_VERSION } from './types';

export type WxHost = AppInstance;

type Impl = (...args: any[]) => any;


const SYNC_APIS = new Set(['canIUse', 'nextTick', 'reportAnalytics', 'getUpdateManager', 'createSelectorQuery', 'getRealtimeLogManager', 'getLogManager', 'reportMonitor']);

export function isSyncApi(name: string): boolean {
  return name.endsWith('Sync') || /^(on|off|create)[A-Z]/.test(name) || SYNC_APIS.has(name);
}

function failResult(name: string, err: unknown): { errMsg: string } & Record<string, unknown> {
  if (err instanceof ApiFailure) return { errMsg: `${name}:fail ${err.errMsg}` };
  if (err instanceof RouteError) return { errMsg: `${name}:fail ${err.message}` };
  if (err && typeof err === 'object' && typeof (err as any).errMsg === 'string') {
    const e = err as { errMsg: string };
    return { ...(err as object), errMsg: e.errMsg.startsWith(`${name}:`) ? e.errMsg : `${name}:fail ${e.errMsg}` };
  }
  if (err && typeof err === 'object' && typeof (err as Error).message === 'string') return { errMsg: `${name}:fail ${(err as Error).message}` };
  return { errMsg: `${name}:fail ${String(err)}` };
}

/**
 * Runs an async API. `run` starts right away (so checks such as the tap rule see the caller's turn), its outcome
 * is delivered asynchronously through callbacks or the returned promise. `task` is what a callback-style call
 * returns (RequestTask).
 */
function settle(app: WxHost, name: string, opts: any, run: () => any, task?: unknown): any {
  const o = opts && typeof opts === 'object' ? opts : {};
  const hasCallbacks = ['success', 'fail', 'complete'].some((k) => typeof o[k] === 'function');
  let started: Promise<any>;
  try {
    started = Promise.resolve(run());
  } catch (err) {
    started = Promise.reject(err);
  }
  const outcome = started.then(
    (res) => ({ ok: true, res: { ...(res && typeof res === 'object' ? res : {}), errMsg: res?.errMsg ?? `${name}:ok` } }),
    (err) => ({ ok: false, res: failResult(name, err) }),
  );
  if (hasCallbacks) {
    void outcome.then(({ ok, res }) => {
      if (!app.alive) return;
      if (ok && typeof o.success === 'function') app.guard(() => o.success(res), `${name} success callback`);
      if (!ok && typeof o.fail === 'function') app.guard(() => o.fail(res), `${name} fail callback`);
      if (typeof o.complete === 'function') app.guard(() => o.complete(res), `${name} complete callback`);
    });
    return task;
  }
  return new Promise((resolve, reject) => {
    void outcome.then(({ ok, res }) => {
      if (!app.alive) return; // a killed app never hears back
      if (ok) resolve(res);
      else reject(res);
    });
  });
}

function listenerPair(app: WxHost, key: string): [Impl, Impl] {
  return [
    (fn: any) => {
      if (typeof fn === 'function') app.listeners[key].push(fn);
    },
    (fn?: any) => {
      const list = app.listeners[key];
      if (fn === undefined) list.length = 0;
      else if (list.indexOf(fn) >= 0) list.splice(list.indexOf(fn), 1);
    },
  ];
}

function storageKey(name: string, key: unknown): string {
  if (typeof key !== 'string') {
    fail(`parameter error: parameter.key should be String instead of ${key === undefined ? 'Undefined' : typeof key};`);
  }
  return key;
}

function systemInfo() {
  return {
    brand: 'devtools', model: 'iPhone 12/13 (Pro)', pixelRatio: 3, screenWidth: 390, screenHeight: 844,
    windowWidth: 390, windowHeight: 844, statusBarHeight: 47, language: 'zh_CN', version: '8.0.5',
    system: 'iOS 15.0', platform: 'devtools', fontSizeSetting: 16, SDKVersion: SDK_VERSION, benchmarkLevel: 1,
    safeArea: { top: 47, left: 0, right: 390, bottom: 810, width: 390, height: 763 }, theme: 'light',
    enableDebug: false, deviceOrientation: 'portrait', host: { env: 'WeChat' },
  };
}

export function createWx(app: WxHost): any {
  const sim = app.sim;
  const impl: Record<string, Impl> = {};
  const asyncApi = (name: string, body: (opts: any) => any) => {
    impl[name] = (opts?: any) => settle(app, name, opts, () => body(opts ?? {}));
  };
  const syncFromAsync = (name: string, fn: (...a: any[]) => any) => {
    impl[name] = (...args: any[]) => {
      try {
        return fn(...args);
      } catch (err) {
        if (err instanceof ApiFailure) throw new Error(`${name}:fail ${err.errMsg}`);
        throw err;
      }
    };
  };

  // ---- storage: survives a cold restart, as on a phone -----------------------------------------------
  const setItem = (name: string, key: unknown, data: unknown) => {
    const k = storageKey(name, key);
    sim.storage.set(k, JSON.stringify(data === undefined ? null : data));
  };
  const getItem = (name: string, key: unknown) => {
    const k = storageKey(name, key);
    const raw = sim.storage.get(k);
    return raw === undefined ? undefined : JSON.parse(raw);
  };
  const info = () => ({
    keys: [...sim.storage.keys()],
    currentSize: Math.ceil([...sim.storage].reduce((n, [k, v]) => n + k.length + v.length, 0) / 1024),
    limitSize: 10240,
  });
  syncFromAsync('setStorageSync', (key, data) => setItem('setStorageSync', key, data));
  syncFromAsync('getStorageSync', (key) => getItem('getStorageSync', key) ?? '');
  syncFromAsync('removeStorageSync', (key) => void sim.storage.delete(storageKey('removeStorageSync', key)));
  syncFromAsync('clearStorageSync', () => sim.storage.clear());
  syncFromAsync('getStorageInfoSync', info);
  asyncApi('setStorage', (o) => void setItem('setStorage', o.key, o.data));
  asyncApi('getStorage', (o) => {
    const v = getItem('getStorage', o.key);
    if (v === undefined) fail('data not found');
    return { data: v };
  });
  asyncApi('removeStorage', (o) => void sim.storage.delete(storageKey('removeStorage', o.key)));
  asyncApi('clearStorage', () => sim.storage.clear());
  asyncApi('getStorageInfo', info);

  // ---- network ----------------------------------------------------------------------------------------
  impl.request = (opts?: any) => {
    const o = opts ?? {};
    sim.requestLog.push({ method: String(o.method ?? 'GET').toUpperCase(), url: String(o.url), at: Date.now() });
    const handle = request(app, o);
    return settle(app, 'request', o, () => handle.result, handle.task);
  };
  asyncApi('getNetworkType', () => ({ networkType: sim.online ? 'wifi' : 'none' }));
  [impl.onNetworkStatusChange, impl.offNetworkStatusChange] = listenerPair(app, 'networkStatusChange');

  // ---- app lifecycle and launch info -----------------------------------------------------------------
  [impl.onAppShow, impl.offAppShow] = listenerPair(app, 'appShow');
  [impl.onAppHide, impl.offAppHide] = listenerPair(app, 'appHide');
  [impl.onError, impl.offError] = listenerPair(app, 'error');
  [impl.onUnhandledRejection, impl.offUnhandledRejection] = listenerPair(app, 'unhandledRejection');
  [impl.onPageNotFound, impl.offPageNotFound] = listenerPair(app, 'pageNotFound');
  impl.getLaunchOptionsSync = () => JSON.parse(JSON.stringify(app.launchOptions));
  impl.getEnterOptionsSync = () => JSON.parse(JSON.stringify(app.enterOptions));
  impl.getAccountInfoSync = () => ({ miniProgram: { appId: sim.project.appId, envVersion: 'develop', version: '' } });
  impl.getSystemInfoSync = () => systemInfo();
  asyncApi('getSystemInfo', () => systemInfo());
  asyncApi('getSystemInfoAsync', () => systemInfo());
  impl.getWindowInfo = () => {
    const s = systemInfo();
    return { pixelRatio: s.pixelRatio, screenWidth: s.screenWidth, screenHeight: s.screenHeight, windowWidth: s.windowWidth, windowHeight: s.windowHeight, statusBarHeight: s.statusBarHeight, safeArea: s.safeArea, screenTop: 0 };
  };
  impl.getDeviceInfo = () => {
    const s = systemInfo();
    return { brand: s.brand, model: s.model, system: s.system, platform: s.platform, benchmarkLevel: 1 };
  };
  impl.getAppBaseInfo = () => ({ SDKVersion: SDK_VERSION, language: 'zh_CN', version: '8.0.5', theme: 'light', enableDebug: false, host: { env: 'WeChat' } });
  impl.canIUse = (schema: unknown) => typeof schema === 'string' && typeof impl[schema.split('.')[0]] === 'function';
  impl.nextTick = (fn: () => void) => void Promise.resolve().then(() => app.alive && app.guard(fn, 'nextTick'));
  impl.reportAnalytics = () => undefined;
  impl.reportMonitor = () => undefined;
  impl.getUpdateManager = () => ({ onCheckForUpdate: () => undefined, onUpdateReady: () => undefined, onUpdateFailed: () => undefined, applyUpdate: () => undefined });
  impl.getRealtimeLogManager = () => ({ info: () => undefined, warn: () => undefined, error: () => undefined, setFilterMsg: () => undefined, addFilterMsg: () => undefined });
  impl.getLogManager = () => ({ log: () => undefined, info: () => undefined, warn: () => undefined, debug: () => undefined });

  // ---- routing ------------------------------------------------------------------------------------------
  for (const name of ['navigateTo', 'redirectTo', 'reLaunch', 'switchTab', 'navigateBack']) {
    impl[name] = (opts?: any) =>
      settle(app, name, opts, async () => {
        // WeChat routes after the current turn; the success callback comes once the new page is ready
        await new Promise((r) => setImmediate(r));
        if (!app.alive) return new Promise(() => undefined);
        app.route(name, opts ?? {});
        return {};
      });
  }
  asyncApi('pageScrollTo', async (o) => {
    const top = app.top();
    if (top) await sim.renderer.pageScrollTo(top, Number(o.scrollTop) || 0);
    return {};
  });
  asyncApi('startPullDownRefresh', () => ({}));
  asyncApi('stopPullDownRefresh', () => ({}));

  // ---- other mini programs --------------------------------------------------------------------------
  impl.navigateToMiniProgram = (opts?: any) => {
    const o = opts ?? {};
    const inTap = app.inUserTap();
    return settle(app, 'navigateToMiniProgram', o, () => {
      if (!inTap) fail('can only be invoked by user TAP gesture');
      if (typeof o.appId !== 'string' || !o.appId) fail('invalid appId: appId should be a non-empty string');
      const jump = { appId: o.appId, path: o.path, extraData: o.extraData, envVersion: o.envVersion };
      // no handler for the appId: DevTools' behaviour (the call succeeds, nothing opens), see jump.ts
      void app.jump(jump, sim.handlers[o.appId]);
      return {};
    });
  };
  asyncApi('navigateBackMiniProgram', () => fail('the app was not opened by another mini program'));
  asyncApi('exitMiniProgram', () => {
    setImmediate(() => app.alive && app.hide());
    return {};
  });

  // ---- interface: recorded for tests; modals wait for an answer ----------------------------------------
  const record = (type: any, options: any) => sim.ui.push({ type, options: JSON.parse(JSON.stringify(options ?? {}, (k, v) => (typeof v === 'function' ? undefined : v))), at: Date.now() });
  asyncApi('showToast', (o) => void record('toast', o));
  asyncApi('hideToast', (o) => void record('hideToast', o));
  asyncApi('showLoading', (o) => void record('loading', o));
  asyncApi('hideLoading', (o) => void record('hideLoading', o));
  asyncApi('setNavigationBarTitle', (o) => void record('navigationBarTitle', o));
  for (const name of ['setNavigationBarColor', 'showNavigationBarLoading', 'hideNavigationBarLoading', 'hideHomeButton', 'vibrateShort', 'vibrateLong', 'setBackgroundColor', 'setBackgroundTextStyle', 'showShareMenu', 'hideShareMenu']) {
    asyncApi(name, () => ({}));
  }
  asyncApi('showModal', (o) => {
    record('modal', o);
    if (sim.modal) fail('another modal is showing');
    return new Promise((resolve) => {
      sim.modal = { options: { ...o, success: undefined, fail: undefined, complete: undefined }, answer: resolve };
    });
  });
  asyncApi('showActionSheet', (o) => {
    record('actionSheet', o);
    fail('cancel');
  });
  let clipboard = '';
  asyncApi('setClipboardData', (o) => {
    clipboard = String(o.data ?? '');
    return {};
  });
  asyncApi('getClipboardData', () => ({ data: clipboard }));
  let loginSeq = 0;
  asyncApi('login', () => ({ code: `sim-code-${++loginSeq}` }));
  asyncApi('checkSession', () => ({}));

  return new Proxy(impl, {
    get(target, prop) {
      if (typeof prop !== 'string') return undefined;
      const mock = sim.mocks.get(prop);
      if (mock) return mocked(app, prop, mock, target[prop]);
      if (prop in target) return target[prop];
      if (prop === 'then' || prop === 'toJSON' || prop === 'constructor') return undefined;
      return unsupported(app, prop);
    },
    has(target, prop) {
      return typeof prop === 'string' && (prop in target || sim.mocks.has(prop));
    },
  });
}

function unsupported(app: WxHost, name: string): Impl {
  return (opts?: any) => {
    const errMsg = `${name}:fail wx.${name} is not supported by the simulator`;
    if (!isSyncApi(name) && opts && typeof opts === 'object' && (typeof opts.fail === 'function' || typeof opts.complete === 'function')) {
      return settle(app, name, opts, () => fail(`wx.${name} is not supported by the simulator`));
    }
    throw new Error(errMsg);
  };
}

/**
 * DevTools' mock semantics: the mock runs with `this.origin` = the real method; for an async API it gets the
 * caller's options without callbacks plus the mock's own args, and the call succeeds when the result's errMsg
 * says "<api>:ok" (a result without errMsg counts as success). The mock runs in the caller's turn, so
 * `this.origin(...)` still sees a user tap.
 */
function mocked(app: WxHost, name: string, mock: Mock, origin: Impl | undefined): Impl {
  const ctx = { origin: origin ?? unsupported(app, name) };
  if (isSyncApi(name)) return (...args: any[]) => mock.fn.call(ctx, ...args, ...mock.args);
  return (opts?: any) => {
    const o = opts && typeof opts === 'object' ? opts : {};
    const rest: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) if (k !== 'success' && k !== 'fail' && k !== 'complete') rest[k] = v;
    return settle(app, name, o, async () => {
      let res: any;
      try {
        res = await mock.fn.call(ctx, rest, ...mock.args);
      } catch (err) {
        if (err && typeof err === 'object' && 'errMsg' in err) res = err;
        else throw err;
      }
      if (res && typeof res === 'object' && typeof res.errMsg === 'string' && !res.errMsg.includes(`${name}:ok`)) throw res;
      return res ?? {};
    });
  };
}
