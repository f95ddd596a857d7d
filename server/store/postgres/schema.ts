// The PostgreSQL schema, as migrations (migrate.ts applies them under an advisory lock). Entry i produces version
// i + 1; a released entry never changes, a change is a new entry.
//
// Times are BIGINT milliseconds since the epoch, as in the SQLite store, so both stores hand the same rows to the
// payment code. The audit trail keeps what changed an order; repeated notifies of a paid order only count up
// orders.repeat_notifies (a provider retrying for days must not grow a table row by row).

export const MIGRATIONS: readonly string[] = [
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
     created_at        BIGINT NOT NULL,
     expires_at        BIGINT NOT NULL,
     paid_at           BIGINT,
     provider_order_id TEXT,
     transaction_id    TEXT,
     paid_after_expiry BOOLEAN NOT NULL DEFAULT false,
     first_check_at    BIGINT,
     repeat_notifies   INTEGER NOT NULL DEFAULT 0,
     last_repeat_at    BIGINT,
     -- the provider-query slot, shared by every instance: the last time one of them asked about this order
     last_query_at     BIGINT
   );
   CREATE INDEX orders_pending_expiry ON orders (expires_at) WHERE status = 'pending';

   CREATE TABLE payment_events (
     id            BIGSERIAL PRIMARY KEY,
     out_trade_no  TEXT NOT NULL REFERENCES orders (out_trade_no),
     kind          TEXT NOT NULL,
     source        TEXT NOT NULL,
     received_at   BIGINT NOT NULL,
     fields        JSONB NOT NULL
   );
   CREATE INDEX payment_events_order ON payment_events (out_trade_no, id);

   -- one entry per paid order, written in the transaction that marks it paid; delivered at least once
   CREATE TABLE fulfilment_outbox (
     out_trade_no    TEXT PRIMARY KEY REFERENCES orders (out_trade_no),
     payload         JSONB NOT NULL,
     created_at      BIGINT NOT NULL,
     attempts        INTEGER NOT NULL DEFAULT 0,
     next_attempt_at BIGINT NOT NULL,
     -- a claim is a lease: an instance that dies while delivering leaves an entry that is due again at lease end
     leased_until    BIGINT,
     leased_by       TEXT,
     delivered_at    BIGINT,
     last_error      TEXT
   );
   CREATE INDEX fulfilment_outbox_due ON fulfilment_outbox (next_attempt_at) WHERE delivered_at IS NULL;`,
];
