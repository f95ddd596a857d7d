// The order store on PostgreSQL: what several backend instances share. Every state change is one statement (data-
// modifying CTEs) or one transaction, committed before the HTTP answer goes out, so concurrent notifies on different
// instances mark an order paid exactly once and a killed instance loses nothing it answered `success` to.
//
// Exactly once: the paid transition is `UPDATE ... WHERE status <> 'paid'`. At READ COMMITTED a second concurrent
// UPDATE of the same row waits for the first to commit, then re-checks its WHERE against the new row and changes
// nothing; it becomes a counted repeat (orders.repeat_notifies), never a second payment, audit row or outbox entry.
//
// Wake-ups: a status change sends pg_notify(channel, out_trade_no) inside the statement that makes it, so the
// notification is delivered exactly when the change commits (never before, never lost between commit and publish).

import os from 'node:os';
import type pg from 'pg';
import type { OrderStatus } from '../../../typings/api';
import type { MarkPaidResult, NewOrder, OrderRow, PaymentRecord } from '../../store';
import { openPool, type PgSettings } from './connection';
import { migrate, type MigrationReport } from './migrate';
import { MIGRATIONS } from './schema';

/** The wake-up channel (LISTEN/NOTIFY); its payload is the order's out_trade_no. */
export const ORDER_CHANNEL = 'xwjf_order_changed';

export interface PgOrderRow extends OrderRow {
  /** notifies (paid or not) that arrived after the order had settled: counted, not stored */
  repeatNotifies: number;
  /** the last provider query of this order by any instance (the shared rate-limit slot) */
  lastQueryAt: number | null;
}

export interface OutboxEntry {
  outTradeNo: string;
  payload: Record<string, unknown>;
  attempts: number;
  createdAt: number;
}

interface RawOrder {
  out_trade_no: string;
  order_token_hash: string;
  sku: string;
  quantity: number;
  total_fee: number;
  body: string;
  attach: string | null;
  status: OrderStatus;
  provider: string;
  created_at: number;
  expires_at: number;
  paid_at: number | null;
  provider_order_id: string | null;
  transaction_id: string | null;
  paid_after_expiry: boolean;
  first_check_at: number | null;
  repeat_notifies: number;
  last_query_at: number | null;
}

function toOrder(raw: RawOrder): PgOrderRow {
  return {
    outTradeNo: raw.out_trade_no,
    orderTokenHash: raw.order_token_hash,
    sku: raw.sku,
    quantity: raw.quantity,
    totalFee: raw.total_fee,
    body: raw.body,
    attach: raw.attach,
    status: raw.status,
    provider: raw.provider,
    createdAt: raw.created_at,
    expiresAt: raw.expires_at,
    paidAt: raw.paid_at,
    providerOrderId: raw.provider_order_id,
    transactionId: raw.transaction_id,
    paidAfterExpiry: raw.paid_after_expiry,
    firstCheckAt: raw.first_check_at,
    repeatNotifies: raw.repeat_notifies,
    lastQueryAt: raw.last_query_at,
  };
}

const ORDER_COLUMNS = `out_trade_no, order_token_hash, sku, quantity, total_fee, body, attach, status, provider, created_at,
  expires_at, paid_at, provider_order_id, transaction_id, paid_after_expiry, first_check_at, repeat_notifies, last_query_at`;

// $1 out_trade_no, $2 paid_at, $3 provider order id, $4 transaction id, $5 source, $6 fields (json), $7 channel
const MARK_PAID = `
  WITH paid AS (
    UPDATE orders SET status = 'paid', paid_at = $2,
           provider_order_id = COALESCE($3, provider_order_id),
           transaction_id = COALESCE($4, transaction_id),
           paid_after_expiry = (status = 'expired' OR expires_at <= $2)
     WHERE out_trade_no = $1 AND status <> 'paid'
    RETURNING *
  ), audit AS (
    INSERT INTO payment_events (out_trade_no, kind, source, received_at, fields)
    SELECT out_trade_no, 'paid', $5, $2, $6::jsonb FROM paid
  ), outbox AS (
    INSERT INTO fulfilment_outbox (out_trade_no, payload, created_at, next_attempt_at)
    SELECT out_trade_no,
           jsonb_build_object('outTradeNo', out_trade_no, 'sku', sku, 'quantity', quantity, 'totalFee', total_fee,
                              'paidAt', paid_at, 'providerOrderId', provider_order_id, 'transactionId', transaction_id,
                              'attach', attach, 'paidAfterExpiry', paid_after_expiry, 'openid', $6::jsonb ->> 'openid'),
           $2, $2
      FROM paid
  )
  SELECT ${ORDER_COLUMNS}, pg_notify($7, out_trade_no)::text AS notified FROM paid`;

