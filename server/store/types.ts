// The store interface: everything the backend keeps goes through it, and every method returns a Promise, so an
// implementation may live in this process (SQLite, the default) or behind a network (PostgreSQL, for several
// instances). Each method is one transaction of its own: a caller never holds a transaction open across an await,
// and nothing here names SQL, row ids or connections.
//
// Times are wall-clock epoch ms, passed in by the caller (the server's clock port): they are stored, shown and shared
// between instances. Waits are the caller's business, on its monotonic clock.
//
// test/server/store-contract.ts is the executable form of this contract: run it against any new implementation.

import type { OrderStatus } from '../../typings/api';
import type { Wakeups } from './wakeups';

export interface OrderRow {
  outTradeNo: string;
  orderTokenHash: string;
  sku: string;
  quantity: number;
  totalFee: number;
  body: string;
  attach: string | null;
  status: OrderStatus;
  provider: string;
  createdAt: number;
  expiresAt: number;
  paidAt: number | null;
  /** how the order became paid */
  paidVia: 'notify' | 'query' | null;
  /** the provider's order id from a verified statement (a signed notify or query answer); never from the client */
  providerOrderId: string | null;
  /** the newest provider order id the client passed on (`payjsOrderId`): unverified, only ever used to ask the provider */
  providerOrderIdHint: string | null;
  /** the provider did not know the current hint (or its answer was about another order): do not ask by it again */
  providerOrderIdHintRejected: boolean;
  transactionId: string | null;
  openid: string | null;
  /** the money arrived after the order had expired: paid anyway, flagged for a person to look at */
  paidAfterExpiry: boolean;
  /** the first check of the order: the user came back from the pay mini program */
  firstCheckAt: number | null;
  /** the last provider order query for this order, by any instance: the per-order query rate limit */
  lastProviderQueryAt: number | null;
  /**
   * Provider statements that changed nothing (a replayed notify, "not paid" for a settled order): counted, not stored
   * row by row. Diagnostics only: an implementation may write the count without waiting for the disk.
   */
  repeatCount: number;
  lastRepeatAt: number | null;
}

/** What order creation knows; the rest of a row is learned later (payment, checks). */
export type NewOrder = Pick<
  OrderRow,
  'outTradeNo' | 'orderTokenHash' | 'sku' | 'quantity' | 'totalFee' | 'body' | 'attach' | 'provider' | 'createdAt' | 'expiresAt'
>;

/** A verified provider statement that the order is paid. */
export interface PaidStatement {
  outTradeNo: string;
  providerOrderId: string | null;
  transactionId: string | null;
  openid: string | null;
  /** when this server learned it (wall clock) */
  at: number;
  source: 'notify' | 'query';
  /** the verified fields as received, kept for audit with the transition */
  fields: Record<string, unknown>;
}

/** A verified provider statement that the order was not paid. */
export interface FailedStatement {
  outTradeNo: string;
  providerOrderId: string | null;
  at: number;
  fields: Record<string, unknown>;
}

export type MarkPaidResult =
  /** this call moved the order to paid (and queued its fulfilment when asked to) */
  | { kind: 'paid'; order: OrderRow }
  /** it was paid before: nothing changed except the repeat count */
  | { kind: 'already-paid'; order: OrderRow }
  | { kind: 'unknown-order' };

export interface PaymentEvent {
  kind: 'paid' | 'failed';
  source: string;
  receivedAt: number;
  fields: unknown;
}

/** One paid order's fulfilment message, delivered at least once. */
export interface OutboxEntry {
  /** the Idempotency-Key: one entry per paid order */
  outTradeNo: string;
  event: 'order.paid';
  /** the exact JSON body, the same bytes on every attempt */
  body: string;
  createdAt: number;
  attempts: number;
  nextAttemptAt: number;
  lastAttemptAt: number | null;
  lastError: string | null;
  deliveredAt: number | null;
}

/** An entry claimed for one delivery attempt; only the holder of `leaseToken` can record its result. */
export interface ClaimedEntry extends OutboxEntry {
  leaseToken: string;
}

