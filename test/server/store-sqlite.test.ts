// The SQLite store: the shared store contract, plus what only a file-backed store can get wrong (a damaged file, a
// file removed or replaced under a running server, an older schema).

import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore, SQLITE_FILE_NAME, StoreOpenError, StoreUnavailableError, type OrderStore } from '../../server/store';
import { tempDir } from './helpers';
import { describeStoreContract, newOrder } from './store-contract';

describeStoreContract('SQLite', async () => {
  const data = tempDir('xwjf-store-');
  let store: OrderStore = await SqliteStore.open(data.dir);
  return {
    store,
    reopen: async () => {
      await store.close();
      store = await SqliteStore.open(data.dir);
      return store;
    },
    cleanup: async () => {
      await store.close();
      data.remove();
    },
  };
});

describe('SQLite store: a file that is not what it was', () => {
  it('refuses to open a database with corrupt pages, naming the file', async () => {
    const data = tempDir('xwjf-store-');
    try {
      const store = await SqliteStore.open(data.dir);
      for (let i = 0; i < 300; i++) await store.insertOrder(newOrder({ body: `order ${i} `.repeat(3) }));
      await store.close();
      const file = path.join(data.dir, SQLITE_FILE_NAME);
      const size = fs.statSync(file).size;
      expect(size).toBeGreaterThan(32 * 1024);
      // 4 KB of garbage in the middle of the file, as a failing disk or a bad copy leaves it
      const fd = fs.openSync(file, 'r+');
      fs.writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, Math.floor(size / 2));
      fs.closeSync(fd);
      const opening = SqliteStore.open(data.dir);
      await expect(opening).rejects.toThrow(StoreOpenError);
      await expect(SqliteStore.open(data.dir)).rejects.toThrow(
        new RegExp(`The database ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is damaged .*restore the file from a backup`),
      );
    } finally {
      data.remove();
    }
  });

  it('refuses a file that is not a database at all', async () => {
    const data = tempDir('xwjf-store-');
    try {
      fs.writeFileSync(path.join(data.dir, SQLITE_FILE_NAME), 'x'.repeat(8192));
      await expect(SqliteStore.open(data.dir)).rejects.toThrow(/orders\.sqlite3 is damaged/);
    } finally {
      data.remove();
    }
  });

  it('stops taking writes, and reports unhealthy, once its data folder is deleted', async () => {
    const data = tempDir('xwjf-store-');
    const store = await SqliteStore.open(data.dir);
    try {
      const order = newOrder();
      await store.insertOrder(order);
      expect(await store.health()).toEqual({ ok: true });
      fs.rmSync(data.dir, { recursive: true, force: true });
      await expect(store.markPaid({ outTradeNo: order.outTradeNo, providerOrderId: null, transactionId: null, openid: null, at: 1, source: 'notify', fields: {} }, { fulfillment: true }))
        .rejects.toThrow(StoreUnavailableError);
      await expect(store.insertOrder(newOrder())).rejects.toThrow(/was removed while the server ran/);
      const health = await store.health();
      expect(health).toEqual({ ok: false, reason: expect.stringContaining(path.join(data.dir, SQLITE_FILE_NAME)) });
      // it stays stopped even when a folder of that name comes back: the file it had is gone
      fs.mkdirSync(data.dir, { recursive: true });
      expect((await store.health()).ok).toBe(false);
    } finally {
      await store.close();
      data.remove();
    }
  });

  it('notices a database file replaced by another one', async () => {
    const data = tempDir('xwjf-store-');
    const store = await SqliteStore.open(data.dir);
    try {
      const file = path.join(data.dir, SQLITE_FILE_NAME);
      fs.copyFileSync(file, `${file}.copy`);
      fs.renameSync(`${file}.copy`, file);
      expect(await store.health()).toEqual({ ok: false, reason: expect.stringMatching(/was replaced by another file/) });
      await expect(store.insertOrder(newOrder())).rejects.toThrow(StoreUnavailableError);
    } finally {
      await store.close();
      data.remove();
    }
  });

  it('migrates a version 1 file: client hints leave provider_order_id, replay rows become counts', async () => {
    const data = tempDir('xwjf-store-');
    try {
      const db = new Database(path.join(data.dir, SQLITE_FILE_NAME));
      db.exec(`CREATE TABLE orders (out_trade_no TEXT PRIMARY KEY, order_token_hash TEXT NOT NULL, sku TEXT NOT NULL,
                 quantity INTEGER NOT NULL, total_fee INTEGER NOT NULL CHECK (total_fee > 0), body TEXT NOT NULL, attach TEXT,
                 status TEXT NOT NULL, provider TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,
                 paid_at INTEGER, provider_order_id TEXT, transaction_id TEXT, paid_after_expiry INTEGER NOT NULL DEFAULT 0,
                 first_check_at INTEGER);
               CREATE INDEX orders_pending_expiry ON orders (status, expires_at);
               CREATE TABLE payment_events (id INTEGER PRIMARY KEY AUTOINCREMENT, out_trade_no TEXT NOT NULL REFERENCES orders (out_trade_no),
                 kind TEXT NOT NULL, source TEXT NOT NULL, received_at INTEGER NOT NULL, fields_json TEXT NOT NULL);
               PRAGMA user_version = 1;
               INSERT INTO orders VALUES ('PENDING', 'h', 'vip-month', 1, 1990, 'b', NULL, 'pending', 'xiaoweijufu', 1, 2, NULL, 'HINT', NULL, 0, 1);
               INSERT INTO orders VALUES ('PAID', 'h', 'vip-month', 1, 1990, 'b', NULL, 'paid', 'xiaoweijufu', 1, 2, 5, 'P1', 'T1', 0, 1);
               INSERT INTO payment_events (out_trade_no, kind, source, received_at, fields_json) VALUES
                 ('PAID', 'paid', 'query', 5, '{}'), ('PAID', 'repeat', 'notify', 6, '{}'), ('PAID', 'repeat', 'notify', 7, '{}');`);
      db.close();
      const store = await SqliteStore.open(data.dir);
      try {
        expect(await store.getOrder('PENDING')).toMatchObject({ providerOrderId: null, providerOrderIdHint: 'HINT' });
        expect(await store.getOrder('PAID')).toMatchObject({ providerOrderId: 'P1', paidVia: 'query', repeatCount: 2, lastRepeatAt: 7 });
        expect(await store.paymentEvents('PAID')).toHaveLength(1);
      } finally {
        await store.close();
      }
    } finally {
      data.remove();
    }
  });
});
