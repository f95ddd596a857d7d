// The payment domain, kept apart from HTTP: create orders, apply provider statements (notify or query) exactly once,
// and answer checks, long-polling on the store's wake-ups. Routes are thin wrappers around this.
//
// Time: stored times (createdAt, expiresAt, paidAt, firstCheckAt, lastProviderQueryAt) are wall-clock; every wait is
// decided on the monotonic clock (server/clock.ts), so a wall clock stepped an hour either way neither holds a check
// for an hour nor ends it at once.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { CreateOrderResponse, PayCheckRequest, PayCheckResponse } from '../typings/api';
import type { PayParams } from '../typings/provider';
import type { Catalog } from './catalog';
import { delayUntil, systemClock, type Clock } from './clock';
import type { ServerConfig } from './config';
import { ApiError } from '../common/errors';
import { postForm } from '../common/http-client';
import { OrderEvents, type OrderWatch } from './order-events';
import { DIALECTS, PROVIDER_TARGETS, type ProviderStatement } from './providers';
import { verifySign, withSign } from '../common/sign';
import type { OrderRow, OrderStore } from './store';

const BODY_MAX = 32;
const ATTACH_MAX = 128;
const PROVIDER_QUERY_TIMEOUT_MS = 3_000;

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function truncateChars(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : chars.slice(0, max).join('');
}

function newOutTradeNo(now: Date): string {
  // 14 digits of UTC time + 16 hex = 30 characters (the provider allows 32); the random part makes it unique
  const stamp = now.toISOString().replace(/\D/g, '').slice(0, 14);
  return `${stamp}${randomBytes(8).toString('hex')}`;
}

export type NotifyOutcome =
  | { kind: 'paid'; order: OrderRow }
  | { kind: 'repeat'; order: OrderRow }
  | { kind: 'failed'; changed: boolean };

/** One way to ask the provider about an order. */
type QueryWay =
  | { by: 'provider order id'; providerOrderId: string }
  | { by: 'hint'; providerOrderId: string }
  | { by: 'out_trade_no' };

/** What one provider query said about the order. */
type QueryVerdict =
  | { kind: 'paid'; statement: ProviderStatement; answer: Record<string, unknown> }
  | { kind: 'unpaid' }
  /** the provider does not know the order under this id (or answered about another order) */
  | { kind: 'unknown'; reason: string }
  /** no usable answer: network, HTTP error, bad sign, an answer that contradicts the order */
  | { kind: 'error'; reason: string };

export interface PaymentsOptions {
  clock?: Clock;
  /** called once per order that became paid (by notify or query), after the transition committed */
  onPaid?: (order: OrderRow) => void;
}

export class Payments {
  readonly events: OrderEvents;
  private readonly dialect;
  private readonly clock: Clock;
  private readonly onPaid: (order: OrderRow) => void;
  /** one provider query per order at a time in this process (the store's claim limits it across instances) */
  private readonly inflightQueries = new Map<string, Promise<void>>();
  /** queries sent in the current one-second window (monotonic), for providerQueriesPerSecond */
  private queryWindow = { startedAt: -Infinity, sent: 0, warned: false };

  constructor(
    private readonly config: ServerConfig,
    private readonly store: OrderStore,
    private readonly catalog: Catalog,
    private readonly log: FastifyBaseLogger,
    options: PaymentsOptions = {},
  ) {
    this.dialect = DIALECTS[config.provider];
    this.clock = options.clock ?? systemClock;
    this.onPaid = options.onPaid ?? (() => undefined);
    this.events = new OrderEvents(store.wakeups);
  }

  private get fulfillment(): boolean {
    return this.config.fulfillmentUrl !== '';
  }

