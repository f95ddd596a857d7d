// The embedded store: SQLite (better-sqlite3) in WAL mode, one file under DATA_DIR, for one server process.
// Every state change is one transaction committed with synchronous=FULL before the method resolves, so a process
// killed at any moment loses nothing it has acknowledged.
//
// It also notices trouble instead of carrying on in a ghost: the file is checked (PRAGMA quick_check) before the
// server starts, and every operation first makes sure the paths still name the files that were opened, the database
// and its write-ahead log (where commits live until a checkpoint). A data folder deleted or replaced while running, or
// only its -wal file, would otherwise keep taking writes into an unlinked inode that vanishes at the next start (or at
// a crash); here the store stops with StoreUnavailableError instead, so a notify is answered 503 and the provider
// retries, and /healthz says why.

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { orderPaidEvent } from '../fulfillment/event';
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
} from './types';
import { toOrder, toOutbox, type OrderRecord, type OutboxRecord } from './rows';
import { HealthProbe } from './health-probe';
import { InProcessWakeups } from './wakeups';

export const SQLITE_FILE_NAME = 'orders.sqlite3';

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
  // Version 2: provider order id hints apart from verified ids, the provider query rate state, repeat counts instead
  // of a row per replayed notify, the fulfilment outbox, and a row for the health probe to write.
  `ALTER TABLE orders ADD COLUMN provider_order_id_hint TEXT;
   ALTER TABLE orders ADD COLUMN provider_order_id_hint_rejected INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE orders ADD COLUMN paid_via TEXT;
   ALTER TABLE orders ADD COLUMN openid TEXT;
   ALTER TABLE orders ADD COLUMN last_provider_query_at INTEGER;
   ALTER TABLE orders ADD COLUMN repeat_count INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE orders ADD COLUMN last_repeat_at INTEGER;
   -- version 1 kept a client's hint in provider_order_id; on an order never settled by the provider it is only a hint
   UPDATE orders SET provider_order_id_hint = provider_order_id, provider_order_id = NULL
    WHERE status IN ('pending', 'expired') AND provider_order_id IS NOT NULL;
   UPDATE orders SET paid_via = (SELECT source FROM payment_events e
                                  WHERE e.out_trade_no = orders.out_trade_no AND e.kind = 'paid' ORDER BY id LIMIT 1)
    WHERE status = 'paid';
   UPDATE orders SET
     repeat_count = (SELECT COUNT(*) FROM payment_events e
                      WHERE e.out_trade_no = orders.out_trade_no AND e.kind IN ('repeat', 'failed-ignored')),
     last_repeat_at = (SELECT MAX(received_at) FROM payment_events e
                        WHERE e.out_trade_no = orders.out_trade_no AND e.kind IN ('repeat', 'failed-ignored'));
   DELETE FROM payment_events WHERE kind IN ('repeat', 'failed-ignored');
   CREATE TABLE fulfillment_outbox (
     out_trade_no    TEXT PRIMARY KEY REFERENCES orders (out_trade_no),
     event           TEXT NOT NULL,
     body            TEXT NOT NULL,
     created_at      INTEGER NOT NULL,
     attempts        INTEGER NOT NULL DEFAULT 0,
     next_attempt_at INTEGER NOT NULL,
     last_attempt_at INTEGER,
     last_error      TEXT,
     delivered_at    INTEGER,
     lease_token     TEXT,
     leased_until    INTEGER
   );
   CREATE INDEX fulfillment_outbox_due ON fulfillment_outbox (next_attempt_at) WHERE delivered_at IS NULL;
   CREATE TABLE store_probe (id INTEGER PRIMARY KEY CHECK (id = 1), at INTEGER NOT NULL);`,
];

/** SQLite result codes that mean "the write did not become durable", as opposed to a bug or a constraint. */
const UNAVAILABLE_CODES = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|READONLY|CANTOPEN|CORRUPT|NOTADB|PROTOCOL|NOMEM|PERM)/;

function sqliteCode(error: unknown): string {
  return typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : '';
}

interface FileIdentity {
  dev: number;
  ino: number;
}

