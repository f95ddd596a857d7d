// Every default the client uses, in one place: the backend, provider profiles, confirmation timing, storage keys.
import type { ProviderName } from '../../typings/provider';
import { backendUrlProblem, DEVELOP_API_BASE_URL, type BuildTarget } from './backend-url';

export type EnvVersion = 'develop' | 'trial' | 'release';

/**
 * Baked in by the build (esbuild `define`, from API_BASE_URL and the build target). Deliberately not readable from
 * storage or a page query: nobody at runtime may redirect payments elsewhere. Unbuilt (unit tests), the development
 * backend is used.
 */
declare const __API_BASE_URL__: string;
declare const __BUILD_TARGET__: string;
/** a develop build's shorter confirmation deadline (gulpfile's confirmDeadlineMs); 0 or unbuilt: the default below */
declare const __CONFIRM_DEADLINE_MS__: number;

export interface Backend {
  /** '' when this version must not talk to any backend (see `problem`) */
  baseUrl: string;
  /** why a trial or release version refuses the backend it was built with (English, for the console) */
  problem?: string;
}

/**
 * The backend this app talks to. A trial or release version runs only a release build with a public https backend:
 * a develop build uploaded by a path that skipped the build step (DevTools' custom commands off, a CI upload) refuses
 * to talk to its loopback or http backend instead of sending payers' orders there.
 */
export function resolveBackend(envVersion: EnvVersion | undefined): Backend {
  const baked = typeof __API_BASE_URL__ === 'string' ? __API_BASE_URL__ : '';
  const target = (typeof __BUILD_TARGET__ === 'string' ? __BUILD_TARGET__ : 'develop') as BuildTarget;
  const baseUrl = (baked || DEVELOP_API_BASE_URL).replace(/\/+$/, '');
  if (envVersion === 'trial' || envVersion === 'release') {
    const problem =
      target !== 'release'
        ? `this ${envVersion} version was built for ${target} (npm run build:release builds for upload)`
        : backendUrlProblem(baseUrl, 'release');
    if (problem) return { baseUrl: '', problem };
  }
  return { baseUrl };
}

export interface ProviderProfile {
  name: ProviderName;
  label: string;
  appId: string;
  path: string;
}

export const PROVIDERS: Readonly<Record<ProviderName, ProviderProfile>> = {
  xiaoweijufu: { name: 'xiaoweijufu', label: '小微聚付', appId: 'wx959c8c1fb2d89988', path: 'pages/pay' },
  payjs: { name: 'payjs', label: 'PayJS', appId: 'wx959c8c1fb2d877b5', path: 'pages/pay' },
};

/** The provider appIds the app accepts a return from (the backend's order names the one actually used). */
export const PROVIDER_APP_IDS: readonly string[] = Object.keys(PROVIDERS).map((k) => PROVIDERS[k as ProviderName].appId);

export interface ConfirmConfig {
  /** long-poll hold asked of the backend per check (the backend caps it at 30000) */
  waitMs: number;
  /** give up (showing "not paid yet", never "failed") after this much visible time of `pending` answers */
  deadlineMs: number;
  /** a pending answer that came back sooner than this is followed by a pause, so a backend ignoring waitMs is not hammered */
  minCheckIntervalMs: number;
  /**
   * Growth of that interval per consecutive pending answer (1: fixed interval; 2: 0.5 s, 1 s, 2 s, ... polling).
   * With long-poll the interval rarely matters: a held check already takes longer than it.
   */
  checkIntervalGrowth: number;
  /** cap of the grown interval */
  maxCheckIntervalMs: number;
  /** at most this many checks per confirm() (1: a single check, like a manual "check again" tap); then `timeout` */
  maxChecks: number;
  /** first retry delay after a failed check; doubles per consecutive failure */
  backoffBaseMs: number;
  /** cap of that delay while the backend answers 5xx/429 or nonsense (it is up, and struggling) */
  backoffMaxMs: number;
  /** cap while it cannot be reached at all: the payer sees the problem, and should see it end within a second */
  unreachableBackoffMaxMs: number;
  /** a confirmation that gets no answer this long stops with the error (the page keeps 我已支付，重新查询) */
  maxOutageMs: number;
  /** per-request timeout: waitMs plus this margin */
  requestTimeoutMarginMs: number;
}

const BUILD_CONFIRM_DEADLINE_MS = typeof __CONFIRM_DEADLINE_MS__ === 'number' ? __CONFIRM_DEADLINE_MS__ : 0;

export const CONFIRM_DEFAULTS: Readonly<ConfirmConfig> = {
  waitMs: 25000,
  deadlineMs: BUILD_CONFIRM_DEADLINE_MS > 0 ? BUILD_CONFIRM_DEADLINE_MS : 60000,
  minCheckIntervalMs: 1000,
  checkIntervalGrowth: 1,
  maxCheckIntervalMs: 8000,
  maxChecks: Infinity,
  backoffBaseMs: 500,
  backoffMaxMs: 8000,
  unreachableBackoffMaxMs: 1000,
  maxOutageMs: 5 * 60000,
  requestTimeoutMarginMs: 5000,
};

/** Timeout for order creation and catalog requests. */
export const REQUEST_TIMEOUT_MS = 10000;

export const DEFAULT_SKU = 'vip-month';

/**
 * The backend's error code for "no such order, or not yours": the only 4xx after which a check is never repeated.
 * Any other 4xx (a proxy's error page mid-deploy, a stricter schema) is retried like a network error, so a paid
 * order is never dropped on an answer that does not speak about it.
 */
export const ORDER_NOT_FOUND_CODE = 'order_not_found';

/** Storage key of the orders awaiting a verdict, kept per outTradeNo (see lib/pending-store.ts). */
export const PENDING_ORDERS_KEY = 'xwjf.pendingOrders.v2';

/** Where the first release kept its one pending order; carried over into PENDING_ORDERS_KEY once. */
export const LEGACY_PENDING_ORDER_KEY = 'xwjf.pendingOrder.v1';

/**
 * A stored order whose expiry and last jump are both this long past is checked once and dropped, never resumed.
 * A day, not the order's lifetime: the backend asks the provider once before expiring an order, so an order just past
 * its expiry may still turn out paid, and a phone's clock may be off by hours.
 */
export const STALE_AFTER_MS = 24 * 3600 * 1000;

/** At most this many orders are kept in storage (settled ones are dropped first). */
export const STORED_ORDERS_MAX = 10;

/** The scene WeChat reports when the user comes back from another mini program. */
export const SCENE_BACK_FROM_MINIPROGRAM = 1038;
