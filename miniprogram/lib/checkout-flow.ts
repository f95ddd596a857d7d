// The checkout page's state machine. The page forwards lifecycle and taps here and setData()s the patches this
// emits; everything else (order, jump, return, confirmation) is decided here, with ports passed in. What the page
// shows for a state is lib/checkout-view.ts; what the payer reads about a problem is lib/messages.ts.
import type { CreateOrderResponse } from '../../typings/api';
import { ApiError, type ApiClient } from './api';
import { createCancelSource, type CancelSource } from './cancel';
import { composeView, initialView, type CheckoutView, type Phase } from './checkout-view';
import type { ConfirmProgress, ConfirmResult, Confirmer } from './confirmer';
import { DEFAULT_SKU, PROVIDER_APP_IDS } from './config';
import type { Connectivity } from './connectivity';
import { jumpToProvider, navigatorTarget, type JumpFailure, type NavigatorTarget } from './jump';
import { messageForError, type MessageKey } from './messages';
import type { PendingOrder, PendingStore } from './pending-store';
import type { Clock, NavigatePort, WxError } from './ports';
import type { ProviderReturn, ReturnWatcher } from './return-watcher';
import type { ThemeSource } from './theme';
import type { Visibility } from './visibility';

export { initialView, type CheckoutView, type Phase };