/** A file the store must keep using: where it is, what it was at start, and what to say when it is not any more. */
interface WatchedFile {
  path: string;
  /** held open, so that its inode cannot be reused by a new file while the server runs */
  fd: number;
  identity: FileIdentity;
  /** the reason given when the path names nothing (`code`: the errno code) */
  removed(code: string): string;
  /** the reason given when the path names another file */
  replaced: string;
  /** the write-ahead log: when it is gone, first copy what it holds into the database through the handle still open */
  salvage?: boolean;
}

/** The database and its write-ahead log, where commits live until a checkpoint: losing either loses them. */
function watchedFiles(file: string): WatchedFile[] {
  const wal = `${file}-wal`;
  const files: Omit<WatchedFile, 'fd' | 'identity'>[] = [
    {
      path: file,
      removed: (code) =>
        `the database ${file} was removed while the server ran (${code}): writes would be lost at the next start; ` +
        'restore the data folder and restart the server',
      replaced:
        `the database ${file} was replaced by another file while the server ran: writes would go to the old one; ` +
        'restart the server to use the new file',
    },
    {
      path: wal,
      salvage: true,
      removed: (code) =>
        `the write-ahead log ${wal} was removed while the server ran (${code}); what it held was copied into the ` +
        'database, and nothing more is written to a log that would vanish at a crash: restart the server (and never ' +
        'delete the -wal file of a running database)',
      replaced:
        `the write-ahead log ${wal} was replaced by another file while the server ran; what the old one held was ` +
        'copied into the database: restart the server',
    },
  ];
  const opened: WatchedFile[] = [];
  try {
    for (const watched of files) {
      const fd = fs.openSync(watched.path, 'r');
      opened.push({ ...watched, fd, identity: fileIdentity(fs.fstatSync(fd)) });
    }
    return opened;
  } catch (error) {
    for (const { fd } of opened) fs.closeSync(fd);
    throw error;
  }
}

export class SqliteStore implements OrderStore {
  readonly description: string;
  readonly wakeups = new InProcessWakeups();
  private readonly statements;
  /** the database and its write-ahead log as opened at start */
  private readonly watched: WatchedFile[];
  /** why the store stopped; once set it stays set until a restart (the file it had is gone) */
  private broken: string | null = null;
  private readonly probe = new HealthProbe();

  /**
   * Opens (and creates or migrates) `<dataDir>/orders.sqlite3`. Rejects with StoreOpenError, naming the file, when
   * it is damaged, from a newer server, or cannot be opened.
   */
  static async open(dataDir: string): Promise<SqliteStore> {
    const file = path.join(dataDir, SQLITE_FILE_NAME);
    try {
      fs.mkdirSync(dataDir, { recursive: true });
    } catch (error) {
      throw new StoreOpenError(`Cannot create the data folder ${dataDir} (${(error as Error).message}); set DATA_DIR to a writable folder`);
    }
    let db: Database.Database | undefined;
    let watched: WatchedFile[] | undefined;
    try {
      db = new Database(file);
      db.pragma('journal_mode = WAL');
      // FULL: the commit is on disk before the method resolves (WAL + NORMAL could lose it on power loss)
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      db.pragma('busy_timeout = 5000');
      const problems = (db.pragma('quick_check') as { quick_check: string }[]).map((row) => row.quick_check);
      if (problems.length !== 1 || problems[0] !== 'ok') throw damaged(file, `PRAGMA quick_check: ${summary(problems)}`);
      migrate(db, file);
      // the -wal file exists from the first read on (quick_check); both are compared with what the paths name later
      watched = watchedFiles(file);
      return new SqliteStore(file, db, watched);
    } catch (error) {
      db?.close();
      for (const { fd } of watched ?? []) fs.closeSync(fd);
      if (error instanceof StoreOpenError) throw error;
      const code = sqliteCode(error);
      if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') throw damaged(file, (error as Error).message);
      throw new StoreOpenError(`Cannot open the database ${file}: ${(error as Error).message}; check DATA_DIR`);
    }
  }