const COUNT_REPEAT = `
  UPDATE orders SET repeat_notifies = repeat_notifies + 1 WHERE out_trade_no = $1 RETURNING ${ORDER_COLUMNS}`;

// $1 out_trade_no, $2 provider order id, $3 now, $4 fields (json), $5 channel
const MARK_FAILED = `
  WITH failed AS (
    UPDATE orders SET status = 'failed', provider_order_id = COALESCE($2, provider_order_id)
     WHERE out_trade_no = $1 AND status = 'pending'
    RETURNING out_trade_no
  ), audit AS (
    INSERT INTO payment_events (out_trade_no, kind, source, received_at, fields)
    SELECT out_trade_no, 'failed', 'notify', $3, $4::jsonb FROM failed
  )
  SELECT pg_notify($5, out_trade_no)::text AS notified FROM failed`;

const EXPIRE = `
  WITH expired AS (
    UPDATE orders SET status = 'expired' WHERE out_trade_no = $1 AND status = 'pending' AND expires_at <= $2
    RETURNING out_trade_no
  )
  SELECT pg_notify($3, out_trade_no)::text AS notified FROM expired`;

export class PostgresOrderStore {
  private constructor(
    readonly pool: pg.Pool,
    readonly migration: MigrationReport,
    private readonly instanceId: string,
  ) {}

  /** Connects (a clear error when the database cannot be reached), migrates under the advisory lock, and answers. */
  static async open(settings: PgSettings, onIdleError: (error: Error) => void = () => undefined): Promise<PostgresOrderStore> {
    const pool = await openPool(settings, onIdleError);
    try {
      const migration = await migrate(pool, MIGRATIONS);
      return new PostgresOrderStore(pool, migration, `${os.hostname()}:${process.pid}`);
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error;
    }
  }

  async insert(order: NewOrder): Promise<void> {
    await this.pool.query(
      `INSERT INTO orders (out_trade_no, order_token_hash, sku, quantity, total_fee, body, attach, status, provider,
                           created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9, $10)`,
      [
        order.outTradeNo,
        order.orderTokenHash,
        order.sku,
        order.quantity,
        order.totalFee,
        order.body,
        order.attach,
        order.provider,
        order.createdAt,
        order.expiresAt,
      ],
    );
  }

  async get(outTradeNo: string): Promise<PgOrderRow | undefined> {
    const { rows } = await this.pool.query<RawOrder>(`SELECT ${ORDER_COLUMNS} FROM orders WHERE out_trade_no = $1`, [outTradeNo]);
    return rows[0] ? toOrder(rows[0]) : undefined;
  }

  /** Moves a pending order past its expiry to `expired`; true when it did (and the wake-up went out with it). */
  async expireIfDue(outTradeNo: string, now: number): Promise<boolean> {
    const { rowCount } = await this.pool.query(EXPIRE, [outTradeNo, now, ORDER_CHANNEL]);
    return rowCount === 1;
  }

  async recordFirstCheck(outTradeNo: string, now: number): Promise<void> {
    await this.pool.query('UPDATE orders SET first_check_at = $1 WHERE out_trade_no = $2 AND first_check_at IS NULL', [
      now,
      outTradeNo,
    ]);
  }

  /** Remembers a provider order id hinted by the client; never overwrites one the provider itself sent. */
  async rememberProviderOrderId(outTradeNo: string, providerOrderId: string): Promise<void> {
    await this.pool.query(
      'UPDATE orders SET provider_order_id = $1 WHERE out_trade_no = $2 AND provider_order_id IS NULL',
      [providerOrderId, outTradeNo],
    );
  }

