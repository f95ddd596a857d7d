// Waiting checks: a long-poll waits here until its order is published (the store publishes every status change
// through its Wakeups: in this process for SQLite, across instances for PostgreSQL), its time is up, its client goes
// away or the server shuts down. No polling loop anywhere. `ms` is a delay on Node's timers, which run on the
// monotonic clock: a wall clock stepped by an hour changes nothing here.

import type { Wakeups } from './store';

export type WakeReason = 'changed' | 'timeout' | 'aborted' | 'shutdown';

export class OrderEvents {
  private readonly active = new Set<(reason: WakeReason) => void>();
  private closed = false;

  constructor(private readonly wakeups: Wakeups) {}

  /** Resolves on a change of the order (or a resync), after `ms`, when `signal` aborts, or on shutdown. */
  wait(outTradeNo: string, ms: number, signal?: AbortSignal): Promise<WakeReason> {
    if (this.closed) return Promise.resolve('shutdown');
    if (signal?.aborted) return Promise.resolve('aborted');
    return new Promise((resolve) => {
      const done = (reason: WakeReason): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        unsubscribe();
        this.active.delete(done);
        resolve(reason);
      };
      const onAbort = (): void => done('aborted');
      // 'resync' too: a publish may have been missed, so the check re-reads its order
      const unsubscribe = this.wakeups.subscribe(outTradeNo, () => done('changed'));
      const timer = setTimeout(() => done('timeout'), ms);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.active.add(done);
    });
  }

  /** Wakes every waiter (they answer with the current status) and refuses new waits. */
  shutdown(): void {
    this.closed = true;
    for (const done of [...this.active]) done('shutdown');
  }
}
