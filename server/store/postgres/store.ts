// The order store on PostgreSQL (DATABASE_URL): what several backend instances share. It implements the same
// OrderStore as the SQLite store and passes the same contract suite (test/server/store-contract.ts).
//
// Exactly once across instances: the paid transition is `UPDATE ... WHERE status <> 'paid'` in a transaction with
// its audit row and outbox entry. At READ COMMITTED a second UPDATE of the same row waits for the first to commit,
// re-checks its WHERE against the new row version and changes nothing, so it becomes a counted repeat: never a second
// payment, audit row or fulfilment.
//
// Wake-ups: a status change sends pg_notify(ORDER_CHANNEL, '<sender>:<out_trade_no>') inside the transaction that
// makes it, so other instances hear of it exactly when it commits (never before, and a crash between commit and
// publish cannot lose it); this instance's own waiting checks are woken directly after the commit.
//
// Outbox: entries are claimed with FOR UPDATE SKIP LOCKED (claimers never wait on or take each other's rows) under
// a lease, so an entry whose instance died mid-delivery is due again when the lease ends: at least once, never lost.

import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { orderPaidEvent } from '../../fulfillment/event';
import {
  StoreOpenError,
  StoreUnavailableError,
  type ClaimedEntry,
  type ClaimRequest,
  type DeliveryFailure,
  type FailedStatement,
  type MarkPaidResult,
  type NewOrder,
  type OrderRow,
  type OrderStore,
  type OutboxCounts,
  type OutboxEntry,
  type PaidStatement,
  type PaymentEvent,
  type StoreHealth,
} from '../types';
import { HealthProbe } from '../health-probe';
import { toOrder, toOutbox, type OrderRecord, type OutboxRecord } from '../rows';
import { describeTarget, openPool, redact, targetText, type PgSettings } from './connection';
import type { ListenerLog } from './listener';
import { migrate, type MigrationReport } from './migrate';
import { MIGRATIONS } from './schema';
import { ORDER_CHANNEL, PgWakeups, type PgWakeupsOptions } from './wakeups';

/**
 * The stores treat a stored time far ahead of the caller's clock (a lease, a next attempt, the last provider query) as
 * a wall clock stepped back since. Here another instance wrote it, with its own clock: a time up to this much ahead is
 * the two clocks' difference, not a step. Without the margin, an instance a few ms behind another took over its
 * fresh leases and delivered the same fulfilment twice.
 */
export const CLOCK_SKEW_MS = 10_000;

const OUTBOX_COLUMNS = `out_trade_no, event, body, created_at, attempts, next_attempt_at, last_attempt_at, last_error,
  delivered_at`;

// $1 out_trade_no, $2 at, $3 source, $4 provider order id, $5 transaction id, $6 openid, $7 fields (json), $8 channel,
// $9 the wake-up payload's sender prefix
const MARK_PAID = `
  WITH paid AS (
    UPDATE orders SET status = 'paid', paid_at = $2, paid_via = $3,
           provider_order_id = COALESCE($4, provider_order_id),
           transaction_id = COALESCE($5, transaction_id),
           openid = COALESCE($6, openid),
           paid_after_expiry = (status = 'expired' OR expires_at <= $2)
     WHERE out_trade_no = $1 AND status <> 'paid'
    RETURNING *
  ), audit AS (
    INSERT INTO payment_events (out_trade_no, kind, source, received_at, fields)
    SELECT out_trade_no, 'paid', $3, $2, $7::jsonb FROM paid
  )
  SELECT paid.*, pg_notify($8, $9::text || out_trade_no)::text AS notified FROM paid`;

const COUNT_REPEAT = `
  UPDATE orders SET repeat_count = repeat_count + 1, last_repeat_at = $2 WHERE out_trade_no = $1 RETURNING *`;

const COUNT_PAID_REPEAT = `
  UPDATE orders SET repeat_count = repeat_count + 1, last_repeat_at = $2
   WHERE out_trade_no = $1 AND status = 'paid' RETURNING *`;

// $1 out_trade_no, $2 provider order id, $3 at, $4 fields (json), $5 channel, $6 sender prefix
const MARK_FAILED = `
  WITH failed AS (
    UPDATE orders SET status = 'failed', provider_order_id = COALESCE($2, provider_order_id)
     WHERE out_trade_no = $1 AND status = 'pending'
    RETURNING out_trade_no
  ), audit AS (
    INSERT INTO payment_events (out_trade_no, kind, source, received_at, fields)
    SELECT out_trade_no, 'failed', 'notify', $3, $4::jsonb FROM failed
  )
  SELECT pg_notify($5, $6::text || out_trade_no)::text AS notified FROM failed`;