export interface CheckoutFlowDeps {
  api: ApiClient;
  confirmer: Confirmer;
  pending: PendingStore;
  watcher: ReturnWatcher;
  navigate: NavigatePort;
  visibility?: Visibility;
  connectivity?: Connectivity;
  theme?: ThemeSource;
  clock: Clock;
  /** the order this launch found unfinished in storage, handed to the first checkout page only (see runtime.ts) */
  takeResumable?: () => PendingOrder | null;
  /** this version must not talk to its backend (a development build running as trial/release) */
  configProblem?: string;
  /** where developers read what went wrong (English, errMsgs, codes); never the page */
  log?: (line: string) => void;
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

/** Order-creation problems that end by themselves once the network is back: retried then without a tap. */
const RETRY_ON_RECONNECT: readonly MessageKey[] = ['order.offline', 'order.unreachable', 'order.timeout'];

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

export function createCheckoutFlow(deps: CheckoutFlowDeps): CheckoutFlow {
  const { api, confirmer, pending, watcher, navigate, clock } = deps;
  const log = deps.log || ((line: string) => console.warn(line));
  let view = initialView();
  let sku = DEFAULT_SKU;
  let order: Order | null = null;
  /** what the card shows: the order, or the last one (after the backend disowned it, or while a new one loads) */
  let shown: { body: string; totalFee: number } | null = null;
  let message: MessageKey | null = null;
  let payjsOrderId: string | undefined;
  /** where a cancelled jump goes back to */
  let payablePhase: 'ready' | 'unpaid' = 'ready';
  let loadRun = 0;
  let confirmation: CancelSource | null = null;
  const subscriptions: (() => void)[] = [];
  let unloaded = false;

  function render(next: CheckoutView) {
    if (unloaded) return;
    const patch: Partial<CheckoutView> = {};
    let changed = false;
    for (const key of Object.keys(next) as (keyof CheckoutView)[]) {
      if (JSON.stringify(view[key]) !== JSON.stringify(next[key])) {
        (patch as Record<string, unknown>)[key] = next[key];
        changed = true;
      }
    }
    if (!changed) return;
    view = next;
    deps.render(patch);
  }

  const redraw = () =>
    render(
      composeView({
        phase: view.phase,
        order: shown,
        hasOrder: !!order,
        message,
        fallback: view.fallback,
        theme: deps.theme ? deps.theme.current : 'light',
      }),
    );

  function enter(phase: Phase, extra: { message?: MessageKey | null; fallback?: NavigatorTarget | null } = {}) {
    message = extra.message || null;
    render(
      composeView({
        phase,
        order: shown,
        hasOrder: !!order,
        message,
        fallback: extra.fallback || null,
        theme: deps.theme ? deps.theme.current : 'light',
      }),
    );
  }

  /** A problem for the payer (from the message table) and its details for developers. */
  function problem(phase: Phase, key: MessageKey, detail: string) {
    log(`[checkout] ${key}: ${detail}`);
    enter(phase, { message: key });
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
        shown = { body: order.body, totalFee: order.totalFee };
        enter('ready');
      },
      (err: unknown) => {
        if (unloaded || run !== loadRun) return;
        const error = err instanceof ApiError ? err : new ApiError('network', String(err));
        problem('load-error', messageForError(error, 'order'), error.message);
      },
    );
  }

  function jump(allowed: readonly Phase[]) {
    // one jump per tap: a second tap while the first is in flight (or the fallback is up) does nothing
    if (!order || allowed.indexOf(view.phase) < 0) return;
    const current = order;
    // the backend names the target; the app only ever opens the pay mini programs it was built for
    if (PROVIDER_APP_IDS.indexOf(current.provider.appId) < 0) {
      problem('blocked', 'jump.not_allowed', `the backend named ${current.provider.appId}, which is not in PROVIDER_APP_IDS`);
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
    if (kind === 'cancel') enter(payablePhase, { message: 'jump.cancelled' });
    else problem(payablePhase, 'jump.refused', `navigateToMiniProgram failed: ${err.errMsg}`);
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
    const live = () => !source.signal.aborted && !unloaded && order === current;
    // While the backend cannot be reached the confirmer keeps retrying, but the user must not be left without a
    // button: show the problem with 我已支付，重新查询 and 重新支付 until an answer comes through again.
    const onProgress = (progress: ConfirmProgress) => {
      if (!live()) return;
      if (progress.state === 'retrying') {
        const key = messageForError(progress.error, 'check');
        if (view.phase === 'confirming' || (view.phase === 'check-error' && message !== key)) problem('check-error', key, progress.error.message);
      } else if (view.phase === 'check-error') {
        enter('confirming');
      }
    };
    confirmer
      .confirm(
        { outTradeNo: current.outTradeNo, orderToken: current.orderToken },
        { signal: source.signal, visibility: deps.visibility, connectivity: deps.connectivity, payjsOrderId, onProgress },
      )
      .then(
        (result) => {
          if (!live()) return;
          confirmation = null;
          onVerdict(current, result);
        },
        (err: unknown) => {
          if (!live()) return;
          confirmation = null;
          problem('check-error', 'check.stopped', `the confirmer failed: ${String(err)}`);
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
        if (result.lastError) problem('check-error', 'check.stopped', result.lastError.message);
        else enter('unpaid', { message: 'confirm.timeout' });
        return;
      case 'rejected':
        // the backend does not know this order/token: nothing left to confirm, a new order is the way out
        pending.settle(current.outTradeNo, 'unknown-order');
        watcher.forget(current.outTradeNo);
        order = null;
        problem('check-error', 'check.order_not_found', result.error.message);
        return;
      case 'cancelled':
        return;
    }
  }

  /** The network came back (WeChat says so): whatever was waiting for it goes on without a tap. */
  function onNetwork(online: boolean) {
    if (!online || unloaded) return;
    if (view.phase === 'load-error' && message && RETRY_ON_RECONNECT.indexOf(message) >= 0) loadOrder();
    else if (view.phase === 'check-error' && !confirmation && order) startConfirm();
  }

  return {
    start(query = {}) {
      if (deps.theme) subscriptions.push(deps.theme.onChange(redraw));
      if (deps.configProblem) {
        problem('blocked', 'app.misconfigured', `checkout disabled: ${deps.configProblem}`);
        return;
      }
      if (deps.connectivity) subscriptions.push(deps.connectivity.onChange(onNetwork));
      if (query.sku) sku = query.sku;
      // a return WeChat reported before this page existed (cold start, scene 1038) is delivered on subscribing
      const stored = deps.takeResumable ? deps.takeResumable() : null;
      if (stored) {
        order = stored;
        shown = { body: stored.body, totalFee: stored.totalFee };
        payjsOrderId = stored.payjsOrderId;
        payablePhase = 'unpaid';
        subscriptions.push(watcher.subscribe(onReturn));
        if (view.phase !== 'confirming') startConfirm();
        return;
      }
      subscriptions.push(watcher.subscribe(onReturn));
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
      if (/:fail cancel\b/.test(err.errMsg || '')) enter(payablePhase, { message: 'jump.cancelled' });
      else problem(payablePhase, 'jump.refused', `<navigator target="miniProgram"> failed: ${err.errMsg}`);
    },
    unload() {
      unloaded = true;
      if (confirmation) confirmation.cancel();
      confirmation = null;
      for (const off of subscriptions.splice(0)) off();
    },
    view: () => view,
  };
}