  private constructor(
    private readonly file: string,
    private readonly db: Database.Database,
    watched: WatchedFile[],
  ) {
    this.description = `SQLite ${file}`;
    this.watched = watched;
    this.statements = {
      insert: db.prepare(
        `INSERT INTO orders (out_trade_no, order_token_hash, sku, quantity, total_fee, body, attach, status, provider,
                             created_at, expires_at)
         VALUES (@outTradeNo, @orderTokenHash, @sku, @quantity, @totalFee, @body, @attach, 'pending', @provider,
                 @createdAt, @expiresAt)`,
      ),
      get: db.prepare<[string], OrderRecord>('SELECT * FROM orders WHERE out_trade_no = ?'),
      expire: db.prepare(
        `UPDATE orders SET status = 'expired' WHERE out_trade_no = ? AND status = 'pending' AND expires_at <= ?`,
      ),
      firstCheck: db.prepare('UPDATE orders SET first_check_at = ? WHERE out_trade_no = ? AND first_check_at IS NULL'),
      hint: db.prepare(
        `UPDATE orders SET provider_order_id_hint = @hint, provider_order_id_hint_rejected = 0
          WHERE out_trade_no = @outTradeNo AND provider_order_id_hint IS NOT @hint`,
      ),
      rejectHint: db.prepare(
        `UPDATE orders SET provider_order_id_hint_rejected = 1
          WHERE out_trade_no = @outTradeNo AND provider_order_id_hint = @hint`,
      ),
      claimQuery: db.prepare(
        `UPDATE orders SET last_provider_query_at = @now
          WHERE out_trade_no = @outTradeNo
            AND (last_provider_query_at IS NULL OR last_provider_query_at + @interval <= @now
                 OR last_provider_query_at > @now + @interval)`,
      ),
      markPaid: db.prepare(
        `UPDATE orders SET status = 'paid', paid_at = @at, paid_via = @source,
                provider_order_id = COALESCE(@providerOrderId, provider_order_id),
                transaction_id = COALESCE(@transactionId, transaction_id),
                openid = COALESCE(@openid, openid),
                paid_after_expiry = CASE WHEN status = 'expired' OR expires_at <= @at THEN 1 ELSE 0 END
          WHERE out_trade_no = @outTradeNo AND status <> 'paid'`,
      ),
      markFailed: db.prepare(
        `UPDATE orders SET status = 'failed', provider_order_id = COALESCE(@providerOrderId, provider_order_id)
          WHERE out_trade_no = @outTradeNo AND status = 'pending'`,
      ),
      repeat: db.prepare(
        'UPDATE orders SET repeat_count = repeat_count + 1, last_repeat_at = @at WHERE out_trade_no = @outTradeNo',
      ),
      event: db.prepare(
        `INSERT INTO payment_events (out_trade_no, kind, source, received_at, fields_json) VALUES (?, ?, ?, ?, ?)`,
      ),
      events: db.prepare<[string], { kind: 'paid' | 'failed'; source: string; received_at: number; fields_json: string }>(
        'SELECT kind, source, received_at, fields_json FROM payment_events WHERE out_trade_no = ? ORDER BY id',
      ),
      enqueue: db.prepare(
        `INSERT INTO fulfillment_outbox (out_trade_no, event, body, created_at, next_attempt_at)
         VALUES (@outTradeNo, 'order.paid', @body, @at, @at)`,
      ),
      dueEntries: db.prepare<{ now: number; maxDelay: number; leaseMs: number; limit: number }, { out_trade_no: string }>(
        `SELECT out_trade_no FROM fulfillment_outbox
          WHERE delivered_at IS NULL
            AND (next_attempt_at <= @now OR next_attempt_at > @now + @maxDelay)
            AND (leased_until IS NULL OR leased_until <= @now OR leased_until > @now + @leaseMs)
          ORDER BY next_attempt_at LIMIT @limit`,
      ),
      namedEntries: db.prepare<{ ids: string; now: number; leaseMs: number; limit: number }, { out_trade_no: string }>(
        `SELECT out_trade_no FROM fulfillment_outbox
          WHERE out_trade_no IN (SELECT value FROM json_each(@ids))
            AND delivered_at IS NULL
            AND (leased_until IS NULL OR leased_until <= @now OR leased_until > @now + @leaseMs)
          ORDER BY next_attempt_at LIMIT @limit`,
      ),
      lease: db.prepare<{ outTradeNo: string; now: number; leaseMs: number; token: string }, OutboxRecord>(
        `UPDATE fulfillment_outbox SET lease_token = @token, leased_until = @now + @leaseMs,
                attempts = attempts + 1, last_attempt_at = @now
          WHERE out_trade_no = @outTradeNo RETURNING *`,
      ),
      complete: db.prepare(
        `UPDATE fulfillment_outbox SET delivered_at = @at, lease_token = NULL, leased_until = NULL, last_error = NULL
          WHERE out_trade_no = @outTradeNo AND lease_token = @token AND delivered_at IS NULL`,
      ),
      fail: db.prepare(
        `UPDATE fulfillment_outbox SET last_error = @error, next_attempt_at = @nextAttemptAt,
                lease_token = NULL, leased_until = NULL
          WHERE out_trade_no = @outTradeNo AND lease_token = @token AND delivered_at IS NULL`,
      ),
      outbox: db.prepare<[string], OutboxRecord>('SELECT * FROM fulfillment_outbox WHERE out_trade_no = ?'),
      outboxCounts: db.prepare<[], { pending: number; delivered: number }>(
        `SELECT COUNT(*) FILTER (WHERE delivered_at IS NULL) AS pending,
                COUNT(*) FILTER (WHERE delivered_at IS NOT NULL) AS delivered
           FROM fulfillment_outbox`,
      ),
      probe: db.prepare('INSERT INTO store_probe (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at'),
    };
    // One process uses this file: a lease still held is one a killed process left behind.
    this.write('release old leases', () =>
      db.prepare('UPDATE fulfillment_outbox SET lease_token = NULL, leased_until = NULL WHERE lease_token IS NOT NULL').run(),
    );
  }