  /**
   * Pending/expired/failed -> paid exactly once across every instance: the audit row, the fulfilment outbox entry
   * and the wake-up commit with it. Anything after that is a counted repeat.
   */
  async markPaid(payment: PaymentRecord): Promise<MarkPaidResult> {
    const paid = await this.pool.query<RawOrder>(MARK_PAID, [
      payment.outTradeNo,
      payment.paidAt,
      payment.providerOrderId,
      payment.transactionId,
      payment.source,
      JSON.stringify(payment.fields),
      ORDER_CHANNEL,
    ]);
    if (paid.rows[0]) return { kind: 'paid', order: toOrder(paid.rows[0]) };
    const repeat = await this.pool.query<RawOrder>(COUNT_REPEAT, [payment.outTradeNo]);
    if (!repeat.rows[0]) return { kind: 'unknown-order' };
    return { kind: 'already-paid', order: toOrder(repeat.rows[0]) };
  }

  /** Pending -> failed (a verified "not paid" from the provider); a paid order stays paid and the notify is counted. */
  async markFailed(
    outTradeNo: string,
    providerOrderId: string | null,
    fields: Record<string, unknown>,
    now: number,
  ): Promise<boolean> {
    const { rowCount } = await this.pool.query(MARK_FAILED, [outTradeNo, providerOrderId, now, JSON.stringify(fields), ORDER_CHANNEL]);
    if (rowCount === 1) return true;
    await this.pool.query(COUNT_REPEAT, [outTradeNo]);
    return false;
  }

  async events(outTradeNo: string): Promise<{ kind: string; source: string; receivedAt: number; fields: unknown }[]> {
    const { rows } = await this.pool.query<{ kind: string; source: string; received_at: number; fields: unknown }>(
      'SELECT kind, source, received_at, fields FROM payment_events WHERE out_trade_no = $1 ORDER BY id',
      [outTradeNo],
    );
    return rows.map((row) => ({ kind: row.kind, source: row.source, receivedAt: row.received_at, fields: row.fields }));
  }

  /**
   * Reserves the provider-query slot of a pending order for `now` when the last query by any instance is at least
   * `intervalMs` old: true means "this caller asks the provider now"; false means another instance did lately.
   */
  async reserveProviderQuery(outTradeNo: string, now: number, intervalMs: number): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `UPDATE orders SET last_query_at = $2
        WHERE out_trade_no = $1 AND status = 'pending' AND (last_query_at IS NULL OR last_query_at <= $2::bigint - $3::bigint)`,
      [outTradeNo, now, intervalMs],
    );
    return rowCount === 1;
  }

  /**
   * Claims up to `limit` due outbox entries for `leaseMs`: FOR UPDATE SKIP LOCKED lets instances claim at once
   * without waiting on or taking each other's rows; the lease makes an entry due again when its claimer dies
   * before finishing (at least once, never lost).
   */
  async claimOutbox(now: number, leaseMs: number, limit: number): Promise<OutboxEntry[]> {
    const { rows } = await this.pool.query<{ out_trade_no: string; payload: Record<string, unknown>; attempts: number; created_at: number }>(
      `UPDATE fulfilment_outbox o
          SET leased_until = $1 + $2, leased_by = $4, attempts = o.attempts + 1
        WHERE o.out_trade_no IN (
              SELECT out_trade_no FROM fulfilment_outbox
               WHERE delivered_at IS NULL AND next_attempt_at <= $1 AND (leased_until IS NULL OR leased_until <= $1)
               ORDER BY next_attempt_at
               LIMIT $3
               FOR UPDATE SKIP LOCKED)
       RETURNING o.out_trade_no, o.payload, o.attempts, o.created_at`,
      [now, leaseMs, limit, this.instanceId],
    );
    return rows.map((row) => ({ outTradeNo: row.out_trade_no, payload: row.payload, attempts: row.attempts, createdAt: row.created_at }));
  }

  async outboxDelivered(outTradeNo: string, now: number): Promise<void> {
    await this.pool.query(
      'UPDATE fulfilment_outbox SET delivered_at = $2, leased_until = NULL, last_error = NULL WHERE out_trade_no = $1',
      [outTradeNo, now],
    );
  }

  async outboxRetryAt(outTradeNo: string, nextAttemptAt: number, error: string): Promise<void> {
    await this.pool.query(
      `UPDATE fulfilment_outbox SET next_attempt_at = $2, leased_until = NULL, last_error = $3
        WHERE out_trade_no = $1 AND delivered_at IS NULL`,
      [outTradeNo, nextAttemptAt, error.slice(0, 500)],
    );
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
