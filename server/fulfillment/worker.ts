// Delivers the fulfilment outbox: every paid order's `order.paid` message is POSTed to FULFILLMENT_URL until a 2xx
// answer, at least once, across restarts. The entry was written in the paid transition's own transaction (store
// markPaid), so a crash between "paid" and "announced" cannot lose it; this worker only claims entries through the
// store, so several instances on one PostgreSQL database share the work (claims are leases).
//
// Timing: a failed attempt is retried after a capped exponential backoff, timed on the monotonic clock by this
// process; the wall-clock time of the next attempt is stored too, for a restart or another instance, which find due
// entries by polling the outbox every `pollMs`.

import { createHmac } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../clock';
import { postBody } from '../../common/http-client';
import type { ClaimedEntry, OrderStore } from '../store';

export interface FulfillmentSettings {
  url: string;
  secret: string;
  /** no answer within this: the attempt failed */
  timeoutMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** how often the outbox is searched for entries this process did not time itself */
  pollMs?: number;
  /** deliveries in flight at once */
  concurrency?: number;
}

/** The X-Signature header: `sha256=` + hex HMAC-SHA256 of the exact body bytes, keyed with FULFILLMENT_SECRET. */
export function fulfillmentSignature(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/** The wait after the `attempt`-th failed attempt (1-based): base, 2 x base, 4 x base, ... capped at max. */
export function retryDelay(attempt: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(0, attempt - 1), 40));
}

/** How much longer than one attempt a claim is held: a process that dies mid-delivery frees its entries after this. */
const LEASE_MARGIN_MS = 5_000;

export class FulfillmentWorker {
  private readonly pollMs: number;
  private readonly concurrency: number;
  private readonly leaseMs: number;
  /** deliveries in flight, by out_trade_no */
  private readonly inflight = new Map<string, Promise<void>>();
  /** retries this process timed: out_trade_no -> monotonic due time */
  private readonly retryAt = new Map<string, number>();
  private readonly stopping = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private nextPollAt = -Infinity;
  private ticking = false;
  private tickAgain = false;
  private started = false;

  constructor(
    private readonly store: OrderStore,
    private readonly settings: FulfillmentSettings,
    private readonly clock: Clock,
    private readonly log: FastifyBaseLogger,
  ) {
    if (!settings.secret) {
      throw new Error(
        'FULFILLMENT_URL is set but FULFILLMENT_SECRET is not: set it to the key your receiver checks X-Signature with',
      );
    }
    this.pollMs = settings.pollMs ?? 1_000;
    this.concurrency = settings.concurrency ?? 8;
    this.leaseMs = settings.timeoutMs + LEASE_MARGIN_MS;
  }

  /** Starts delivering, beginning with whatever an earlier run left in the outbox. */
  start(): void {
    this.started = true;
    this.wakeIn(0);
  }

  /** An order was just paid (its entry committed): deliver it now instead of at the next poll. */
  kick(outTradeNo: string): void {
    if (!this.started || this.stopping.signal.aborted) return;
    this.retryAt.set(outTradeNo, this.clock.monotonic());
    this.wakeIn(0);
  }

  /** Stops timers and aborts deliveries in flight (they are retried later: the entry is still in the outbox). */
  async stop(): Promise<void> {
    this.stopping.abort();
    clearTimeout(this.timer);
    this.timer = undefined;
    await Promise.all([...this.inflight.values()]);
  }