  async createOrder(sku: string, quantity: number): Promise<CreateOrderResponse> {
    const product = this.catalog.find(sku);
    if (!product) {
      const known = this.catalog.products.map((p) => p.sku).join(', ');
      throw new ApiError(400, 'unknown_sku', `No product with sku "${sku}"; known skus: ${known}`);
    }
    const createdAt = this.clock.now();
    const totalFee = product.totalFee * quantity;
    const body = truncateChars(quantity > 1 ? `${product.title} x${quantity}` : product.title, BODY_MAX);
    const attach = truncateChars(`sku=${sku}&quantity=${quantity}`, ATTACH_MAX);
    const outTradeNo = newOutTradeNo(new Date(createdAt));
    const orderToken = randomBytes(24).toString('base64url');
    const expiresAt = createdAt + this.config.orderTtlMs;
    await this.store.insertOrder({
      outTradeNo,
      orderTokenHash: hashToken(orderToken),
      sku,
      quantity,
      totalFee,
      body,
      attach,
      provider: this.config.provider,
      createdAt,
      expiresAt,
    });
    const payParams: PayParams = withSign(
      {
        mchid: this.config.merchantId,
        total_fee: totalFee,
        out_trade_no: outTradeNo,
        body,
        attach,
        notify_url: `${this.config.publicBaseUrl}/api/pay/notify`,
        nonce: randomBytes(16).toString('hex'),
      },
      this.config.merchantKey,
    );
    return {
      outTradeNo,
      orderToken,
      totalFee,
      body,
      expiresAt: new Date(expiresAt).toISOString(),
      payParams,
      provider: PROVIDER_TARGETS[this.config.provider],
    };
  }

  private async expire(order: OrderRow): Promise<void> {
    if (await this.store.expireIfDue(order.outTradeNo, this.clock.now())) {
      this.log.info({ outTradeNo: order.outTradeNo }, 'order expired unpaid');
    }
  }

  private async authorized(outTradeNo: string, orderToken: string): Promise<OrderRow> {
    // no expiry here: check() asks the provider first when the user may have paid
    const order = await this.store.getOrder(outTradeNo);
    const expected = Buffer.from(order?.orderTokenHash ?? hashToken('no order'), 'hex');
    const tokenOk = timingSafeEqual(expected, Buffer.from(hashToken(orderToken), 'hex'));
    if (!order || !tokenOk) {
      // one answer for both, so a check cannot probe which order numbers exist
      throw new ApiError(
        404,
        'order_not_found',
        `No order ${outTradeNo} for this orderToken; create the order with POST /api/orders and check with the token it returned`,
      );
    }
    return order;
  }

  private answer(order: OrderRow): PayCheckResponse {
    return {
      outTradeNo: order.outTradeNo,
      status: order.status,
      paySuccess: order.status === 'paid',
      ...(order.paidAt !== null ? { paidAt: new Date(order.paidAt).toISOString() } : {}),
    };
  }

  async check(request: PayCheckRequest, signal?: AbortSignal): Promise<PayCheckResponse> {
    const order = await this.authorized(request.outTradeNo, request.orderToken);
    const deadline = this.clock.monotonic() + (request.waitMs ?? 0);
    // the first check marks "the user came back": the provider query is due some seconds after it
    if (order.firstCheckAt === null) await this.store.recordFirstCheck(order.outTradeNo, this.clock.now());
    const hint = request.payjsOrderId;
    if (hint && hint !== order.providerOrderIdHint && hint !== order.providerOrderId) {
      // the newest hint wins; it is only ever used to ask the provider, whose signed answer must name this order
      await this.store.rememberProviderOrderIdHint(order.outTradeNo, hint);
    }
    // subscribed before the first read, so a payment committed between a read and the wait is not slept through
    const watch = this.events.watch(order.outTradeNo, signal);
    try {
      return await this.settleOrWait(order, watch, deadline);
    } finally {
      watch.close();
    }
  }