const EXPIRE = `
  WITH expired AS (
    UPDATE orders SET status = 'expired' WHERE out_trade_no = $1 AND status = 'pending' AND expires_at <= $2
    RETURNING out_trade_no
  )
  SELECT pg_notify($3, $4::text || out_trade_no)::text AS notified FROM expired`;

// $1 now, $2 leaseMs, $3 limit, $4 token, $5 maxDelayMs, $6 named ids (text[] or null), $7 CLOCK_SKEW_MS.
// The CTE picks and locks the rows once (an IN (subquery) with LIMIT may be run again by the planner).
const CLAIM = `
  WITH picked AS (
    SELECT out_trade_no FROM fulfillment_outbox
     WHERE delivered_at IS NULL
       AND ($6::text[] IS NOT NULL AND out_trade_no = ANY ($6::text[])
            OR $6::text[] IS NULL
               AND (next_attempt_at <= $1::bigint OR next_attempt_at > $1::bigint + $5::bigint + $7::bigint))
       AND (leased_until IS NULL OR leased_until <= $1::bigint OR leased_until > $1::bigint + $2::bigint + $7::bigint)
     ORDER BY next_attempt_at
     LIMIT $3
     FOR UPDATE SKIP LOCKED
  )
  UPDATE fulfillment_outbox o
     SET lease_token = $4, leased_until = $1::bigint + $2::bigint, attempts = o.attempts + 1, last_attempt_at = $1
    FROM picked
   WHERE o.out_trade_no = picked.out_trade_no
  RETURNING ${OUTBOX_COLUMNS.split(',').map((c) => `o.${c.trim()}`).join(', ')}`;

/** SQLSTATE classes and node errors that mean "the database did not take this write", not a bug or a constraint. */
function isUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  if (typeof code === 'string') {
    // 08 connection exception, 53 insufficient resources, 57 operator intervention (shutdown, statement timeout),
    // 58 system error, 28 refused credentials, 3D000 no such database, 55000 database not accepting connections,
    // 25006 read-only transaction (a standby after failover), 40001/40P01 serialization failure/deadlock
    if (/^(08|28|53|57|58)/.test(code) || ['3D000', '55000', '25006', '40001', '40P01'].includes(code)) return true;
    if (/^E[A-Z]+$/.test(code)) return true; // ECONNREFUSED, ECONNRESET, ETIMEDOUT... from the socket
  }
  const message = (error as Error)?.message ?? '';
  return /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|Cannot use a pool after calling end/i.test(
    message,
  );
}

export interface PostgresStoreOptions {
  settings: PgSettings;
  log: ListenerLog & { error(fields: object, message: string): void };
  wakeups?: PgWakeupsOptions;
}

export class PostgresStore implements OrderStore {
  readonly description: string;
  readonly wakeups: PgWakeups;
  private readonly probe = new HealthProbe();

  private constructor(
    readonly pool: pg.Pool,
    private readonly settings: PgSettings,
    readonly migration: MigrationReport,
    log: PostgresStoreOptions['log'],
    wakeupOptions: PgWakeupsOptions,
  ) {
    this.description = `PostgreSQL ${targetText(describeTarget(settings.url))}`;
    this.wakeups = new PgWakeups(pool, settings, log, wakeupOptions);
  }

