// Waiting checks: a long-poll waits here until its order is published (the store publishes every status change
// through its Wakeups: in this process for SQLite, across instances for PostgreSQL), its time is up, its client goes
// away or the server shuts down. No polling loop anywhere. `ms` is a delay on Node's timers, which run on the
// monotonic clock: a wall clock stepped by an hour changes nothing here.
//
// A check subscribes before it first reads its order and stays subscribed until it answers: a change published
// between a read and the wait that follows it is remembered, so the wait ends at once instead of sleeping through a
// payment (with a database behind a network, that gap is a round trip long).

import type { Wakeups } from './store';

export type WakeReason = 'changed' | 'timeout' | 'aborted' | 'shutdown';

/** One check's subscription to its order: read, then wait; a change since the last read ends the wait at once. */
export interface OrderWatch {
  /** Call right before reading the order: forgets changes the coming read will see. */
  beforeRead(): void;
  /** Resolves on a change since the last beforeRead (or a resync), after `ms`, when the signal aborts, or on shutdown. */
  wait(ms: number): Promise<WakeReason>;
  close(): void;
}

export class OrderEvents {
  private readonly active = new Set<(reason: WakeReason) => void>();
  private closed = false;

  constructor(private readonly wakeups: Wakeups) {}

  watch(outTradeNo: string, signal?: AbortSignal): OrderWatch {
    let changed = false;
    let wake: ((reason: WakeReason) => void) | undefined;
    // 'resync' too: a publish may have been missed, so the check re-reads its order
    const unsubscribe = this.wakeups.subscribe(outTradeNo, () => {
      changed = true;
      wake?.('changed');
    });
    const watch: OrderWatch = {
      beforeRead: () => {
        changed = false;
      },
      wait: (ms) => {
        if (this.closed) return Promise.resolve('shutdown');
        if (signal?.aborted) return Promise.resolve('aborted');
        if (changed) return Promise.resolve('changed');
        return new Promise((resolve) => {
          const done = (reason: WakeReason): void => {
            clearTimeout(timer);
            signal?.removeEventListener('abort', onAbort);
            this.active.delete(done);
            wake = undefined;
            resolve(reason);
          };
          const onAbort = (): void => done('aborted');
          const timer = setTimeout(() => done('timeout'), ms);
          signal?.addEventListener('abort', onAbort, { once: true });
          this.active.add(done);
          wake = done;
        });
      },
      close: () => {
        wake?.('aborted');
        unsubscribe();
      },
    };
    return watch;
  }

  /** Wakes every waiter (they answer with the current status) and refuses new waits. */
  shutdown(): void {
    this.closed = true;
    for (const done of [...this.active]) done('shutdown');
  }
}
