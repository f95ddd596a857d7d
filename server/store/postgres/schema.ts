// The PostgreSQL schema, as migrations (migrate.ts applies them under an advisory lock). Entry i produces version
// i + 1; a released entry never changes, a change is a new entry.
//
// The columns mirror the SQLite store's (server/store/sqlite.ts) so both hand the same rows to the payment code:
// times are BIGINT milliseconds since the epoch. Repeated provider statements only count up orders.repeat_count (a
// provider retrying for days must not grow a table row by row). The outbox body is TEXT, not JSONB: JSONB would
// reorder its keys, and every delivery attempt must send the same bytes.

export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE orders (
     out_trade_no                    TEXT PRIMARY KEY,
     order_token_hash                TEXT NOT NULL,
     sku                             TEXT NOT NULL,
     quantity                        INTEGER NOT NULL,
     total_fee                       INTEGER NOT NULL CHECK (total_fee > 0),
     body                            TEXT NOT NULL,
     attach                          TEXT,
     status                          TEXT NOT NULL CHECK (status IN ('pending','paid','failed','expired')),
     provider                        TEXT NOT NULL,
     created_at                      BIGINT NOT NULL,
     expires_at                      BIGINT NOT NULL,
     paid_at                         BIGINT,
     paid_via                        TEXT CHECK (paid_via IN ('notify','query')),
     provider_order_id               TEXT,
     provider_order_id_hint          TEXT,
     provider_order_id_hint_rejected BOOLEAN NOT NULL DEFAULT false,
     transaction_id                  TEXT,
     openid                          TEXT,
     paid_after_expiry               BOOLEAN NOT NULL DEFAULT false,
     first_check_at                  BIGINT,
     -- the provider-query slot, shared by every instance: the last time one of them asked about this order
     last_provider_query_at          BIGINT,
     repeat_count                    INTEGER NOT NULL DEFAULT 0,
     last_repeat_at                  BIGINT
   );
   CREATE INDEX orders_pending_expiry ON orders (expires_at) WHERE status = 'pending';

   CREATE TABLE payment_events (
     id            BIGSERIAL PRIMARY KEY,
     out_trade_no  TEXT NOT NULL REFERENCES orders (out_trade_no),
     kind          TEXT NOT NULL CHECK (kind IN ('paid','failed')),
     source        TEXT NOT NULL,
     received_at   BIGINT NOT NULL,
     fields        JSONB NOT NULL
   );
   CREATE INDEX payment_events_order ON payment_events (out_trade_no, id);

   -- one entry per paid order, written in the transaction that marks it paid; delivered at least once
   CREATE TABLE fulfillment_outbox (
     out_trade_no    TEXT PRIMARY KEY REFERENCES orders (out_trade_no),
     event           TEXT NOT NULL,
     body            TEXT NOT NULL,
     created_at      BIGINT NOT NULL,
     attempts        INTEGER NOT NULL DEFAULT 0,
     next_attempt_at BIGINT NOT NULL,
     last_attempt_at BIGINT,
     last_error      TEXT,
     delivered_at    BIGINT,
     -- a claim is a lease: an instance that dies while delivering leaves an entry that is due again at lease end
     lease_token     TEXT,
     leased_until    BIGINT
   );
   CREATE INDEX fulfillment_outbox_due ON fulfillment_outbox (next_attempt_at) WHERE delivered_at IS NULL;

   -- the health probe's write
   CREATE TABLE store_probe (id INTEGER PRIMARY KEY CHECK (id = 1), at BIGINT NOT NULL);`,
];
