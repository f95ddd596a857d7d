// The checkout page's state machine. The page forwards lifecycle and taps here and setData()s the patches this
// emits; everything else (order, jump, return, confirmation) is decided here, with ports passed in.
import type { CreateOrderResponse } from '../../typings/api';
import { ApiError, type ApiClient } from './api';
import { createCancelSource, type CancelSource } from './cancel';
import type { ConfirmProgress, ConfirmResult, Confirmer } from './confirmer';
import { DEFAULT_SKU, PROVIDER_APP_IDS } from './config';
import { jumpToProvider, navigatorTarget, type JumpFailure, type NavigatorTarget } from './jump';
import { formatFen } from './money';
import type { PendingOrder, PendingStore } from './pending-store';
import type { Clock, NavigatePort, WxError } from './ports';
import type { ProviderReturn, ReturnWatcher } from './return-watcher';
import type { Visibility } from './visibility';

export type Phase =
  | 'loading'
  | 'load-error'
  | 'ready'
  | 'jumping'
  | 'fallback'
  | 'awaiting-return'
  | 'confirming'
  | 'paid'
  | 'unpaid'
  | 'failed'
  | 'expired'
  | 'check-error';

/** Exactly what the WXML shows: nothing else goes through setData. */
export interface CheckoutView {
  phase: Phase;
  statusText: string;
  title: string;
  amountText: string;
  payEnabled: boolean;
  showPay: boolean;
  showRecheck: boolean;
  showRepay: boolean;
  showRetry: boolean;
  retryText: string;
  errorText: string;
  busy: boolean;
  fallback: NavigatorTarget | null;
}

export const STATUS_TEXT: Readonly<Record<Phase, string>> = {
  loading: '正在创建订单…',
  'load-error': '订单创建失败',
  ready: '待支付',
  jumping: '正在打开支付…',
  fallback: '请点击「前往支付」完成支付',
  'awaiting-return': '等待支付结果…',
  confirming: '正在确认支付结果…',
  paid: '支付成功',
  unpaid: '尚未支付',
  failed: '支付失败',
  expired: '订单已过期',
  'check-error': '暂时无法确认支付结果',
};

export function initialView(): CheckoutView {
  return {
    phase: 'loading',
    statusText: STATUS_TEXT.loading,
    title: '',
    amountText: '',
    payEnabled: false,
    showPay: true,
    showRecheck: false,
    showRepay: false,
    showRetry: false,
    retryText: '重试',
    errorText: '',
    busy: true,
    fallback: null,
  };
}

export interface CheckoutFlowDeps {
  api: ApiClient;
  confirmer: Confirmer;
  pending: PendingStore;
  watcher: ReturnWatcher;
  navigate: NavigatePort;
  visibility?: Visibility;
  clock: Clock;
  /** the order this launch found unfinished in storage, handed to the first checkout page only (see runtime.ts) */
  takeResumable?: () => PendingOrder | null;
  /** this version must not talk to its backend (a development build running as trial/release) */
  configProblem?: string;
  render(patch: Partial<CheckoutView>): void;
}

export interface CheckoutFlow {
  start(query?: { sku?: string }): void;
  tapPay(): void;
  tapRepay(): void;
  tapRecheck(): void;
  tapRetry(): void;
  fallbackSuccess(): void;
  fallbackFail(err: WxError): void;
  unload(): void;
  view(): CheckoutView;
}

/** Phases whose button may start a jump; any other (jumping, fallback, confirming, final) ignores the tap. */
const PAYABLE: readonly Phase[] = ['ready'];
const REPAYABLE: readonly Phase[] = ['unpaid', 'awaiting-return', 'check-error'];

type Order = Omit<PendingOrder, 'jumpedAt'>;

function toOrder(res: CreateOrderResponse): Order {
  return {
    outTradeNo: res.outTradeNo,
    orderToken: res.orderToken,
    totalFee: res.totalFee,
    body: res.body,
    expiresAt: res.expiresAt,
    payParams: res.payParams,
    provider: res.provider,
  };
}

/** What the user reads when WeChat would not open the pay mini program; WeChat's own errMsg goes to the console. */
function friendlyJumpError(err: WxError): string {
  console.warn('navigateToMiniProgram failed:', err.errMsg);
  return '无法打开支付小程序，请重试';
}