  /** Throws StoreUnavailableError when a path no longer names the file this store opened. */
  private ensureUsable(): void {
    if (this.broken) throw new StoreUnavailableError(this.broken);
    if (!this.db.open) throw new StoreUnavailableError(`the database ${this.file} is closed (the server is stopping)`);
    for (const watched of this.watched) {
      let current: FileIdentity | undefined;
      try {
        current = fileIdentity(fs.statSync(watched.path));
      } catch (error) {
        if (watched.salvage) this.checkpoint();
        return this.stop(watched.removed((error as NodeJS.ErrnoException).code ?? 'gone'));
      }
      if (current.dev !== watched.identity.dev || current.ino !== watched.identity.ino) {
        if (watched.salvage) this.checkpoint();
        this.stop(watched.replaced);
      }
    }
  }

  /**
   * Copies every commit still in the write-ahead log into the database file (SQLite reads the log through its own
   * handle, which outlives the file's name), so a crash after the log was deleted loses nothing acknowledged.
   */
  private checkpoint(): void {
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      // the database file itself is in trouble too: its own check says so on the next call
    }
  }

  private stop(reason: string): never {
    this.broken = reason;
    throw new StoreUnavailableError(reason);
  }

  /** A write: only into the file the server started with, checked before and after the commit. */
  private write<T>(what: string, run: () => T): T {
    this.ensureUsable();
    let result: T;
    try {
      result = run();
    } catch (error) {
      if (UNAVAILABLE_CODES.test(sqliteCode(error))) {
        throw new StoreUnavailableError(`${what} could not be written to ${this.file}: ${(error as Error).message}`);
      }
      // a constraint (a duplicate out_trade_no) or a bug; re-made here because the driver's error class belongs to
      // whichever JavaScript realm loaded the native module first, and callers may test `instanceof Error`
      throw new Error(`${what} was refused by ${this.file}: ${(error as Error).message} (${sqliteCode(error) || 'no code'})`, {
        cause: error,
      });
    }
    // removed between the check and the commit: the commit went to a file that no longer exists
    this.ensureUsable();
    return result;
  }

  private read<T>(run: () => T): T {
    this.ensureUsable();
    return run();
  }

  async insertOrder(order: NewOrder): Promise<void> {
    this.write('the new order', () => this.statements.insert.run(order));
  }

  async getOrder(outTradeNo: string): Promise<OrderRow | undefined> {
    const raw = this.read(() => this.statements.get.get(outTradeNo));
    return raw ? toOrder(raw) : undefined;
  }

  async recordFirstCheck(outTradeNo: string, at: number): Promise<void> {
    this.write('the first check', () => this.statements.firstCheck.run(at, outTradeNo));
  }

  async expireIfDue(outTradeNo: string, now: number): Promise<boolean> {
    const changed = this.write('the expiry', () => this.statements.expire.run(outTradeNo, now).changes === 1);
    if (changed) this.wakeups.deliver(outTradeNo, 'changed');
    return changed;
  }

  async markPaid(statement: PaidStatement, options: { fulfillment: boolean }): Promise<MarkPaidResult> {
    const known = this.read(() => this.statements.get.get(statement.outTradeNo));
    if (!known) return { kind: 'unknown-order' };
    // the common repeat (a provider retrying a notify it already got `success` for) costs no fsync
    if (known.status === 'paid') return { kind: 'already-paid', order: this.countRepeat(statement.outTradeNo, statement.at) };
    const result = this.write('the payment', () =>
      this.db.transaction((): MarkPaidResult => {
        const changed = this.statements.markPaid.run({
          outTradeNo: statement.outTradeNo,
          at: statement.at,
          source: statement.source,
          providerOrderId: statement.providerOrderId,
          transactionId: statement.transactionId,
          openid: statement.openid,
        }).changes === 1;
        if (changed) {
          this.statements.event.run(statement.outTradeNo, 'paid', statement.source, statement.at, JSON.stringify(statement.fields));
        } else {
          this.statements.repeat.run({ outTradeNo: statement.outTradeNo, at: statement.at });
        }
        const order = toOrder(this.statements.get.get(statement.outTradeNo) as OrderRecord);
        if (changed && options.fulfillment) {
          this.statements.enqueue.run({ outTradeNo: order.outTradeNo, body: JSON.stringify(orderPaidEvent(order)), at: statement.at });
        }
        return changed ? { kind: 'paid', order } : { kind: 'already-paid', order };
      })(),
    );
    if (result.kind === 'paid') this.wakeups.deliver(statement.outTradeNo, 'changed');
    return result;
  }

  async markFailed(statement: FailedStatement): Promise<boolean> {
    const known = this.read(() => this.statements.get.get(statement.outTradeNo));
    if (known && known.status !== 'pending') {
      this.countRepeat(statement.outTradeNo, statement.at);
      return false;
    }
    const changed = this.write('the failed payment', () =>
      this.db.transaction(() => {
        const done = this.statements.markFailed.run({
          outTradeNo: statement.outTradeNo,
          providerOrderId: statement.providerOrderId,
        }).changes === 1;
        if (done) {
          this.statements.event.run(statement.outTradeNo, 'failed', 'notify', statement.at, JSON.stringify(statement.fields));
        } else {
          this.statements.repeat.run({ outTradeNo: statement.outTradeNo, at: statement.at });
        }
        return done;
      })(),
    );
    if (changed) this.wakeups.deliver(statement.outTradeNo, 'changed');
    return changed;
  }

  /**
   * A statement that changes nothing is counted without waiting for the disk (synchronous=NORMAL for this one commit:
   * it survives a crash of the process, and only a power loss before the next full commit can lose it). Replaying a
   * notify thousands of times therefore costs no fsync each; the count is diagnostics, never money.
   */
  private countRepeat(outTradeNo: string, at: number): OrderRow {
    return this.write('the repeat count', () => {
      this.db.pragma('synchronous = NORMAL');
      try {
        this.statements.repeat.run({ outTradeNo, at });
      } finally {
        this.db.pragma('synchronous = FULL');
      }
      return toOrder(this.statements.get.get(outTradeNo) as OrderRecord);
    });
  }

  async paymentEvents(outTradeNo: string): Promise<PaymentEvent[]> {
    return this.read(() => this.statements.events.all(outTradeNo)).map((row) => ({
      kind: row.kind,
      source: row.source,
      receivedAt: row.received_at,
      fields: JSON.parse(row.fields_json),
    }));
  }

  async rememberProviderOrderIdHint(outTradeNo: string, hint: string): Promise<void> {
    this.write('the provider order id hint', () => this.statements.hint.run({ outTradeNo, hint }));
  }

  async rejectProviderOrderIdHint(outTradeNo: string, hint: string): Promise<void> {
    this.write('the rejected hint', () => this.statements.rejectHint.run({ outTradeNo, hint }));
  }

  async claimProviderQuery(outTradeNo: string, now: number, intervalMs: number): Promise<boolean> {
    return this.write(
      'the provider query time',
      () => this.statements.claimQuery.run({ outTradeNo, now, interval: intervalMs }).changes === 1,
    );
  }

  async claimDeliveries(request: ClaimRequest): Promise<ClaimedEntry[]> {
    const token = randomBytes(12).toString('base64url');
    const rows = this.write('the delivery claim', () =>
      this.db.transaction(() => {
        const ids = request.outTradeNos
          ? this.statements.namedEntries.all({
              ids: JSON.stringify(request.outTradeNos),
              now: request.now,
              leaseMs: request.leaseMs,
              limit: request.limit,
            })
          : this.statements.dueEntries.all({
              now: request.now,
              maxDelay: request.maxDelayMs,
              leaseMs: request.leaseMs,
              limit: request.limit,
            });
        return ids.map(({ out_trade_no }) =>
          this.statements.lease.get({ outTradeNo: out_trade_no, now: request.now, leaseMs: request.leaseMs, token }) as OutboxRecord,
        );
      })(),
    );
    return rows.map((raw) => ({ ...toOutbox(raw), leaseToken: token }));
  }

  async completeDelivery(outTradeNo: string, leaseToken: string, at: number): Promise<boolean> {
    return this.write('the delivery', () => this.statements.complete.run({ outTradeNo, token: leaseToken, at }).changes === 1);
  }

  async failDelivery(outTradeNo: string, leaseToken: string, failure: DeliveryFailure): Promise<boolean> {
    return this.write(
      'the failed delivery',
      () =>
        this.statements.fail.run({
          outTradeNo,
          token: leaseToken,
          error: failure.error.slice(0, 500),
          nextAttemptAt: failure.nextAttemptAt,
        }).changes === 1,
    );
  }

  async outboxEntry(outTradeNo: string): Promise<OutboxEntry | undefined> {
    const raw = this.read(() => this.statements.outbox.get(outTradeNo));
    return raw ? toOutbox(raw) : undefined;
  }

  async outboxCounts(): Promise<OutboxCounts> {
    return this.read(() => this.statements.outboxCounts.get() as OutboxCounts);
  }

  async health(): Promise<StoreHealth> {
    // the files' identity is checked on every call, the write at most once a second
    return this.probe.health(
      () => this.write('the health probe', () => this.statements.probe.run(Date.now())),
      () => this.ensureUsable(),
    );
  }

  async close(): Promise<void> {
    await this.wakeups.close();
    if (this.db.open) {
      this.db.close();
      for (const { fd } of this.watched) fs.closeSync(fd);
    }
  }
}

function fileIdentity(stats: fs.Stats): FileIdentity {
  return { dev: stats.dev, ino: stats.ino };
}

/** The first findings of an integrity check, on one line. */
function summary(problems: string[]): string {
  const lines = problems
    .flatMap((text) => text.split('\n'))
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('***'));
  return lines.slice(0, 3).join('; ') + (lines.length > 3 ? `; and ${lines.length - 3} more` : '');
}

function damaged(file: string, detail: string): StoreOpenError {
  return new StoreOpenError(
    `The database ${file} is damaged (${detail}). The server will not run on it: restore the file from a backup, ` +
      'or move it aside to start with an empty one',
  );
}

function migrate(db: Database.Database, file: string): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new StoreOpenError(
      `The database ${file} has schema version ${current}, newer than this server knows (${MIGRATIONS.length}); ` +
        'run a newer server or point DATA_DIR at another folder',
    );
  }
  for (let version = current; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version]);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
