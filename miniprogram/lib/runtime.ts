// The app's services, built once from the host's ports. app.ts builds this at module load (before App() runs), so
// a page never finds it missing whatever order WeChat runs App.onLaunch/onShow and the page's lifecycle in.
import type { ProviderReturnData } from '../../typings/provider';
import { createApiClient, type ApiClient } from './api';
import { createCheckoutFlow, type CheckoutFlow, type CheckoutView } from './checkout-flow';
import { createConfirmer, type Confirmer } from './confirmer';
import type { ConfirmConfig } from './config';
import { createPendingStore, type PendingStore } from './pending-store';
import type { Clock, NavigatePort, RequestPort, ShowOptions, StoragePort } from './ports';
import { createReturnWatcher, type ProviderReturn, type ReturnWatcher } from './return-watcher';
import { createVisibility, type VisibilityController } from './visibility';

export type WxPort = RequestPort & StoragePort & NavigatePort;

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

export function createAppRuntime(deps: RuntimeDeps): AppRuntime {
  const { wx, clock } = deps;
  const api = createApiClient({ request: wx, baseUrl: deps.baseUrl });
  const confirmer = createConfirmer({ api, clock, config: deps.confirmConfig, random: deps.random });
  const pending = createPendingStore(wx);
  const globalData = deps.globalData;
  const watcher = createReturnWatcher({
    now: () => clock.now(),
    observe: globalData ? (ret) => recordReturn(globalData, ret) : undefined,
  });
  const visibility = createVisibility();

  // A stored pending order means a jump may still be outstanding: WeChat may have killed the app while the user
  // was paying, and this launch (scene 1038 or not) is how the user comes back.
  // Resuming is per launch: the first checkout page of this launch takes the stored order; a later page (the user
  // starts over, reLaunch) creates a new order, and the stored one is replaced at that order's jump.
  let resumable = pending.load();
  if (resumable) watcher.expect({ outTradeNo: resumable.outTradeNo, appId: resumable.provider.appId });
  const takeResumable = () => {
    const taken = resumable ? pending.load() : null;
    resumable = null;
    return taken;
  };

  return {
    api,
    confirmer,
    pending,
    watcher,
    visibility,
    onShow(options) {
      visibility.show();
      watcher.handleShow(options);
    },
    onHide() {
      visibility.hide();
    },
    createCheckoutFlow(render) {
      return createCheckoutFlow({ api, confirmer, pending, watcher, navigate: wx, visibility, clock, render, takeResumable });
    },
  };
}