export function createCheckoutFlow(deps: CheckoutFlowDeps): CheckoutFlow {
  const { api, confirmer, pending, watcher, navigate, clock } = deps;
  let view = initialView();
  let sku = DEFAULT_SKU;
  let order: Order | null = null;
  let payjsOrderId: string | undefined;
  /** where a cancelled jump goes back to */
  let payablePhase: 'ready' | 'unpaid' = 'ready';
  let loadRun = 0;
  let confirmation: CancelSource | null = null;
  let unsubscribe: (() => void) | null = null;
  let unloaded = false;

  function render(next: Partial<CheckoutView>) {
    if (unloaded) return;
    const patch: Partial<CheckoutView> = {};
    let changed = false;
    for (const key of Object.keys(next) as (keyof CheckoutView)[]) {
      if (view[key] !== next[key]) {
        (patch as Record<string, unknown>)[key] = next[key];
        changed = true;
      }
    }
    if (!changed) return;
    view = { ...view, ...patch };
    deps.render(patch);
  }

  /** Every phase decides every flag, so no stale button survives a transition. */
  function enter(phase: Phase, extra: { errorText?: string; fallback?: NavigatorTarget | null; retryText?: string } = {}) {
    const hasOrder = !!order;
    render({
      phase,
      statusText: STATUS_TEXT[phase],
      title: order ? order.body : view.title,
      amountText: order ? formatFen(order.totalFee) : view.amountText,
      showPay: phase === 'loading' || phase === 'ready' || phase === 'jumping',
      payEnabled: phase === 'ready' && hasOrder,
      // a check needs an order: after the backend disowned it only 重新下单 is left
      showRecheck: (phase === 'unpaid' || phase === 'awaiting-return' || phase === 'check-error') && hasOrder,
      // 重新支付: the same order again while it may still be paid, a new order once it is failed or expired
      showRepay: ((phase === 'unpaid' || phase === 'awaiting-return' || phase === 'check-error') && hasOrder) || phase === 'failed' || phase === 'expired',
      showRetry: phase === 'load-error' || (phase === 'check-error' && !hasOrder),
      retryText: extra.retryText || (phase === 'load-error' ? '重试' : '重新下单'),
      errorText: extra.errorText || '',
      busy: phase === 'loading' || phase === 'jumping' || phase === 'confirming',
      fallback: phase === 'fallback' ? extra.fallback || null : null,
    });
  }

  function loadOrder() {
    const run = ++loadRun;
    order = null;
    payjsOrderId = undefined;
    payablePhase = 'ready';
    enter('loading');
    api.createOrder(sku).then(
      (res) => {
        if (unloaded || run !== loadRun) return;
        order = toOrder(res);
        enter('ready');
      },
      (err: unknown) => {
        if (unloaded || run !== loadRun) return;
        enter('load-error', { errorText: err instanceof ApiError ? err.message : '未知错误' });
      },
    );
  }

  function jump(allowed: readonly Phase[]) {
    // one jump per tap: a second tap while the first is in flight (or the fallback is up) does nothing
    if (!order || allowed.indexOf(view.phase) < 0) return;
    const current = order;
    // the backend names the target; the app only ever opens the pay mini programs it was built for
    if (PROVIDER_APP_IDS.indexOf(current.provider.appId) < 0) {
      enter(payablePhase, { errorText: '支付服务配置有误，请联系商家' });
      return;
    }
    // 重新支付 while a confirmation runs: that confirmation is for the jump being replaced
    if (confirmation) confirmation.cancel();
    confirmation = null;
    // storage first (sync), so a kill while the user pays loses nothing; then the call, in this same turn
    pending.save({ ...current, payjsOrderId, jumpedAt: clock.now() });
    watcher.expect({ outTradeNo: current.outTradeNo, appId: current.provider.appId });
    enter('jumping');
    jumpToProvider(navigate, current.provider, current.payParams, {
      success: () => {
        if (order === current && view.phase === 'jumping') enter('awaiting-return');
      },
      fail: (kind, err) => {
        if (order !== current || view.phase !== 'jumping') return;
        onJumpFailed(current, kind, err);
      },
    });
  }

  function onJumpFailed(current: Order, kind: JumpFailure, err: WxError) {
    if (kind === 'tap-rule') {
      // the navigator component is a tap by nature; the return is still awaited for this order
      enter('fallback', { fallback: navigatorTarget(current.provider, current.payParams) });
      return;
    }
    watcher.forget(current.outTradeNo);
    if (kind === 'cancel') enter(payablePhase);
    else enter(payablePhase, { errorText: friendlyJumpError(err) });
  }

  function onReturn(ret: ProviderReturn) {
    if (!order || ret.outTradeNo !== order.outTradeNo) return;
    const learnedOrderId = !!ret.hint.payjsOrderId && ret.hint.payjsOrderId !== payjsOrderId;
    if (learnedOrderId) {
      payjsOrderId = ret.hint.payjsOrderId;
      pending.update(order.outTradeNo, { payjsOrderId });
    }
    // ret.hint.success is deliberately ignored: only the backend says paid. A running confirmation is restarted only
    // to hand the backend a provider order id it did not have (it lets the backend ask the provider).
    if (view.phase !== 'confirming' || learnedOrderId) startConfirm();
  }

  function startConfirm() {
    if (!order) return;
    if (confirmation) confirmation.cancel();
    const current = order;
    const source = createCancelSource();
    confirmation = source;
    // from the first check on, the user may have paid: a cancelled 重新支付 comes back to 尚未支付, not 待支付
    payablePhase = 'unpaid';
    enter('confirming');
    // While the backend cannot be reached the confirmer keeps retrying, but the user must not be left without a
    // button: show the error with 我已支付，重新查询 and 重新支付 until an answer comes through again.
    const onProgress = (progress: ConfirmProgress) => {
      if (source.signal.aborted || unloaded || order !== current) return;
      if (progress.state === 'retrying' && view.phase === 'confirming') {
        enter('check-error', { errorText: `${progress.error.message}，正在自动重试` });
      } else if (progress.state === 'waiting' && view.phase === 'check-error') {
        enter('confirming');
      }
    };
    confirmer
      .confirm(
        { outTradeNo: current.outTradeNo, orderToken: current.orderToken },
        { signal: source.signal, visibility: deps.visibility, payjsOrderId, onProgress },
      )
      .then(
        (result) => {
          if (source.signal.aborted || unloaded || order !== current) return;
          confirmation = null;
          onVerdict(current, result);
        },
        () => {
          if (source.signal.aborted || unloaded || order !== current) return;
          confirmation = null;
          enter('check-error', { errorText: '查询出错，请重新查询' });
        },
      );
  }

  function onVerdict(current: Order, result: ConfirmResult) {
    switch (result.outcome) {
      case 'final':
        pending.settle(current.outTradeNo, result.status);
        watcher.forget(current.outTradeNo);
        enter(result.status);
        return;
      case 'timeout':
        payablePhase = 'unpaid';
        if (result.lastError) enter('check-error', { errorText: result.lastError.message });
        else enter('unpaid');
        return;
      case 'rejected':
        // the backend does not know this order/token: nothing left to confirm, a new order is the way out
        pending.settle(current.outTradeNo, 'unknown-order');
        watcher.forget(current.outTradeNo);
        order = null;
        enter('check-error', { errorText: result.error.message });
        return;
      case 'cancelled':
        return;
    }
  }

  return {
    start(query = {}) {
      if (deps.configProblem) {
        console.error(`checkout disabled: ${deps.configProblem}`);
        enter('load-error', { errorText: '支付服务配置有误，请联系商家' });
        return;
      }
      if (query.sku) sku = query.sku;
      const stored = deps.takeResumable ? deps.takeResumable() : null;
      if (stored) {
        order = stored;
        payjsOrderId = stored.payjsOrderId;
        payablePhase = 'unpaid';
        // a return WeChat reported before this page existed (cold start, scene 1038) is delivered right here
        unsubscribe = watcher.subscribe(onReturn);
        if (view.phase !== 'confirming') startConfirm();
        return;
      }
      unsubscribe = watcher.subscribe(onReturn);
      loadOrder();
    },
    tapPay: () => jump(PAYABLE),
    tapRepay() {
      // a failed or expired order cannot be paid again: 重新支付 starts over with a new one
      if (view.phase === 'failed' || view.phase === 'expired') loadOrder();
      else jump(REPAYABLE);
    },
    tapRecheck() {
      if (view.phase === 'unpaid' || view.phase === 'awaiting-return' || view.phase === 'check-error') startConfirm();
    },
    tapRetry() {
      if (view.showRetry) loadOrder();
    },
    fallbackSuccess() {
      if (view.phase === 'fallback') enter('awaiting-return');
    },
    fallbackFail(err) {
      if (view.phase !== 'fallback' || !order) return;
      watcher.forget(order.outTradeNo);
      enter(payablePhase, { errorText: /:fail cancel\b/.test(err.errMsg || '') ? '' : friendlyJumpError(err) });
    },
    unload() {
      unloaded = true;
      if (confirmation) confirmation.cancel();
      confirmation = null;
      if (unsubscribe) unsubscribe();
      unsubscribe = null;
    },
    view: () => view,
  };
}
