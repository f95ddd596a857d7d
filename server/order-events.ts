// In-process wake-ups for long-polling checks: whoever changes an order's status (notify, provider query, expiry)
// calls `changed(outTradeNo)`, and every check waiting on that order answers at once. No polling loop anywhere.

export type WakeReason = 'changed' | 'timeout' | 'aborted' | 'shutdown';

export class OrderEvents {
  private readonly waiters = new Map<string, Set<(reason: WakeReason) => void>>();
  private closed = false;

  changed(outTradeNo: string): void {
    const set = this.waiters.get(outTradeNo);
    if (!set) return;
    this.waiters.delete(outTradeNo);
    for (const wake of set) wake('changed');
  }

  /** Resolves on a change of the order, after `ms`, when `signal` aborts, or when the server shuts down. */
  wait(outTradeNo: string, ms: number, signal?: AbortSignal): Promise<WakeReason> {
    if (this.closed) return Promise.resolve('shutdown');
    if (signal?.aborted) return Promise.resolve('aborted');
    return new Promise((resolve) => {
      let set = this.waiters.get(outTradeNo);
      if (!set) {
        set = new Set();
        this.waiters.set(outTradeNo, set);
      }
      const done = (reason: WakeReason): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        const current = this.waiters.get(outTradeNo);
        current?.delete(done);
        if (current && current.size === 0) this.waiters.delete(outTradeNo);
        resolve(reason);
      };
      const onAbort = (): void => done('aborted');
      const timer = setTimeout(() => done('timeout'), ms);
      signal?.addEventListener('abort', onAbort, { once: true });
      set.add(done);
    });
  }

  get waiting(): number {
    let count = 0;
    for (const set of this.waiters.values()) count += set.size;
    return count;
  }

  /** Wakes every waiter (they answer with the current status) and refuses new waits. */
  shutdown(): void {
    this.closed = true;
    const all = [...this.waiters.values()].flatMap((set) => [...set]);
    this.waiters.clear();
    for (const wake of all) wake('shutdown');
  }
}
