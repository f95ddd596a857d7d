// Wake-ups across instances: the Wakeups interface (../wakeups.ts) on LISTEN/NOTIFY. Subscribers live in this
// process (an InProcessWakeups); what reaches them comes from three places:
// - this instance's own status changes, delivered at once after the commit (no round trip through the database);
// - every instance's changes, as NOTIFY on ORDER_CHANNEL through this instance's LISTEN connection (the store sends
//   pg_notify inside the transaction that makes the change, so it arrives exactly when the change commits). The
//   payload is `<sender>:<out_trade_no>`: an instance skips its own echo, so a subscriber hears of a change once;
// - a resync after the LISTEN connection was lost and came back: every subscriber re-reads its order.
//
// A waiting check subscribes before it reads its order (server/order-events.ts), so a change that lands between its
// read and its wait still wakes it: nothing here needs to remember past changes.

import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { InProcessWakeups, type WakeListener, type Wakeups } from '../wakeups';
import type { PgSettings } from './connection';
import { PgListener, type ListenerLog } from './listener';

/** The wake-up channel; its payload is the order's out_trade_no. */
export const ORDER_CHANNEL = 'xwjf_order_changed';

export interface PgWakeupsOptions {
  /** reconnect backoff and heartbeat of the LISTEN connection (tests shorten them) */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  heartbeatMs?: number;
}

export class PgWakeups implements Wakeups {
  private readonly local = new InProcessWakeups();
  readonly listener: PgListener;
  /** what this instance's notifications start with: `<id>:` */
  readonly payloadPrefix = `${randomBytes(6).toString('hex')}:`;

  constructor(
    private readonly pool: pg.Pool,
    settings: PgSettings,
    log: ListenerLog,
    options: PgWakeupsOptions = {},
  ) {
    this.listener = new PgListener({
      settings,
      channel: ORDER_CHANNEL,
      onNotify: (payload) => {
        // our own changes were delivered here at their commit already
        if (payload.startsWith(this.payloadPrefix)) return;
        const colon = payload.indexOf(':');
        this.changed(colon < 0 ? payload : payload.slice(colon + 1));
      },
      onResync: () => this.local.resync(),
      log,
      ...options,
    });
  }

  start(): Promise<void> {
    return this.listener.start();
  }

  /** For changes this instance committed with a pg_notify inside: wake its own subscribers without the round trip. */
  deliverLocally(outTradeNo: string): void {
    this.changed(outTradeNo);
  }

  private changed(outTradeNo: string): void {
    this.local.deliver(outTradeNo, 'changed');
  }

  async publish(outTradeNo: string): Promise<void> {
    await this.pool.query('SELECT pg_notify($1, $2)', [ORDER_CHANNEL, this.payloadPrefix + outTradeNo]);
    this.changed(outTradeNo);
  }

  subscribe(outTradeNo: string, listener: WakeListener): () => void {
    return this.local.subscribe(outTradeNo, listener);
  }

  resync(): void {
    this.local.resync();
  }

  get listenerCount(): number {
    return this.local.listenerCount;
  }

  async close(): Promise<void> {
    await this.listener.close();
    await this.local.close();
  }
}
