// The app's services, built once from the host's ports. app.ts builds this at module load (before App() runs), so
// a page never finds it missing whatever order WeChat runs App.onLaunch/onShow and the page's lifecycle in.
import type { ProviderReturnData } from '../../typings/provider';
import { ApiError, createApiClient, type ApiClient } from './api';
import { createCheckoutFlow, type CheckoutFlow, type CheckoutView } from './checkout-flow';
import { createConfirmer, type Confirmer } from './confirmer';
import { ORDER_NOT_FOUND_CODE, type ConfirmConfig } from './config';
import { createPendingStore, isStale, type PendingOrder, type PendingStore } from './pending-store';
import { createConnectivity, type Connectivity, type NetworkPort } from './connectivity';
import type { Clock, NavigatePort, RequestPort, ShowOptions, StoragePort } from './ports';
import { createReturnWatcher, type ProviderReturn, type ReturnWatcher } from './return-watcher';
import { createThemeSource, type ThemePort, type ThemeSource } from './theme';
import { createVisibility, type VisibilityController } from './visibility';

/** What the app needs of `wx`; the network and theme APIs are used where the host has them. */
export type WxPort = RequestPort & StoragePort & NavigatePort & NetworkPort & ThemePort;

/** The fields the providers' documentation keeps in globalData (display hints; never proof of payment). */
export interface PayGlobalData {
  paySuccess: boolean;
  resultCode: string | number;
  msg: string;
  payjsOrderId: string;
}

export function initialGlobalData(): PayGlobalData {
  return { paySuccess: false, resultCode: 'WAITING', msg: '等待支付', payjsOrderId: '' };
}

export interface AppRuntime {
  api: ApiClient;
  confirmer: Confirmer;
  pending: PendingStore;
  watcher: ReturnWatcher;
  visibility: VisibilityController;
  connectivity: Connectivity;
  theme: ThemeSource;
  /** App.onLaunch / App.onShow / wx.onAppShow */
  onShow(options: ShowOptions | undefined): void;
  /** App.onHide / wx.onAppHide */
  onHide(): void;
  createCheckoutFlow(render: (patch: Partial<CheckoutView>) => void): CheckoutFlow;
}

export interface RuntimeDeps {
  wx: WxPort;
  clock: Clock;
  baseUrl: string;
  /** set when this version must not talk to its backend (lib/config.ts resolveBackend): every page says so */
  configProblem?: string;
  /** the provider's return, as the documentation's App.onShow stores it */
  globalData?: PayGlobalData;
  confirmConfig?: Partial<ConfirmConfig>;
  random?: () => number;
}

function recordReturn(globalData: PayGlobalData, ret: ProviderReturn) {
  const hint: ProviderReturnData = ret.hint;
  globalData.paySuccess = hint.success === true;
  globalData.resultCode = hint.resultCode !== undefined ? hint.resultCode : '';
  globalData.msg = hint.msg || '';
  globalData.payjsOrderId = hint.payjsOrderId || '';
}

function checkOnce(api: ApiClient, pending: PendingStore, order: PendingOrder, dropAfter: boolean): void {
  const body = { outTradeNo: order.outTradeNo, orderToken: order.orderToken, waitMs: 0 };
  api.checkPay(order.payjsOrderId ? { ...body, payjsOrderId: order.payjsOrderId } : body).then(
    (verdict) => {
      if (verdict.status !== 'pending') pending.settle(order.outTradeNo, verdict.status);
      if (dropAfter) pending.remove(order.outTradeNo);
    },
    (err: unknown) => {
      if (err instanceof ApiError && err.code === ORDER_NOT_FOUND_CODE) pending.settle(order.outTradeNo, 'unknown-order');
      if (dropAfter) pending.remove(order.outTradeNo);
    },
  );
}

export function createAppRuntime(deps: RuntimeDeps): AppRuntime {
  const { wx, clock } = deps;
  const connectivity = createConnectivity(wx);
  const theme = createThemeSource(wx);
  const api = createApiClient({ request: wx, baseUrl: deps.baseUrl, connectivity });
  const confirmer = createConfirmer({ api, clock, config: deps.confirmConfig, random: deps.random });
  const pending = createPendingStore(wx);
  const globalData = deps.globalData;
  const watcher = createReturnWatcher({
    now: () => clock.now(),
    observe: globalData ? (ret) => recordReturn(globalData, ret) : undefined,
  });
  const visibility = createVisibility();

  // A stored unsettled order means a jump may still be outstanding: WeChat may have killed the app while the user
  // was paying, and this launch (scene 1038 or not) is how the user comes back. The one to resume is the most recent
  // jump (a 1038 return belongs to it). Resuming is per launch: the first checkout page of this launch takes it; a
  // later page (the user starts over, reLaunch) creates a new order, stored beside it.
  const wallNow = clock.now();
  // a version that must not talk to its backend resumes nothing and checks nothing
  const unsettled = deps.configProblem ? [] : pending.unsettled();
  const fresh = unsettled.filter((order) => !isStale(order, wallNow));
  let resumable: PendingOrder | null = fresh[0] || null;
  if (resumable) watcher.expect({ outTradeNo: resumable.outTradeNo, appId: resumable.provider.appId });
  const takeResumable = () => {
    const taken = resumable ? pending.get(resumable.outTradeNo) : null;
    resumable = null;
    return taken && !taken.settled ? taken : null;
  };
  // Every other unsettled order gets one check without waiting: a final verdict settles it. One long past its expiry
  // is dropped after that check, whatever it answered: it is never resumed, and the backend keeps the record anyway.
  for (const order of unsettled) {
    if (order === resumable) continue;
    checkOnce(api, pending, order, isStale(order, wallNow));
  }

  return {
    api,
    confirmer,
    pending,
    watcher,
    visibility,
    connectivity,
    theme,
    onShow(options) {
      visibility.show();
      watcher.handleShow(options);
    },
    onHide() {
      visibility.hide();
    },
    createCheckoutFlow(render) {
      return createCheckoutFlow({
        api,
        confirmer,
        pending,
        watcher,
        navigate: wx,
        visibility,
        connectivity,
        theme,
        clock,
        render,
        takeResumable,
        configProblem: deps.configProblem,
      });
    },
  };
}