  /** The check's loop: answer once the order is settled or the wait is over; ask the provider or expire on the way. */
  private async settleOrWait(current: OrderRow, watch: OrderWatch, deadline: number): Promise<PayCheckResponse> {
    let order = current;
    // when this request asks the provider, on the monotonic clock: recomputed from the stored times on every pass,
    // but never later than already planned (a wall clock stepped back must not push it off by the step)
    let queryAt: number | null = null;
    // after a query (or a lost claim) the next one waits at least one interval
    let noQueryBefore = -Infinity;
    for (;;) {
      watch.beforeRead();
      order = (await this.store.getOrder(order.outTradeNo)) as OrderRow;
      if (order.status !== 'pending') return this.answer(order);
      const wall = this.clock.now();
      const mono = this.clock.monotonic();
      const running = this.inflightQueries.get(order.outTradeNo);
      if (running && order.expiresAt <= wall) {
        // never expire an order while a provider answer about it is on the way
        await running;
        continue;
      }
      const delay = this.providerQueryDelay(order, wall);
      queryAt = delay === null ? null : Math.max(noQueryBefore, Math.min(queryAt ?? Infinity, mono + delay));
      if (queryAt !== null && queryAt <= mono) {
        await this.queryProvider(order);
        queryAt = null;
        noQueryBefore = this.clock.monotonic() + this.config.providerQueryIntervalMs;
        continue;
      }
      if (queryAt === null && order.expiresAt <= wall) {
        await this.expire(order);
        continue;
      }
      if (mono >= deadline) return this.answer(order);
      // expiry is a wall-clock moment (it is stored and shown): the wait for it is re-decided on every pass
      const wakeAt = Math.min(deadline, queryAt ?? mono + (order.expiresAt - wall));
      const reason = await watch.wait(Math.max(1, wakeAt - mono));
      if (reason === 'aborted' || reason === 'shutdown') {
        return this.answer((await this.store.getOrder(order.outTradeNo)) as OrderRow);
      }
    }
  }

  /** The ways to ask the provider about an order, best first; empty when it cannot be asked. */
  private queryWays(order: OrderRow): QueryWay[] {
    const ways: QueryWay[] = [];
    if (order.providerOrderId !== null) {
      ways.push({ by: 'provider order id', providerOrderId: order.providerOrderId });
    } else if (order.providerOrderIdHint !== null && !order.providerOrderIdHintRejected) {
      ways.push({ by: 'hint', providerOrderId: order.providerOrderIdHint });
    }
    if (this.config.providerQueryByOutTradeNo) ways.push({ by: 'out_trade_no' });
    return ways;
  }

  /**
   * How long until a pending order should ask the provider, or null when it should not (any more).
   * A regular query comes providerQueryAfterMs after the first check (the user came back; the notify had its
   * chance). Past its lifetime an order the provider can be asked about asks once more before it is expired:
   * the user may have paid in the last moment with the notify still on its way, and answering `expired` would
   * offer 重新支付, a second charge. Both respect providerQueryIntervalMs, so expiry can wait up to one interval.
   */
  private providerQueryDelay(order: OrderRow, wall: number): number | null {
    if (this.queryWays(order).length === 0) return null;
    const last = order.lastProviderQueryAt;
    // already asked after the lifetime: the provider said unpaid (or could not answer), so it may expire
    if (last !== null && last >= order.expiresAt) return null;
    const regular = order.firstCheckAt === null ? order.expiresAt : order.firstCheckAt + this.config.providerQueryAfterMs;
    const dueAt = Math.max(Math.min(regular, order.expiresAt), last === null ? -Infinity : last + this.config.providerQueryIntervalMs);
    // a check records firstCheckAt first, so a delay longer than both settings means the wall clock went back
    return delayUntil(dueAt, wall, Math.max(this.config.providerQueryAfterMs, this.config.providerQueryIntervalMs));
  }

