// Whether the phone has a network, as WeChat reports it (wx.getNetworkType / wx.onNetworkStatusChange). Used to tell
// "the phone is offline" (the payer can fix it) from "the backend cannot be reached" (the payer cannot), and to retry
// the moment the network comes back. Where WeChat offers neither API, the phone counts as online.
import { supports } from './feature';

export interface NetworkPort {
  canIUse?(schema: string): boolean;
  getNetworkType?(options: { success?: (res: { networkType: string }) => void; fail?: (err: { errMsg: string }) => void }): unknown;
  onNetworkStatusChange?(listener: (res: { isConnected: boolean; networkType: string }) => void): void;
}

export interface Connectivity {
  /** false only when WeChat said there is no network */
  readonly online: boolean;
  /** asks WeChat now; resolves with whether the phone is online (true when WeChat cannot tell) */
  refresh(): Promise<boolean>;
  /** called with each change WeChat reports */
  onChange(listener: (online: boolean) => void): () => void;
}

export function createConnectivity(wx: NetworkPort): Connectivity {
  let online = true;
  const listeners = new Set<(online: boolean) => void>();
  const set = (value: boolean) => {
    if (online === value) return;
    online = value;
    for (const listener of Array.from(listeners)) listener(online);
  };
  if (supports(wx, 'onNetworkStatusChange')) {
    try {
      wx.onNetworkStatusChange!((res) => set(res.isConnected !== false && res.networkType !== 'none'));
    } catch {
      // an API that is listed but throws (an old base library, a partial host): treat as absent
    }
  }
  const refresh = (): Promise<boolean> =>
    new Promise((resolve) => {
      if (!supports(wx, 'getNetworkType')) return resolve(online);
      try {
        wx.getNetworkType!({
          success: (res) => {
            set(res.networkType !== 'none');
            resolve(online);
          },
          fail: () => resolve(online),
        });
      } catch {
        resolve(online);
      }
    });
  void refresh();
  return {
    get online() {
      return online;
    },
    refresh,
    onChange(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}

/** Resolves true once WeChat reports a network, false when `maxMs` passed first (or the signal aborted). */
export function whenOnline(
  connectivity: Connectivity,
  timers: { setTimeout(fn: () => void, ms: number): unknown; clearTimeout(h: unknown): void },
  maxMs: number,
  signal?: { readonly aborted: boolean; addEventListener(t: 'abort', l: () => void): void; removeEventListener(t: 'abort', l: () => void): void },
): Promise<boolean> {
  return new Promise((resolve) => {
    if (connectivity.online) return resolve(true);
    if (signal && signal.aborted) return resolve(false);
    const done = (value: boolean) => {
      off();
      timers.clearTimeout(timer);
      if (signal) signal.removeEventListener('abort', onAbort);
      resolve(value);
    };
    const onAbort = () => done(false);
    const off = connectivity.onChange((now) => now && done(true));
    const timer = timers.setTimeout(() => done(false), maxMs);
    if (signal) signal.addEventListener('abort', onAbort);
  });
}
