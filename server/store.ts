// The order store: SQLite (better-sqlite3) in WAL mode under DATA_DIR, schema migrated at start.
// Every state change is one statement or one transaction, committed with synchronous=FULL before the HTTP answer
// goes out, so a process killed at any moment loses no notify it has answered `success` to.

import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { OrderStatus } from '../typings/api';

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
  providerOrderId: string | null;
  transactionId: string | null;
  /** the money arrived after the order had expired: paid anyway, flagged for a person to look at */
  paidAfterExpiry: boolean;
  firstCheckAt: number | null;
}

/** What order creation knows; the rest of a row is learned later (payment, checks). */
export type NewOrder = Omit<OrderRow, 'status' | 'paidAt' | 'providerOrderId' | 'transactionId' | 'paidAfterExpiry' | 'firstCheckAt'>;

export interface PaymentRecord {
  outTradeNo: string;
  providerOrderId: string | null;
  transactionId: string | null;
  paidAt: number;
  /** 'notify' or 'query' */
  source: string;
  /** the verified fields as received, for audit */
  fields: Record<string, unknown>;
}

export type MarkPaidResult =
  | { kind: 'paid'; order: OrderRow }
  | { kind: 'already-paid'; order: OrderRow }
  | { kind: 'unknown-order' };

// Each entry moves the schema one version up; the index is the version it produces minus one.
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE orders (
     out_trade_no      TEXT PRIMARY KEY,
     order_token_hash  TEXT NOT NULL,
     sku               TEXT NOT NULL,
     quantity          INTEGER NOT NULL,
     total_fee         INTEGER NOT NULL CHECK (total_fee > 0),
     body              TEXT NOT NULL,
     attach            TEXT,
     status            TEXT NOT NULL CHECK (status IN ('pending','paid','failed','expired')),
     provider          TEXT NOT NULL,
     created_at        INTEGER NOT NULL,
     expires_at        INTEGER NOT NULL,
     paid_at           INTEGER,
     provider_order_id TEXT,
     transaction_id    TEXT,
     paid_after_expiry INTEGER NOT NULL DEFAULT 0,
     first_check_at    INTEGER
   );
   CREATE INDEX orders_pending_expiry ON orders (status, expires_at);
   CREATE TABLE payment_events (
     id            INTEGER PRIMARY KEY AUTOINCREMENT,
     out_trade_no  TEXT NOT NULL REFERENCES orders (out_trade_no),
     kind          TEXT NOT NULL,
     source        TEXT NOT NULL,
     received_at   INTEGER NOT NULL,
     fields_json   TEXT NOT NULL
   );`,
];

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
  paid_after_expiry: number;
  first_check_at: number | null;
}

function toOrder(raw: RawOrder): OrderRow {
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
    paidAfterExpiry: raw.paid_after_expiry === 1,
    firstCheckAt: raw.first_check_at,
  };
}

export class OrderStore {
  private readonly db: Database.Database;
  private readonly statements;

  constructor(dataDir: string) {
    fs.mkdirSync(dataDir, { recursive: true });
    this.db = new Database(path.join(dataDir, 'orders.sqlite3'));
    this.db.pragma('journal_mode = WAL');
    // FULL: the commit is on disk before `success` is answered (WAL + NORMAL could lose it on power loss)
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.migrate();
    this.statements = {
      insert: this.db.prepare(
        `INSERT INTO orders (out_trade_no, order_token_hash, sku, quantity, total_fee, body, attach, status, provider,
                             created_at, expires_at)
         VALUES (@outTradeNo, @orderTokenHash, @sku, @quantity, @totalFee, @body, @attach, 'pending', @provider,
                 @createdAt, @expiresAt)`,
      ),
      get: this.db.prepare<[string], RawOrder>('SELECT * FROM orders WHERE out_trade_no = ?'),
      expire: this.db.prepare(
        `UPDATE orders SET status = 'expired' WHERE out_trade_no = ? AND status = 'pending' AND expires_at <= ?`,
      ),
      firstCheck: this.db.prepare(
        'UPDATE orders SET first_check_at = ? WHERE out_trade_no = ? AND first_check_at IS NULL',
      ),
      providerOrderId: this.db.prepare(
        'UPDATE orders SET provider_order_id = ? WHERE out_trade_no = ? AND provider_order_id IS NULL',
      ),
      markPaid: this.db.prepare(
        `UPDATE orders SET status = 'paid', paid_at = @paidAt,
                provider_order_id = COALESCE(@providerOrderId, provider_order_id),
                transaction_id = COALESCE(@transactionId, transaction_id),
                paid_after_expiry = CASE WHEN status = 'expired' OR expires_at <= @paidAt THEN 1 ELSE 0 END
          WHERE out_trade_no = @outTradeNo AND status <> 'paid'`,
      ),
      markFailed: this.db.prepare(
        `UPDATE orders SET status = 'failed',
                provider_order_id = COALESCE(@providerOrderId, provider_order_id)
          WHERE out_trade_no = @outTradeNo AND status = 'pending'`,
      ),
      event: this.db.prepare(
        `INSERT INTO payment_events (out_trade_no, kind, source, received_at, fields_json)
         VALUES (?, ?, ?, ?, ?)`,
      ),
      events: this.db.prepare<[string], { kind: string; source: string; received_at: number; fields_json: string }>(
        'SELECT kind, source, received_at, fields_json FROM payment_events WHERE out_trade_no = ? ORDER BY id',
      ),
    };
  }

  private migrate(): void {
    const current = this.db.pragma('user_version', { simple: true }) as number;
    if (current > MIGRATIONS.length) {
      throw new Error(
        `The data folder's schema (version ${current}) is newer than this server knows (${MIGRATIONS.length}); ` +
          'run a newer server or point DATA_DIR at another folder',
      );
    }
    for (let version = current; version < MIGRATIONS.length; version++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[version]);
        this.db.pragma(`user_version = ${version + 1}`);
      })();
    }
  }

  insert(order: NewOrder): void {
    this.statements.insert.run(order);
  }

  get(outTradeNo: string): OrderRow | undefined {
    const raw = this.statements.get.get(outTradeNo);
    return raw ? toOrder(raw) : undefined;
  }

  /** Moves a pending order past its expiry to `expired`; true when it did. */
  expireIfDue(outTradeNo: string, now: number): boolean {
    return this.statements.expire.run(outTradeNo, now).changes === 1;
  }

  recordFirstCheck(outTradeNo: string, now: number): void {
    this.statements.firstCheck.run(now, outTradeNo);
  }

  /** Remembers a provider order id hinted by the client; never overwrites one the provider itself sent. */
  rememberProviderOrderId(outTradeNo: string, providerOrderId: string): void {
    this.statements.providerOrderId.run(providerOrderId, outTradeNo);
  }

  /** Pending/expired/failed -> paid exactly once, with its audit record, in one transaction. */
  markPaid(payment: PaymentRecord): MarkPaidResult {
    return this.db.transaction((): MarkPaidResult => {
      if (!this.statements.get.get(payment.outTradeNo)) return { kind: 'unknown-order' };
      const changed = this.statements.markPaid.run({
        outTradeNo: payment.outTradeNo,
        paidAt: payment.paidAt,
        providerOrderId: payment.providerOrderId,
        transactionId: payment.transactionId,
      }).changes;
      this.statements.event.run(
        payment.outTradeNo,
        changed === 1 ? 'paid' : 'repeat',
        payment.source,
        payment.paidAt,
        JSON.stringify(payment.fields),
      );
      const order = toOrder(this.statements.get.get(payment.outTradeNo) as RawOrder);
      return { kind: changed === 1 ? 'paid' : 'already-paid', order };
    })();
  }

  /** Pending -> failed (a verified "not paid" from the provider); a paid order stays paid. */
  markFailed(outTradeNo: string, providerOrderId: string | null, fields: Record<string, unknown>, now: number): boolean {
    return this.db.transaction(() => {
      const changed = this.statements.markFailed.run({ outTradeNo, providerOrderId }).changes === 1;
      this.statements.event.run(outTradeNo, changed ? 'failed' : 'failed-ignored', 'notify', now, JSON.stringify(fields));
      return changed;
    })();
  }

  events(outTradeNo: string): { kind: string; source: string; receivedAt: number; fields: unknown }[] {
    return this.statements.events.all(outTradeNo).map((row) => ({
      kind: row.kind,
      source: row.source,
      receivedAt: row.received_at,
      fields: JSON.parse(row.fields_json),
    }));
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
