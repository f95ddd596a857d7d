// Wake-ups for waiting checks: whoever changes an order's status publishes its out_trade_no, and every check waiting
// on that order re-reads it. In one process this is a map of listeners; a PostgreSQL store implements the same
// interface with LISTEN/NOTIFY so a notify received by one instance wakes the checks held by another.

/**
 * `changed`: this order was published. `resync`: publishes may have been missed (a reconnect), so every subscriber
 * re-reads its order; a listener must treat both the same way (re-read), never trust a wake-up as a status.
 */
export type WakeReason = 'changed' | 'resync';

export type WakeListener = (reason: WakeReason) => void;

export interface Wakeups {
  /** Announces that the order's row changed; resolves once it was handed on (not once every listener ran). */
  publish(outTradeNo: string): Promise<void>;
  /** Listens for one order; returns the function that stops listening. */
  subscribe(outTradeNo: string, listener: WakeListener): () => void;
  /** Tells every subscriber of every order to re-read: for an implementation that lost its connection for a while. */
  resync(): void;
  /** How many listeners are registered (diagnostics, tests). */
  readonly listenerCount: number;
  close(): Promise<void>;
}

export class InProcessWakeups implements Wakeups {
  private readonly listeners = new Map<string, Set<WakeListener>>();

  async publish(outTradeNo: string): Promise<void> {
    this.deliver(outTradeNo, 'changed');
  }

  /** The synchronous form, for a store that publishes right after its own commit. */
  deliver(outTradeNo: string, reason: WakeReason): void {
    const set = this.listeners.get(outTradeNo);
    if (!set) return;
    // a copy: a listener usually unsubscribes while being called
    for (const listener of [...set]) listener(reason);
  }

  subscribe(outTradeNo: string, listener: WakeListener): () => void {
    let set = this.listeners.get(outTradeNo);
    if (!set) {
      set = new Set();
      this.listeners.set(outTradeNo, set);
    }
    set.add(listener);
    return () => {
      const current = this.listeners.get(outTradeNo);
      if (!current) return;
      current.delete(listener);
      if (current.size === 0) this.listeners.delete(outTradeNo);
    };
  }

  resync(): void {
    for (const outTradeNo of [...this.listeners.keys()]) this.deliver(outTradeNo, 'resync');
  }

  get listenerCount(): number {
    let count = 0;
    for (const set of this.listeners.values()) count += set.size;
    return count;
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
