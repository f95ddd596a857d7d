// Asks the backend for an order's verdict: long-poll (`waitMs`) in a loop under an overall deadline, backoff with
// jitter on failures, paused while the app is hidden, stopped by a cancel signal.
// It never looks at the provider's extraData: the only evidence of payment is the backend's `status: 'paid'`.
//
// While the backend cannot be reached the loop does not give up at the deadline: the page shows the problem and must
// clear it as soon as the backend answers again. So after a failure the next check does not wait (an answer comes at
// once), retries while the backend is unreachable come about once a second (a refused connection costs the backend
// nothing), retries while it answers 5xx/429 back off to 8 s, and while WeChat reports the phone offline nothing is
// sent until the network returns. After maxOutageMs of failures it stops with the last error.
import type { OrderStatus } from '../../typings/api';
import { ApiError, createApiClient, type ApiClient } from './api';
import { createCancelSource, sleep } from './cancel';
import { CONFIRM_DEFAULTS, ORDER_NOT_FOUND_CODE, type ConfirmConfig } from './config';
import type { CancelSignal, Clock, RequestPort } from './ports';
import { whenOnline, type Connectivity } from './connectivity';
import { whenVisible, type Visibility } from './visibility';

export interface ConfirmTarget {
  outTradeNo: string;
  orderToken: string;
}

export type ConfirmResult =
  /** the backend's verdict is final */
  | { outcome: 'final'; status: Exclude<OrderStatus, 'pending'>; paidAt?: string; requests: number }
  /** deadline reached, still pending; or (lastError set) the backend could not be reached for maxOutageMs */
  | { outcome: 'timeout'; lastError?: ApiError; requests: number }
  /** the backend refused the check (4xx): retrying will not help */
  | { outcome: 'rejected'; error: ApiError; requests: number }
  | { outcome: 'cancelled'; requests: number };

/** What the loop is doing between verdicts, for a UI that must show it. */
export type ConfirmProgress =
  /** the last check failed; the next one goes out after `delayMs` (or when the network returns, if offline) */
  | { state: 'retrying'; error: ApiError; delayMs: number }
  /** the backend answered (still pending) after one or more failures */
  | { state: 'waiting' };

export interface ConfirmOptions {
  onProgress?: (progress: ConfirmProgress) => void;
  signal?: CancelSignal;
  /** provider order id from the return's extraData: lets the backend query the provider if the notify is late */
  payjsOrderId?: string;
  /** pause while hidden; the deadline does not run meanwhile */
  visibility?: Visibility;
  /** while WeChat reports no network, wait for it instead of sending checks that cannot arrive */
  connectivity?: Connectivity;
}

export interface ConfirmerStats {
  /** check requests sent (including ones that failed) */
  requests: number;
  /** network/5xx failures */
  errors: number;
  /** answers that were still pending */
  pendingAnswers: number;
}

export interface Confirmer {
  confirm(target: ConfirmTarget, options?: ConfirmOptions): Promise<ConfirmResult>;
  readonly stats: ConfirmerStats;
  /** the delay before retry number `failures` (1-based) after an error of `kind`, given a random number in [0, 1) */
  backoffDelay(failures: number, random: number, kind?: ApiError['kind']): number;
}

export interface ConfirmerDeps {
  clock: Clock;
  config?: Partial<ConfirmConfig>;
  /** [0, 1); defaults to Math.random */
  random?: () => number;
  /** either an API client, or a wx.request-like port plus the backend base URL */
  api?: ApiClient;
  request?: RequestPort;
  baseUrl?: string;
}

