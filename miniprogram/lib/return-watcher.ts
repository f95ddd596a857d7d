// The one place that decides "the user just came back from the pay mini program".
//
// A return is fresh only while a jump is outstanding (armed just before navigateToMiniProgram, or from the stored
// pending order on launch) and is consumed by the first show that matches. That is what makes it safe against
// Android's stale referrerInfo on later onShows, against App.onShow and wx.onAppShow both reporting one show, and
// against a stale 1038 from getEnterOptionsSync. Returns are published to subscribers; one published before anyone
// subscribed (cold start: App.onShow runs before the page loads) is held for the first subscriber, so the order in
// which App.onShow and the page's onShow run does not matter.
import type { ProviderReturnData } from '../../typings/provider';
import type { ShowOptions } from './ports';
import { SCENE_BACK_FROM_MINIPROGRAM } from './config';

export interface OutstandingJump {
  outTradeNo: string;
  appId: string;
}

export interface ProviderReturn {
  outTradeNo: string;
  appId: string;
  /** false when WeChat gave no referrerInfo or an empty extraData: the back key or capsule, still a return */
  hasExtraData: boolean;
  /** display hints only: never proof of payment */
  hint: ProviderReturnData;
  at: number;
}

export type ReturnListener = (ret: ProviderReturn) => void;

export interface ReturnWatcher {
  expect(jump: OutstandingJump): void;
  /** the jump did not happen (cancel, refused): stop waiting for its return */
  forget(outTradeNo: string): void;
  outstanding(): OutstandingJump | null;
  /** feed every App.onShow / wx.onAppShow here; true when it was a fresh provider return */
  handleShow(options: ShowOptions | undefined): boolean;
  subscribe(listener: ReturnListener): () => void;
}

function pickHint(extraData: Record<string, unknown> | undefined): ProviderReturnData {
  const hint: ProviderReturnData = {};
  if (!extraData) return hint;
  if (typeof extraData.success === 'boolean') hint.success = extraData.success;
  if (typeof extraData.resultCode === 'string' || typeof extraData.resultCode === 'number') hint.resultCode = extraData.resultCode;
  if (typeof extraData.msg === 'string') hint.msg = extraData.msg.slice(0, 64);
  // only an id shaped like one is passed on to the backend
  if (typeof extraData.payjsOrderId === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(extraData.payjsOrderId)) hint.payjsOrderId = extraData.payjsOrderId;
  return hint;
}

export interface ReturnWatcherDeps {
  now: () => number;
  /** sees every accepted return without taking it from the subscribers (App keeps globalData with it) */
  observe?: ReturnListener;
}

export function createReturnWatcher(deps: ReturnWatcherDeps): ReturnWatcher {
  let armed: OutstandingJump | null = null;
  let held: ProviderReturn | null = null;
  const listeners = new Set<ReturnListener>();

  function publish(ret: ProviderReturn) {
    if (deps.observe) deps.observe(ret);
    if (listeners.size === 0) {
      held = ret;
      return;
    }
    for (const listener of Array.from(listeners)) listener(ret);
  }

  return {
    expect(jump) {
      armed = { outTradeNo: jump.outTradeNo, appId: jump.appId };
    },
    forget(outTradeNo) {
      if (armed && armed.outTradeNo === outTradeNo) armed = null;
    },
    outstanding: () => armed,
    handleShow(options) {
      if (!options || options.scene !== SCENE_BACK_FROM_MINIPROGRAM || !armed) return false;
      const referrer = options.referrerInfo;
      // WeChat may omit referrerInfo (or its appId) altogether: still a return. But an appId that is there must be
      // the provider's, exactly: another mini program's, an empty string or a non-string is not ours.
      if (referrer && referrer.appId !== undefined && referrer.appId !== armed.appId) return false;
      const extraData = referrer && referrer.extraData;
      const ret: ProviderReturn = {
        outTradeNo: armed.outTradeNo,
        appId: armed.appId,
        hasExtraData: !!extraData && Object.keys(extraData).length > 0,
        hint: pickHint(extraData),
        at: deps.now(),
      };
      armed = null;
      publish(ret);
      return true;
    },
    subscribe(listener) {
      listeners.add(listener);
      if (held) {
        const ret = held;
        held = null;
        listener(ret);
      }
      return () => {
        listeners.delete(listener);
      };
    },
  };
}
