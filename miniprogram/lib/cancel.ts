import type { CancelSignal } from './ports';

export interface CancelSource {
  readonly signal: CancelSignal;
  cancel(): void;
}

/** AbortController's shape, for runtimes (WeChat's JS engine) that lack it. */
export function createCancelSource(): CancelSource {
  let aborted = false;
  const listeners = new Set<() => void>();
  const signal: CancelSignal = {
    get aborted() {
      return aborted;
    },
    addEventListener(_type, listener) {
      listeners.add(listener);
    },
    removeEventListener(_type, listener) {
      listeners.delete(listener);
    },
  };
  return {
    signal,
    cancel() {
      if (aborted) return;
      aborted = true;
      for (const listener of Array.from(listeners)) listener();
      listeners.clear();
    },
  };
}

/** Resolves after `ms`, or early (with false) when the signal aborts. */
export function sleep(clock: { setTimeout(fn: () => void, ms: number): unknown; clearTimeout(h: unknown): void }, ms: number, signal?: CancelSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal && signal.aborted) return resolve(false);
    const onAbort = () => {
      clock.clearTimeout(handle);
      resolve(false);
    };
    const handle = clock.setTimeout(() => {
      if (signal) signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    if (signal) signal.addEventListener('abort', onAbort);
  });
}
