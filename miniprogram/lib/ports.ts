// The slices of `wx` and of the host's timers that the logic needs. The logic takes these as arguments so that
// WeChat, the simulator, jest (with a fake wx) and the Node benchmark all run the same code. Shapes follow wx's own
// callback style and errMsg strings, so `wx` itself satisfies them.

/** What wx.request's success callback receives. */
export interface RequestSuccess {
  statusCode: number;
  data: unknown;
  errMsg: string;
}

/** What every wx async API's fail callback receives: `<api>:fail <reason>`. */
export interface WxError {
  errMsg: string;
  errno?: number;
}

export interface RequestOptions {
  url: string;
  method: 'GET' | 'POST';
  data?: Record<string, unknown>;
  header?: Record<string, string>;
  /** ms; wx.request's default is 60000 */
  timeout?: number;
  success?: (res: RequestSuccess) => void;
  fail?: (err: WxError) => void;
}

export interface RequestTask {
  abort(): void;
}

/** `wx` satisfies this: `{request: wx.request}` with wx as `this`. */
export interface RequestPort {
  request(options: RequestOptions): RequestTask;
}

export interface StoragePort {
  /** Like wx: a missing key reads as '' (empty string). */
  getStorageSync(key: string): unknown;
  setStorageSync(key: string, data: unknown): void;
  removeStorageSync(key: string): void;
}

export interface JumpOptions {
  appId: string;
  path: string;
  extraData: Record<string, unknown>;
  envVersion?: 'develop' | 'trial' | 'release';
  success?: (res: { errMsg: string }) => void;
  fail?: (err: WxError) => void;
}

export interface NavigatePort {
  navigateToMiniProgram(options: JumpOptions): void;
}

/** What App.onLaunch / App.onShow / wx.onAppShow receive. */
export interface ShowOptions {
  scene?: number;
  path?: string;
  query?: Record<string, string>;
  referrerInfo?: { appId?: string; extraData?: Record<string, unknown> };
}

export type TimerHandle = unknown;

export interface Clock {
  /** wall time, ms since the epoch: for stamps only (it moves when the phone's clock is set) */
  now(): number;
  /** ms from an arbitrary origin that never runs backwards or jumps: for every wait and deadline (lib/clock.ts) */
  monotonic(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/**
 * A cancellation signal. AbortSignal satisfies it (Node callers may pass `new AbortController().signal`); WeChat's
 * engine has no AbortController, so lib/cancel.ts provides one.
 */
export interface CancelSignal {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}
