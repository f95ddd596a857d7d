// The payment domain, kept apart from HTTP: create orders, apply provider statements (notify or query) exactly once,
// and answer checks, long-polling on in-process events. Routes are thin wrappers around this.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { CreateOrderResponse, PayCheckResponse } from '../typings/api';
import type { PayParams } from '../typings/provider';
import type { Catalog } from './catalog';
import type { ServerConfig } from './config';
import { ApiError } from '../common/errors';
import { postForm } from '../common/http-client';
import { OrderEvents } from './order-events';
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

export class Payments {
  readonly events = new OrderEvents();
  private readonly dialect;
  /** when each pending order last asked the provider: the rate limit, and "asked after its lifetime" before expiry */
  private readonly lastQueryAt = new Map<string, number>();
  private readonly inflightQueries = new Map<string, Promise<void>>();
  private lastQuerySweepAt = 0;

  constructor(
    private readonly config: ServerConfig,
    private readonly store: OrderStore,
    private readonly catalog: Catalog,
    private readonly log: FastifyBaseLogger,
    private readonly now: () => number = Date.now,
  ) {
    this.dialect = DIALECTS[config.provider];
  }

  get notifyRequired(): readonly string[] {
    return this.dialect.notifyRequired;
  }

  createOrder(sku: string, quantity: number): CreateOrderResponse {
    const product = this.catalog.find(sku);
    if (!product) {
      const known = this.catalog.products.map((p) => p.sku).join(', ');
      throw new ApiError(400, 'unknown_sku', `No product with sku "${sku}"; known skus: ${known}`);
    }
    const createdAt = this.now();
    const totalFee = product.totalFee * quantity;
    const body = truncateChars(quantity > 1 ? `${product.title} x${quantity}` : product.title, BODY_MAX);
    const attach = truncateChars(`sku=${sku}&quantity=${quantity}`, ATTACH_MAX);
    const outTradeNo = newOutTradeNo(new Date(createdAt));
    const orderToken = randomBytes(24).toString('base64url');
    const expiresAt = createdAt + this.config.orderTtlMs;
    this.store.insert({
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

  /** An order left `pending`: announce it to waiting checks and drop its per-order query state. */
  private settled(outTradeNo: string): void {
    this.lastQueryAt.delete(outTradeNo);
    this.events.changed(outTradeNo);
  }

  private expire(order: OrderRow): void {
    if (this.store.expireIfDue(order.outTradeNo, this.now())) {
      this.log.info({ outTradeNo: order.outTradeNo }, 'order expired unpaid');
      this.settled(order.outTradeNo);
    }
  }

  private authorized(outTradeNo: string, orderToken: string): OrderRow {
    // no expiry here: check() asks the provider first when the user may have paid
    const order = this.store.get(outTradeNo);
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

  async check(
    request: { outTradeNo: string; orderToken: string; payjsOrderId?: string; waitMs?: number },
    signal?: AbortSignal,
  ): Promise<PayCheckResponse> {
    let order = this.authorized(request.outTradeNo, request.orderToken);
    const started = this.now();
    // the first check marks "the user came back": the provider query is due some seconds after it
    if (order.firstCheckAt === null) this.store.recordFirstCheck(order.outTradeNo, started);
    if (request.payjsOrderId && order.providerOrderId === null) {
      // a hint from the client: only ever used to ask the provider, whose signed answer must name this order
      this.store.rememberProviderOrderId(order.outTradeNo, request.payjsOrderId);
    }
    const deadline = started + (request.waitMs ?? 0);
    for (;;) {
      order = this.store.get(order.outTradeNo) as OrderRow;
      if (order.status !== 'pending') {
        this.lastQueryAt.delete(order.outTradeNo);
        return this.answer(order);
      }
      const now = this.now();
      const running = this.inflightQueries.get(order.outTradeNo);
      if (running && order.expiresAt <= now) {
        // never expire an order while a provider answer about it is on the way
        await running;
        continue;
      }
      const queryAt = this.providerQueryDueAt(order);
      if (queryAt !== null && queryAt <= now) {
        await this.queryProvider(order);
        continue;
      }
      if (queryAt === null && order.expiresAt <= now) {
        this.expire(order);
        continue;
      }
      if (now >= deadline) return this.answer(order);
      const wakeAt = Math.min(deadline, queryAt ?? order.expiresAt);
      const reason = await this.events.wait(order.outTradeNo, Math.max(1, wakeAt - now), signal);
      if (reason === 'aborted' || reason === 'shutdown') {
        return this.answer(this.store.get(order.outTradeNo) as OrderRow);
      }
    }
  }

  /**
   * When a pending order should next ask the provider, or null when it should not (any more).
   * A regular query comes providerQueryAfterMs after the first check (the user came back; the notify had its
   * chance). Past its lifetime an order the provider can be asked about asks once more before it is expired:
   * the user may have paid in the last moment with the notify still on its way, and answering `expired` would
   * offer 重新支付, a second charge. Both respect providerQueryIntervalMs, so expiry can wait up to one interval.
   */
  private providerQueryDueAt(order: OrderRow): number | null {
    if (order.firstCheckAt === null && order.providerOrderId === null) return null;
    if (order.providerOrderId === null && !this.config.providerQueryByOutTradeNo) return null;
    const last = this.lastQueryAt.get(order.outTradeNo);
    // already asked after the lifetime: the provider said unpaid (or could not answer), so it may expire
    if (last !== undefined && last >= order.expiresAt) return null;
    const regular = order.firstCheckAt === null ? order.expiresAt : order.firstCheckAt + this.config.providerQueryAfterMs;
    return Math.max(
      Math.min(regular, order.expiresAt),
      last === undefined ? 0 : last + this.config.providerQueryIntervalMs,
    );
  }

  /** One provider query per order at a time, at most one per providerQueryIntervalMs; failures are only logged. */
  private queryProvider(order: OrderRow): Promise<void> {
    const running = this.inflightQueries.get(order.outTradeNo);
    if (running) return running;
    const now = this.now();
    this.sweepQueryTimes(now);
    this.lastQueryAt.set(order.outTradeNo, now);
    const query = this.runProviderQuery(order)
      .catch((error: Error) => {
        this.log.warn({ outTradeNo: order.outTradeNo, reason: error.message }, 'provider order query failed');
      })
      .finally(() => this.inflightQueries.delete(order.outTradeNo));
    this.inflightQueries.set(order.outTradeNo, query);
    return query;
  }

  /**
   * Orders that stop being checked while pending (the user gave up) never settle in this process; an entry older
   * than one interval no longer limits anything, so dropping it bounds the map to the orders queried lately.
   */
  private sweepQueryTimes(now: number): void {
    const interval = this.config.providerQueryIntervalMs;
    if (now - this.lastQuerySweepAt < interval) return;
    this.lastQuerySweepAt = now;
    for (const [outTradeNo, at] of this.lastQueryAt) {
      if (at + interval <= now && !this.inflightQueries.has(outTradeNo)) this.lastQueryAt.delete(outTradeNo);
    }
  }

  /** How many orders the provider-query rate limit currently remembers (for tests and diagnostics). */
  get trackedQueryCount(): number {
    return this.lastQueryAt.size;
  }

  private async runProviderQuery(order: OrderRow): Promise<void> {
    const { path, fields } = this.dialect.query(
      order.providerOrderId ? { providerOrderId: order.providerOrderId } : { outTradeNo: order.outTradeNo },
      this.config.merchantId,
    );
    const signed = withSign(fields, this.config.merchantKey);
    const reply = await postForm(`${this.config.providerBaseUrl}${path}`, signed, PROVIDER_QUERY_TIMEOUT_MS);
    if (reply.status === 404) {
      this.log.info({ outTradeNo: order.outTradeNo }, 'provider query: the provider has no such order yet');
      return;
    }
    if (reply.status !== 200) throw new Error(`provider query answered HTTP ${reply.status}`);
    let answer: Record<string, unknown>;
    try {
      answer = JSON.parse(reply.text);
    } catch {
      throw new Error('provider query answered with a body that is not JSON');
    }
    const flat = Object.fromEntries(
      Object.entries(answer).map(([k, v]) => [k, typeof v === 'object' && v !== null ? JSON.stringify(v) : (v as string)]),
    );
    if (!verifySign(flat, this.config.merchantKey)) throw new Error('provider query answer has a bad sign; ignored');
    const statement = this.dialect.readQueryAnswer(answer);
    if (!statement) {
      this.log.info({ outTradeNo: order.outTradeNo }, 'provider query: the provider has no such order');
      return;
    }
    const problem = this.mismatch(statement, order);
    if (problem) throw new Error(`provider query answer ignored: ${problem}`);
    if (!statement.paid) return;
    const result = this.store.markPaid({
      outTradeNo: order.outTradeNo,
      providerOrderId: statement.providerOrderId,
      transactionId: statement.transactionId,
      paidAt: this.now(),
      source: 'query',
      fields: answer,
    });
    if (result.kind === 'paid') {
      this.log.info({ outTradeNo: order.outTradeNo }, 'order paid (found by provider query; its notify is missing)');
      this.settled(order.outTradeNo);
    }
  }

  private mismatch(statement: ProviderStatement, order: OrderRow): string | null {
    if (statement.outTradeNo !== order.outTradeNo) {
      return `it is about order ${statement.outTradeNo}, not ${order.outTradeNo}`;
    }
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
   * acceptable; otherwise the order is paid (or failed) in one transaction before this returns.
   */
  applyNotify(fields: Record<string, string>): NotifyOutcome {
    if (!verifySign(fields, this.config.merchantKey)) {
      throw new ApiError(400, 'bad_sign', 'The sign does not match the fields and the merchant key; nothing changed');
    }
    const statement = this.dialect.readNotify(fields);
    if (statement.mchid !== this.config.merchantId) {
      throw new ApiError(400, 'wrong_mchid', `mchid ${statement.mchid} is not this merchant's; nothing changed`);
    }
    const order = this.store.get(statement.outTradeNo);
    if (!order) {
      throw new ApiError(404, 'unknown_order', `No order ${statement.outTradeNo}; nothing changed`);
    }
    if (!Number.isInteger(statement.totalFee) || statement.totalFee !== order.totalFee) {
      throw new ApiError(
        400,
        'wrong_amount',
        `total_fee ${fields.total_fee} differs from order ${order.outTradeNo}'s ${order.totalFee}; nothing changed`,
      );
    }
    const now = this.now();
    if (!statement.paid) {
      const changed = this.store.markFailed(order.outTradeNo, statement.providerOrderId, fields, now);
      if (changed) this.settled(order.outTradeNo);
      return { kind: 'failed', changed };
    }
    const result = this.store.markPaid({
      outTradeNo: order.outTradeNo,
      providerOrderId: statement.providerOrderId,
      transactionId: statement.transactionId,
      paidAt: now,
      source: 'notify',
      fields,
    });
    if (result.kind === 'unknown-order') {
      throw new ApiError(404, 'unknown_order', `No order ${statement.outTradeNo}; nothing changed`);
    }
    if (result.kind === 'paid') this.settled(order.outTradeNo);
    return result.kind === 'paid' ? { kind: 'paid', order: result.order } : { kind: 'repeat', order: result.order };
  }

  shutdown(): void {
    this.events.shutdown();
  }
}