  /**
   * One provider query per order at a time, at most one per providerQueryIntervalMs; failures are only logged.
   */
  private queryProvider(order: OrderRow): Promise<void> {
    const running = this.inflightQueries.get(order.outTradeNo);
    if (running) return running;
    const query = (async () => {
      // past this second's budget nothing is claimed: the order is still due, and asked one interval later
      if (!this.takeQueryBudget(this.queryWays(order).length)) return;
      // the rate limit lives in the store, so it holds across restarts and instances
      if (!(await this.store.claimProviderQuery(order.outTradeNo, this.clock.now(), this.config.providerQueryIntervalMs))) return;
      await this.runProviderQuery(order);
    })()
      .catch((error: Error) => {
        this.log.warn({ outTradeNo: order.outTradeNo, reason: error.message }, 'provider order query failed');
      })
      .finally(() => this.inflightQueries.delete(order.outTradeNo));
    this.inflightQueries.set(order.outTradeNo, query);
    return query;
  }

  /**
   * `requests` to the provider out of providerQueriesPerSecond, or false when this second's are spent (said once a
   * second in the log). A query not sent is asked again one interval later, by the next pass of a waiting check.
   */
  private takeQueryBudget(requests: number): boolean {
    const limit = this.config.providerQueriesPerSecond;
    const now = this.clock.monotonic();
    if (now - this.queryWindow.startedAt >= 1_000) this.queryWindow = { startedAt: now, sent: 0, warned: false };
    // a query that needs more than the whole budget (two ways, a budget of one) still goes out alone in its second
    if (this.queryWindow.sent === 0 || this.queryWindow.sent + requests <= limit) {
      this.queryWindow.sent += requests;
      return true;
    }
    if (!this.queryWindow.warned) {
      this.queryWindow.warned = true;
      this.log.warn(
        { limit: this.config.providerQueriesPerSecond },
        'provider queries postponed: PROVIDER_QUERIES_PER_SECOND reached (many checks bring provider order id hints)',
      );
    }
    return false;
  }

  /**
   * Asks the provider each way in turn until one gives a verdict: a hint the provider does not know (or any failed
   * way) never stops the next way, so a wrong `payjsOrderId` cannot block the out_trade_no fallback.
   */
  private async runProviderQuery(order: OrderRow): Promise<void> {
    for (const way of this.queryWays(order)) {
      const verdict = await this.askProvider(order, way).catch(
        (error: Error): QueryVerdict => ({ kind: 'error', reason: error.message }),
      );
      if (verdict.kind === 'unpaid') return;
      if (verdict.kind === 'paid') {
        const result = await this.store.markPaid(
          {
            outTradeNo: order.outTradeNo,
            providerOrderId: verdict.statement.providerOrderId,
            transactionId: verdict.statement.transactionId,
            openid: verdict.statement.openid,
            at: this.clock.now(),
            source: 'query',
            fields: verdict.answer,
          },
          { fulfillment: this.fulfillment },
        );
        if (result.kind === 'paid') {
          this.log.info({ outTradeNo: order.outTradeNo, by: way.by }, 'order paid (found by provider query; its notify is missing)');
          this.onPaid(result.order);
        }
        return;
      }
      this.log.info({ outTradeNo: order.outTradeNo, by: way.by, reason: verdict.reason }, 'provider query gave no verdict');
      if (way.by === 'hint' && verdict.kind === 'unknown') {
        await this.store.rejectProviderOrderIdHint(order.outTradeNo, way.providerOrderId);
      }
    }
  }