  private wakeIn(ms: number): void {
    if (this.stopping.signal.aborted) return;
    const at = this.clock.monotonic() + ms;
    if (this.timer && this.timerAt <= at) return;
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      void this.tick();
    }, Math.max(0, ms));
    // the worker alone never keeps a process alive: the HTTP server does
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.ticking) {
      this.tickAgain = true;
      return;
    }
    this.ticking = true;
    try {
      do {
        this.tickAgain = false;
        await this.claimAndDeliver();
      } while (this.tickAgain && !this.stopping.signal.aborted);
    } catch (error) {
      // the store is unavailable (a deleted data folder...): entries stay in the outbox; try again in one poll
      this.log.error({ reason: (error as Error).message }, 'fulfilment: cannot read the outbox');
      const later = this.clock.monotonic() + this.pollMs;
      this.nextPollAt = later;
      for (const [id, at] of this.retryAt) this.retryAt.set(id, Math.max(at, later));
    } finally {
      this.ticking = false;
      this.scheduleNext();
    }
  }

  private async claimAndDeliver(): Promise<void> {
    if (this.stopping.signal.aborted) return;
    let capacity = this.concurrency - this.inflight.size;
    if (capacity <= 0) return;
    const mono = this.clock.monotonic();
    const due = [...this.retryAt].filter(([id, at]) => at <= mono && !this.inflight.has(id)).map(([id]) => id);
    const claimed: ClaimedEntry[] = [];
    if (due.length > 0) {
      const batch = due.slice(0, capacity);
      claimed.push(...(await this.store.claimDeliveries(this.claimRequest(capacity, batch))));
      // not claimed: delivered already, or another instance holds it; either way no longer this process's to time
      for (const id of batch) this.retryAt.delete(id);
      capacity -= claimed.length;
    }
    if (capacity > 0 && mono >= this.nextPollAt) {
      this.nextPollAt = mono + this.pollMs;
      const polled = await this.store.claimDeliveries(this.claimRequest(capacity));
      for (const entry of polled) this.retryAt.delete(entry.outTradeNo);
      claimed.push(...polled);
      // a full batch: there may be more due right away
      if (polled.length === capacity) this.nextPollAt = mono;
    }
    for (const entry of claimed) {
      if (this.inflight.has(entry.outTradeNo)) continue;
      const delivery = this.deliver(entry).finally(() => {
        this.inflight.delete(entry.outTradeNo);
        this.wakeIn(0);
      });
      this.inflight.set(entry.outTradeNo, delivery);
    }
  }

  private claimRequest(limit: number, outTradeNos?: string[]) {
    return {
      now: this.clock.now(),
      leaseMs: this.leaseMs,
      limit,
      maxDelayMs: this.settings.retryMaxMs,
      ...(outTradeNos ? { outTradeNos } : {}),
    };
  }

  private scheduleNext(): void {
    // when every slot is busy, the next delivery to finish wakes the worker
    if (this.stopping.signal.aborted || this.inflight.size >= this.concurrency) return;
    const mono = this.clock.monotonic();
    let next = this.nextPollAt;
    for (const at of this.retryAt.values()) next = Math.min(next, at);
    this.wakeIn(Math.max(0, next - mono));
  }

  private async deliver(entry: ClaimedEntry): Promise<void> {
    const { url, secret, timeoutMs, retryBaseMs, retryMaxMs } = this.settings;
    let failure: string;
    try {
      const answer = await postBody(url, entry.body, 'application/json', timeoutMs, {
        headers: {
          'idempotency-key': entry.outTradeNo,
          'x-signature': fulfillmentSignature(entry.body, secret),
        },
        // a deadline on the whole exchange (a receiver trickling bytes does not hold it open), or the server stopping
        signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), this.stopping.signal]),
      });
      if (answer.status >= 200 && answer.status < 300) {
        const recorded = await this.store.completeDelivery(entry.outTradeNo, entry.leaseToken, this.clock.now());
        this.log.info({ outTradeNo: entry.outTradeNo, attempt: entry.attempts, recorded }, 'fulfilment delivered');
        return;
      }
      failure = `HTTP ${answer.status}`;
    } catch (error) {
      failure = this.stopping.signal.aborted
        ? 'the server stopped during the attempt'
        : (error as Error).name === 'TimeoutError' || (error as Error).name === 'AbortError'
          ? `no answer within ${timeoutMs} ms`
          : (error as Error).message;
    }
    const delay = this.stopping.signal.aborted ? 0 : retryDelay(entry.attempts, retryBaseMs, retryMaxMs);
    try {
      await this.store.failDelivery(entry.outTradeNo, entry.leaseToken, {
        at: this.clock.now(),
        error: failure,
        nextAttemptAt: this.clock.now() + delay,
      });
    } catch (error) {
      // not recorded: the lease lapses and the entry is retried then
      this.log.error({ outTradeNo: entry.outTradeNo, reason: (error as Error).message }, 'fulfilment: cannot record a failed attempt');
    }
    this.log.warn(
      { outTradeNo: entry.outTradeNo, attempt: entry.attempts, reason: failure, retryInMs: delay },
      'fulfilment attempt failed; will retry',
    );
    if (!this.stopping.signal.aborted) this.retryAt.set(entry.outTradeNo, this.clock.monotonic() + delay);
  }
}