export interface ClaimRequest {
  now: number;
  /** the claim lapses after this long, so entries held by a crashed process are retried */
  leaseMs: number;
  limit: number;
  /**
   * Without it: the entries due at `now` (next attempt reached). With it: these entries, due or not, because this
   * process timed their retry on its monotonic clock; delivered or leased ones are skipped either way.
   */
  outTradeNos?: readonly string[];
  /**
   * No retry is ever scheduled further ahead than this: a stored next attempt (or lease) beyond `now + maxDelayMs`
   * means the wall clock was stepped back since, and the entry counts as due (or its lease as lapsed). A store shared
   * by several instances allows their clocks to differ first (PostgreSQL: CLOCK_SKEW_MS): a time a few seconds ahead
   * was written by another instance's clock, not by a clock stepped back.
   */
  maxDelayMs: number;
}

export interface DeliveryFailure {
  at: number;
  error: string;
  nextAttemptAt: number;
}

export interface OutboxCounts {
  pending: number;
  delivered: number;
}

export type StoreHealth = { ok: true } | { ok: false; reason: string };

export interface OrderStore {
  /** what the store is, for log lines and messages: e.g. "SQLite /srv/data/orders.sqlite3" */
  readonly description: string;
  readonly wakeups: Wakeups;

  insertOrder(order: NewOrder): Promise<void>;
  getOrder(outTradeNo: string): Promise<OrderRow | undefined>;
  /** Sets firstCheckAt unless it is set already. */
  recordFirstCheck(outTradeNo: string, at: number): Promise<void>;
  /** Pending and past expiresAt -> expired (published); true when this call did it. */
  expireIfDue(outTradeNo: string, now: number): Promise<boolean>;
  /**
   * Any status but paid -> paid, exactly once however many callers race, with its audit record and, when
   * `fulfillment` is set, its outbox entry: all in one transaction, published after it commits. A statement about
   * an order that is paid already only counts as a repeat.
   */
  markPaid(statement: PaidStatement, options: { fulfillment: boolean }): Promise<MarkPaidResult>;
  /** Pending -> failed (published); true when this call did it. Anything else only counts as a repeat. */
  markFailed(statement: FailedStatement): Promise<boolean>;
  /** The audit records of an order's transitions, oldest first. */
  paymentEvents(outTradeNo: string): Promise<PaymentEvent[]>;

  /** The newest hint replaces an older one (and clears its rejection); the verified providerOrderId is never touched. */
  rememberProviderOrderIdHint(outTradeNo: string, hint: string): Promise<void>;
  /** Marks the hint as unknown to the provider, if it is still the order's current hint. */
  rejectProviderOrderIdHint(outTradeNo: string, hint: string): Promise<void>;
  /**
   * The per-order provider query rate limit, shared by every instance: true (and lastProviderQueryAt = now) when no
   * query was claimed within `intervalMs` before `now`. A stored time more than one interval ahead of `now` is from a
   * wall clock stepped back since, and does not block (beyond the instances' allowed clock difference, see
   * ClaimRequest.maxDelayMs).
   */
  claimProviderQuery(outTradeNo: string, now: number, intervalMs: number): Promise<boolean>;

  /** Claims outbox entries for delivery (a PostgreSQL store: FOR UPDATE SKIP LOCKED). */
  claimDeliveries(request: ClaimRequest): Promise<ClaimedEntry[]>;
  /** Records a delivery as done; false when the lease was lost (another claim took the entry over). */
  completeDelivery(outTradeNo: string, leaseToken: string, at: number): Promise<boolean>;
  /** Records a failed attempt and when to try again; false when the lease was lost. */
  failDelivery(outTradeNo: string, leaseToken: string, failure: DeliveryFailure): Promise<boolean>;
  outboxEntry(outTradeNo: string): Promise<OutboxEntry | undefined>;
  outboxCounts(): Promise<OutboxCounts>;

  /** Whether a write made now would be durable in the store the server started with. */
  health(): Promise<StoreHealth>;
  close(): Promise<void>;
}

/**
 * A write could not be made durable (the database file was removed or replaced, the disk is full or read-only, the
 * database is unreachable). Nothing was acknowledged: the route answers 503 so the client or provider tries again.
 */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
}

/** The store cannot be opened safely (a damaged file, a schema from a newer server): the server must not start. */
export class StoreOpenError extends Error {
  override name = 'StoreOpenError';
}
