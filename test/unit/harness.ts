// Runs the real miniprogram/app.ts and pages/checkout/checkout.ts against the fake wx: App() and Page() register
// their definitions, and this drives them the way WeChat does (App.onLaunch/onShow, page onLoad/onShow/onUnload,
// wx.onAppShow/onAppHide, setData merging into data).
import type { CheckoutView } from '../../miniprogram/lib/checkout-flow';
import type { ShowOptions } from '../../miniprogram/lib/ports';
import { createFakeBackend, createFakeWx, type FakeBackend, type FakeWx } from '../fixtures/fake-wx';
import { PENDING_ORDERS_KEY, storedOrders, type PendingOrder } from '../../miniprogram/lib/pending-store';

type Def = Record<string, unknown> & { data?: Record<string, unknown> };
type Handler = (...args: unknown[]) => unknown;

export interface PageInstance {
  data: CheckoutView;
  patches: Partial<CheckoutView>[];
  call(method: string, ...args: unknown[]): unknown;
}

export interface MiniProgram {
  fake: FakeWx;
  backend: FakeBackend;
  app: Def & { globalData: Record<string, unknown> };
  openCheckout(query?: Record<string, string>): PageInstance;
  unload(page: PageInstance): void;
  /** the user taps: the handler runs inside a tap's synchronous turn */
  tap(page: PageInstance, method: string, ...args: unknown[]): void;
}

const g = globalThis as unknown as Record<string, unknown>;

/**
 * What the app wrote to the console (the developer's details: errMsgs, codes, HTTP statuses), collected per test
 * instead of printed, so tests can check that the details went there and not to the page.
 */
export const consoleWarnings: string[] = [];
let warnSpy: jest.SpyInstance | undefined;
beforeEach(() => {
  consoleWarnings.length = 0;
  warnSpy = jest.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => {
    consoleWarnings.push(args.map(String).join(' '));
  });
});
afterEach(() => warnSpy?.mockRestore());

export const PROVIDER_APP_ID = 'wx959c8c1fb2d89988';

/**
 * A cold start: fresh JS context (module registry), the given storage carried over, App.onLaunch + App.onShow with
 * the launch options.
 */
export function launch(opts: { launch?: ShowOptions; fake?: FakeWx; backend?: FakeBackend } = {}): MiniProgram {
  const backend = opts.backend || createFakeBackend();
  const fake = opts.fake || createFakeWx({ handler: backend.handler });
  let appDef: Def | undefined;
  let pageDef: Def | undefined;
  g.wx = fake.wx;
  g.App = (def: Def) => {
    appDef = def;
  };
  g.getApp = () => appDef;
  g.Page = (def: Def) => {
    pageDef = def;
  };
  jest.isolateModules(() => {
    require('../../miniprogram/app');
    require('../../miniprogram/pages/checkout/checkout');
  });
  if (!appDef || !pageDef) throw new Error('app.ts or checkout.ts did not register');
  const app = appDef as MiniProgram['app'];
  const page = pageDef;
  const launchOptions: ShowOptions = opts.launch || { scene: 1001, path: 'pages/checkout/checkout', query: {} };
  // WeChat delivers each show to both App.onShow and wx.onAppShow listeners
  fake.wx.onAppShow((o) => (app.onShow as Handler).call(app, o));
  fake.wx.onAppHide(() => (app.onHide as Handler).call(app));
  if (typeof app.onLaunch === 'function') (app.onLaunch as Handler).call(app, launchOptions);
  (app.onShow as Handler).call(app, launchOptions);

  return {
    fake,
    backend,
    app,
    openCheckout(query = {}) {
      const instance: Record<string, unknown> = Object.create(page);
      const data = JSON.parse(JSON.stringify(page.data)) as CheckoutView;
      const patches: Partial<CheckoutView>[] = [];
      instance.data = data;
      instance.setData = (patch: Partial<CheckoutView>) => {
        patches.push(patch);
        Object.assign(data, JSON.parse(JSON.stringify(patch)));
      };
      const pageInstance: PageInstance = {
        data,
        patches,
        call: (method, ...args) => (instance[method] as Handler).apply(instance, args),
      };
      (instance.onLoad as Handler).call(instance, query);
      if (typeof instance.onShow === 'function') (instance.onShow as Handler).call(instance);
      (pageInstance as unknown as { instance: unknown }).instance = instance;
      return pageInstance;
    },
    unload(p) {
      p.call('onUnload');
    },
    tap(p, method, ...args) {
      fake.tap(() => p.call(method, ...args));
    },
  };
}

/** Let promise callbacks and (fake) timers up to `ms` run. */
export async function settle(ms = 0): Promise<void> {
  await jest.advanceTimersByTimeAsync(ms);
}

export function returnFromProvider(extraData?: Record<string, unknown>, appId = PROVIDER_APP_ID): ShowOptions {
  return { scene: 1038, path: 'pages/checkout/checkout', query: {}, referrerInfo: extraData === undefined ? { appId } : { appId, extraData } };
}

export const checkCalls = (backend: FakeBackend) => backend.checks.length;

/** The order as the app stored it on the phone (the pending-order record), by outTradeNo. */
export function storedOrder(mp: MiniProgram, outTradeNo: string): PendingOrder {
  const stored = storedOrders(mp.fake.wx.getStorageSync(PENDING_ORDERS_KEY)).find((o) => o.outTradeNo === outTradeNo);
  if (!stored) throw new Error(`no stored order ${outTradeNo}`);
  return stored;
}

/** Every order the app keeps on the phone, the most recent jump first. */
export function storedOrderList(mp: MiniProgram): PendingOrder[] {
  return storedOrders(mp.fake.wx.getStorageSync(PENDING_ORDERS_KEY));
}