export function createConfirmer(deps: ConfirmerDeps): Confirmer {
  const cfg: ConfirmConfig = { ...CONFIRM_DEFAULTS, ...deps.config };
  const clock = deps.clock;
  const random = deps.random || Math.random;
  let api = deps.api;
  if (!api) {
    if (!deps.request || !deps.baseUrl) throw new TypeError('createConfirmer needs either `api` or `request` and `baseUrl`');
    api = createApiClient({ request: deps.request, baseUrl: deps.baseUrl });
  }
  const client = api;
  const stats: ConfirmerStats = { requests: 0, errors: 0, pendingAnswers: 0 };

  // "Equal jitter": half the exponential step fixed, half random, so retries from many clients spread out but a
  // single client still backs off predictably. An unreachable backend is retried within a second: nothing there
  // to overload, and the payer should see it come back at once.
  const backoffDelay = (failures: number, r: number, kind?: ApiError['kind']) => {
    const cap = kind === 'network' ? Math.min(cfg.backoffMaxMs, cfg.unreachableBackoffMaxMs) : cfg.backoffMaxMs;
    const step = Math.min(cap, cfg.backoffBaseMs * Math.pow(2, Math.max(0, failures - 1)));
    return Math.round(step / 2 + (r * step) / 2);
  };

  // The least time from one check's start to the next after `pending` answers in a row: fixed by default, growing
  // when configured (polling with backoff), never below minCheckIntervalMs.
  const checkInterval = (pendingInRow: number) => {
    const grown = cfg.minCheckIntervalMs * Math.pow(cfg.checkIntervalGrowth, pendingInRow - 1);
    return Math.max(cfg.minCheckIntervalMs, Math.min(cfg.maxCheckIntervalMs, grown));
  };

  async function confirm(target: ConfirmTarget, options: ConfirmOptions = {}): Promise<ConfirmResult> {
    const { signal, visibility, payjsOrderId, onProgress, connectivity } = options;
    let requests = 0;
    let failures = 0;
    let pendingInRow = 0;
    let lastError: ApiError | undefined;
    // every wait and deadline on the monotonic clock: a phone clock set an hour back or forward changes nothing here
    const now = () => clock.monotonic();
    let deadline = now() + cfg.deadlineMs;
    /** when the current run of failures began */
    let outageSince = 0;

    for (;;) {
      if (signal && signal.aborted) return { outcome: 'cancelled', requests };
      if (visibility && visibility.hidden) {
        const pausedAt = now();
        if (!(await whenVisible(visibility, signal))) return { outcome: 'cancelled', requests };
        deadline += now() - pausedAt;
        outageSince += now() - pausedAt;
      }
      const failing = failures > 0;
      if (requests >= cfg.maxChecks) return { outcome: 'timeout', lastError, requests };
      // the deadline ends a confirmation the backend keeps answering `pending`; one it cannot answer goes on
      const remaining = deadline - now();
      if (!failing && remaining <= 0) return { outcome: 'timeout', requests };

      // after a failure, a check that does not wait: its answer (or failure) comes at once
      const waitMs = failing ? 0 : Math.max(0, Math.min(cfg.waitMs, remaining));
      // One attempt is aborted by the caller's signal or by the app going to the background.
      const attempt = createCancelSource();
      const forwardAbort = () => attempt.cancel();
      if (signal) signal.addEventListener('abort', forwardAbort);
      const offVisibility = visibility ? visibility.onChange((hidden) => hidden && attempt.cancel()) : () => undefined;
      const startedAt = now();
      requests++;
      stats.requests++;
      try {
        const answer = await client.checkPay(
          payjsOrderId ? { ...target, payjsOrderId, waitMs } : { ...target, waitMs },
          { timeout: waitMs + cfg.requestTimeoutMarginMs, signal: attempt.signal },
        );
        failures = 0;
        lastError = undefined;
        if (failing && onProgress) onProgress({ state: 'waiting' });
        if (answer.status !== 'pending') {
          return answer.paidAt
            ? { outcome: 'final', status: answer.status, paidAt: answer.paidAt, requests }
            : { outcome: 'final', status: answer.status, requests };
        }
        stats.pendingAnswers++;
        pendingInRow++;
        if (requests >= cfg.maxChecks) return { outcome: 'timeout', requests };
        // back from a failure: straight back to waiting on the backend (or to the deadline, if it passed meanwhile)
        if (failing) continue;
        const tooSoon = checkInterval(pendingInRow) - (now() - startedAt);
        if (tooSoon > 0 && now() + tooSoon < deadline) await sleep(clock, tooSoon, signal);
      } catch (err) {
        const error = err instanceof ApiError ? err : new ApiError('network', String(err));
        if (signal && signal.aborted) return { outcome: 'cancelled', requests };
        // went to the background mid-poll: the loop pauses, then asks again
        if (error.kind === 'aborted' && visibility && visibility.hidden) continue;
        if (error.kind === 'client' && error.code === ORDER_NOT_FOUND_CODE) return { outcome: 'rejected', error, requests };
        stats.errors++;
        if (failures === 0) outageSince = startedAt;
        failures++;
        lastError = error;
        if (requests >= cfg.maxChecks) return { outcome: 'timeout', lastError, requests };
        const offline = error.kind === 'offline' && !!connectivity;
        const delay = offline ? cfg.backoffMaxMs : backoffDelay(failures, random(), error.kind);
        if (now() + delay - outageSince > cfg.maxOutageMs) return { outcome: 'timeout', lastError, requests };
        if (onProgress) onProgress({ state: 'retrying', error, delayMs: delay });
        // offline: the moment WeChat reports the network back (or after the longest backoff, in case it never says)
        if (offline) await whenOnline(connectivity!, clock, delay, signal);
        else await sleep(clock, delay, signal);
      } finally {
        if (signal) signal.removeEventListener('abort', forwardAbort);
        offVisibility();
      }
    }
  }

  return { confirm, stats, backoffDelay };
}