  /**
   * Connects (a StoreOpenError naming host, port and database, never the password, when the database cannot be
   * reached), migrates under the advisory lock, and starts LISTENing.
   */
  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    const { settings, log } = options;
    let pool: pg.Pool;
    try {
      pool = await openPool(settings, (error) =>
        log.warn({ reason: redact(error.message, settings.url) }, 'an idle database connection failed; the pool replaces it'),
      );
    } catch (error) {
      throw new StoreOpenError((error as Error).message);
    }
    let store: PostgresStore | undefined;
    try {
      const migration = await migrate(pool, MIGRATIONS);
      if (migration.applied.length > 0) log.info({ applied: migration.applied }, 'database schema migrated');
      store = new PostgresStore(pool, settings, migration, log, options.wakeups ?? {});
      await store.wakeups.start();
      return store;
    } catch (error) {
      await store?.wakeups.close().catch(() => undefined);
      await pool.end().catch(() => undefined);
      if (error instanceof StoreOpenError) throw error;
      throw new StoreOpenError(
        `Cannot use PostgreSQL ${targetText(describeTarget(settings.url))}: ${redact((error as Error).message, settings.url)}`,
      );
    }
  }

  /** Runs one database operation; a connection-level failure becomes StoreUnavailableError (the route answers 503). */
  private async run<T>(what: string, operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (isUnavailable(error)) {
        throw new StoreUnavailableError(
          `${what} could not be made in PostgreSQL ${targetText(describeTarget(this.settings.url))}: ` +
            redact((error as Error).message, this.settings.url),
        );
      }
      throw error;
    }
  }

  /** One transaction on one pooled connection; rolled back on any error. */
  private transaction<T>(what: string, body: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.run(what, async () => {
      const client = await this.pool.connect();
      let broken = false;
      // a checked-out client has no error listener of the pool's: a connection dying now would crash the process
      const onError = (): void => {
        broken = true;
      };
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const result = await body(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        broken = isUnavailable(error);
        await client.query('ROLLBACK').catch(() => {
          broken = true;
        });
        throw error;
      } finally {
        // a connection that failed mid-transaction is not handed to the next caller
        client.off('error', onError);
        client.release(broken);
      }
    });
  }

  async insertOrder(order: NewOrder): Promise<void> {
    await this.run('the new order', () =>
      this.pool.query(
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
      ),
    );
  }

  async getOrder(outTradeNo: string): Promise<OrderRow | undefined> {
    const { rows } = await this.run('reading the order', () =>
      this.pool.query<OrderRecord>('SELECT * FROM orders WHERE out_trade_no = $1', [outTradeNo]),
    );
    return rows[0] ? toOrder(rows[0]) : undefined;
  }

  async recordFirstCheck(outTradeNo: string, at: number): Promise<void> {
    await this.run('the first check', () =>
      this.pool.query('UPDATE orders SET first_check_at = $1 WHERE out_trade_no = $2 AND first_check_at IS NULL', [at, outTradeNo]),
    );
  }

  async expireIfDue(outTradeNo: string, now: number): Promise<boolean> {
    const { rowCount } = await this.run('the expiry', () => this.pool.query(EXPIRE, [outTradeNo, now, ORDER_CHANNEL, this.wakeups.payloadPrefix]));
    if (rowCount === 1) this.wakeups.deliverLocally(outTradeNo);
    return rowCount === 1;
  }

  async markPaid(statement: PaidStatement, options: { fulfillment: boolean }): Promise<MarkPaidResult> {
    // A provider retries its notify until it hears `success`: most statements about a paid order are repeats, and
    // counting one is a single autocommit statement. It only matches an order that is paid already, so it can never
    // take the place of the transition below.
    const repeat = await this.run('the repeated payment', () =>
      this.pool.query<OrderRecord>(COUNT_PAID_REPEAT, [statement.outTradeNo, statement.at]),
    );
    if (repeat.rows[0]) return { kind: 'already-paid', order: toOrder(repeat.rows[0]) };
    const result = await this.transaction('the payment', async (client): Promise<MarkPaidResult> => {
      const paid = await client.query<OrderRecord>(MARK_PAID, [
        statement.outTradeNo,
        statement.at,
        statement.source,
        statement.providerOrderId,
        statement.transactionId,
        statement.openid,
        JSON.stringify(statement.fields),
        ORDER_CHANNEL,
        this.wakeups.payloadPrefix,
      ]);
      if (paid.rows[0]) {
        const order = toOrder(paid.rows[0]);
        if (options.fulfillment) {
          await client.query(
            `INSERT INTO fulfillment_outbox (out_trade_no, event, body, created_at, next_attempt_at)
             VALUES ($1, 'order.paid', $2, $3, $3)`,
            [order.outTradeNo, JSON.stringify(orderPaidEvent(order)), statement.at],
          );
        }
        return { kind: 'paid', order };
      }
      // paid by a concurrent statement since the first look, or no such order
      const counted = await client.query<OrderRecord>(COUNT_REPEAT, [statement.outTradeNo, statement.at]);
      return counted.rows[0] ? { kind: 'already-paid', order: toOrder(counted.rows[0]) } : { kind: 'unknown-order' };
    });
    if (result.kind === 'paid') this.wakeups.deliverLocally(statement.outTradeNo);
    return result;
  }

  async markFailed(statement: FailedStatement): Promise<boolean> {
    const changed = await this.transaction('the failed payment', async (client) => {
      const failed = await client.query(MARK_FAILED, [
        statement.outTradeNo,
        statement.providerOrderId,
        statement.at,
        JSON.stringify(statement.fields),
        ORDER_CHANNEL,
        this.wakeups.payloadPrefix,
      ]);
      if (failed.rowCount === 1) return true;
      await client.query(COUNT_REPEAT, [statement.outTradeNo, statement.at]);
      return false;
    });
    if (changed) this.wakeups.deliverLocally(statement.outTradeNo);
    return changed;
  }

  async paymentEvents(outTradeNo: string): Promise<PaymentEvent[]> {
    const { rows } = await this.run('reading the payment events', () =>
      this.pool.query<{ kind: 'paid' | 'failed'; source: string; received_at: number; fields: unknown }>(
        'SELECT kind, source, received_at, fields FROM payment_events WHERE out_trade_no = $1 ORDER BY id',
        [outTradeNo],
      ),
    );
    return rows.map((row) => ({ kind: row.kind, source: row.source, receivedAt: row.received_at, fields: row.fields }));
  }

  async rememberProviderOrderIdHint(outTradeNo: string, hint: string): Promise<void> {
    await this.run('the provider order id hint', () =>
      this.pool.query(
        `UPDATE orders SET provider_order_id_hint = $2, provider_order_id_hint_rejected = false
          WHERE out_trade_no = $1 AND provider_order_id_hint IS DISTINCT FROM $2`,
        [outTradeNo, hint],
      ),
    );
  }

  async rejectProviderOrderIdHint(outTradeNo: string, hint: string): Promise<void> {
    await this.run('the rejected hint', () =>
      this.pool.query(
        'UPDATE orders SET provider_order_id_hint_rejected = true WHERE out_trade_no = $1 AND provider_order_id_hint = $2',
        [outTradeNo, hint],
      ),
    );
  }

  async claimProviderQuery(outTradeNo: string, now: number, intervalMs: number): Promise<boolean> {
    // one conditional UPDATE: of instances racing for the slot, the row lock lets exactly one through
    const { rowCount } = await this.run('the provider query time', () =>
      this.pool.query(
        `UPDATE orders SET last_provider_query_at = $2
          WHERE out_trade_no = $1
            AND (last_provider_query_at IS NULL OR last_provider_query_at + $3::bigint <= $2::bigint
                 OR last_provider_query_at > $2::bigint + $3::bigint + $4::bigint)`,
        [outTradeNo, now, intervalMs, CLOCK_SKEW_MS],
      ),
    );
    return rowCount === 1;
  }

  async claimDeliveries(request: ClaimRequest): Promise<ClaimedEntry[]> {
    const token = randomBytes(12).toString('base64url');
    const { rows } = await this.run('the delivery claim', () =>
      this.pool.query<OutboxRecord>(CLAIM, [
        request.now,
        request.leaseMs,
        request.limit,
        token,
        request.maxDelayMs,
        request.outTradeNos ? [...request.outTradeNos] : null,
        CLOCK_SKEW_MS,
      ]),
    );
    // RETURNING does not keep the subquery's order
    return rows.map((raw) => ({ ...toOutbox(raw), leaseToken: token })).sort((a, b) => a.nextAttemptAt - b.nextAttemptAt);
  }

  async completeDelivery(outTradeNo: string, leaseToken: string, at: number): Promise<boolean> {
    const { rowCount } = await this.run('the delivery', () =>
      this.pool.query(
        `UPDATE fulfillment_outbox SET delivered_at = $3, lease_token = NULL, leased_until = NULL, last_error = NULL
          WHERE out_trade_no = $1 AND lease_token = $2 AND delivered_at IS NULL`,
        [outTradeNo, leaseToken, at],
      ),
    );
    return rowCount === 1;
  }

  async failDelivery(outTradeNo: string, leaseToken: string, failure: DeliveryFailure): Promise<boolean> {
    const { rowCount } = await this.run('the failed delivery', () =>
      this.pool.query(
        `UPDATE fulfillment_outbox SET last_error = $3, next_attempt_at = $4, lease_token = NULL, leased_until = NULL
          WHERE out_trade_no = $1 AND lease_token = $2 AND delivered_at IS NULL`,
        [outTradeNo, leaseToken, failure.error.slice(0, 500), failure.nextAttemptAt],
      ),
    );
    return rowCount === 1;
  }

  async outboxEntry(outTradeNo: string): Promise<OutboxEntry | undefined> {
    const { rows } = await this.run('reading the outbox', () =>
      this.pool.query<OutboxRecord>(`SELECT ${OUTBOX_COLUMNS} FROM fulfillment_outbox WHERE out_trade_no = $1`, [outTradeNo]),
    );
    return rows[0] ? toOutbox(rows[0]) : undefined;
  }

  async outboxCounts(): Promise<OutboxCounts> {
    const { rows } = await this.run('counting the outbox', () =>
      this.pool.query<OutboxCounts>(
        `SELECT (COUNT(*) FILTER (WHERE delivered_at IS NULL))::int AS pending,
                (COUNT(*) FILTER (WHERE delivered_at IS NOT NULL))::int AS delivered
           FROM fulfillment_outbox`,
      ),
    );
    return rows[0];
  }

  /**
   * A write, not a SELECT 1: a database that went read-only (a standby after failover) counts as down. The LISTEN
   * connection is not part of it: while it reconnects, checks still answer (woken late, by their resync).
   */
  async health(): Promise<StoreHealth> {
    return this.probe.health(() =>
      this.run('the health probe', () =>
        this.pool.query('INSERT INTO store_probe (id, at) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET at = excluded.at', [
          Date.now(),
        ]),
      ),
    );
  }

  async close(): Promise<void> {
    await this.wakeups.close();
    await this.pool.end().catch(() => undefined);
  }
}
