// The per-client counters behind the rate limits (@fastify/rate-limit), timed on the monotonic clock. The plugin's own
// store times each window with Date.now(): a wall clock stepped back an hour would hold a client that had reached its
// limit at 429 for an hour ("retry in 3660 s"), and one stepped forward would forget every count at once.
//
// Same semantics as the plugin's LocalStore otherwise: a fixed window per key that starts with its first request, one
// store per rate-limited route (child), and at most `capacity` keys, the least recently seen dropped first.

import type { Clock } from './clock';

interface Window {
  count: number;
  /** monotonic ms */
  startedAt: number;
}

interface RateState {
  current: number;
  /** ms until the window ends */
  ttl: number;
}

type Callback = (error: Error | null, state: RateState) => void;

/** The keys one store keeps at most: the plugin's LocalStore default. */
const DEFAULT_CAPACITY = 5_000;

/** A store class for @fastify/rate-limit's `store` option, reading time from `clock.monotonic()`. */
export function monotonicRateLimitStore(clock: Pick<Clock, 'monotonic'>, capacity = DEFAULT_CAPACITY) {
  return class MonotonicRateLimitStore {
    private readonly windows = new Map<string, Window>();

    incr(key: string, callback: Callback, timeWindow: number): void {
      const now = clock.monotonic();
      let window = this.windows.get(key);
      if (!window || window.startedAt + timeWindow <= now) window = { count: 0, startedAt: now };
      window.count++;
      // re-inserted: a Map keeps insertion order, so the first key is the least recently seen
      this.windows.delete(key);
      this.windows.set(key, window);
      if (this.windows.size > capacity) this.windows.delete(this.windows.keys().next().value as string);
      callback(null, { current: window.count, ttl: window.startedAt + timeWindow - now });
    }

    read(key: string, callback: Callback, timeWindow: number): void {
      const now = clock.monotonic();
      const window = this.windows.get(key);
      if (!window || window.startedAt + timeWindow <= now) callback(null, { current: 0, ttl: 0 });
      else callback(null, { current: window.count, ttl: window.startedAt + timeWindow - now });
    }

    child(): MonotonicRateLimitStore {
      return new MonotonicRateLimitStore();
    }
  };
}