  private async askProvider(order: OrderRow, way: QueryWay): Promise<QueryVerdict> {
    const { path, fields } = this.dialect.query(
      way.by === 'out_trade_no' ? { outTradeNo: order.outTradeNo } : { providerOrderId: way.providerOrderId },
      this.config.merchantId,
    );
    const signed = withSign(fields, this.config.merchantKey);
    const reply = await postForm(`${this.config.providerBaseUrl}${path}`, signed, PROVIDER_QUERY_TIMEOUT_MS);
    if (reply.status === 404) return { kind: 'unknown', reason: 'the provider has no such order' };
    if (reply.status !== 200) return { kind: 'error', reason: `provider query answered HTTP ${reply.status}` };
    let answer: Record<string, unknown>;
    try {
      answer = JSON.parse(reply.text);
    } catch {
      return { kind: 'error', reason: 'provider query answered with a body that is not JSON' };
    }
    if (typeof answer !== 'object' || answer === null || Array.isArray(answer)) {
      return { kind: 'error', reason: 'provider query answered with JSON that is not an object' };
    }
    const flat = Object.fromEntries(
      Object.entries(answer).map(([k, v]) => [k, typeof v === 'object' && v !== null ? JSON.stringify(v) : (v as string)]),
    );
    if (!verifySign(flat, this.config.merchantKey)) return { kind: 'error', reason: 'provider query answer has a bad sign; ignored' };
    const statement = this.dialect.readQueryAnswer(answer);
    if (!statement) return { kind: 'unknown', reason: 'the provider has no such order' };
    if (statement.outTradeNo !== order.outTradeNo) {
      return { kind: 'unknown', reason: `the answer is about order ${statement.outTradeNo}, not ${order.outTradeNo}` };
    }
    const problem = this.mismatch(statement, order);
    if (problem) return { kind: 'error', reason: `provider query answer ignored: ${problem}` };
    return statement.paid ? { kind: 'paid', statement, answer } : { kind: 'unpaid' };
  }

  private mismatch(statement: ProviderStatement, order: OrderRow): string | null {
    if (statement.mchid !== undefined && statement.mchid !== this.config.merchantId) {
      return `mchid ${statement.mchid} is not this merchant's`;
    }
    if (statement.totalFee !== order.totalFee) {
      return `total_fee ${statement.totalFee} differs from the order's ${order.totalFee}`;
    }
    return null;
  }

  /**
   * Applies a notify whose body passed the schema. Throws ApiError (4xx) and changes nothing when it is not
   * acceptable; otherwise the order is paid (or failed) in one durable transaction before this resolves. A store
   * that cannot make it durable rejects (StoreUnavailableError: answered 503, so the provider retries).
   */
  async applyNotify(fields: Record<string, string>): Promise<NotifyOutcome> {
    if (!verifySign(fields, this.config.merchantKey)) {
      throw new ApiError(400, 'bad_sign', 'The sign does not match the fields and the merchant key; nothing changed');
    }
    const statement = this.dialect.readNotify(fields);
    if (statement.mchid !== this.config.merchantId) {
      throw new ApiError(400, 'wrong_mchid', `mchid ${statement.mchid} is not this merchant's; nothing changed`);
    }
    const order = await this.store.getOrder(statement.outTradeNo);
    if (!order) {
      throw new ApiError(404, 'unknown_order', `No order ${statement.outTradeNo}; nothing changed`);
    }
    if (statement.totalFee !== order.totalFee) {
      throw new ApiError(
        400,
        'wrong_amount',
        `total_fee ${fields.total_fee} differs from order ${order.outTradeNo}'s ${order.totalFee}; nothing changed`,
      );
    }
    const at = this.clock.now();
    if (!statement.paid) {
      const changed = await this.store.markFailed({
        outTradeNo: order.outTradeNo,
        providerOrderId: statement.providerOrderId,
        at,
        fields,
      });
      return { kind: 'failed', changed };
    }
    const result = await this.store.markPaid(
      {
        outTradeNo: order.outTradeNo,
        providerOrderId: statement.providerOrderId,
        transactionId: statement.transactionId,
        openid: statement.openid,
        at,
        source: 'notify',
        fields,
      },
      { fulfillment: this.fulfillment },
    );
    if (result.kind === 'unknown-order') {
      throw new ApiError(404, 'unknown_order', `No order ${statement.outTradeNo}; nothing changed`);
    }
    if (result.kind === 'paid') {
      this.onPaid(result.order);
      return { kind: 'paid', order: result.order };
    }
    return { kind: 'repeat', order: result.order };
  }

  shutdown(): void {
    this.events.shutdown();
  }
}
