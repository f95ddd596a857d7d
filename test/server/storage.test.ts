// Storage that notices trouble, seen from outside: a data folder deleted under a running backend, a damaged
// database at start, and thousands of replayed notifies.

import fs from 'node:fs';
import path from 'node:path';
import { startServer } from '../../server';
import type { CreateOrderResponse } from '../../typings/api';
import {
  createOrder,
  getJson,
  json,
  postForm,
  postJson,
  sleep,
  spawnTs,
  onPostgres,
  sqliteRows,
  storedRows,
  startStack,
  tempDir,
  waitForLine,
  xwjfNotify,
} from './helpers';

// the data folder and its file are the SQLite store's; PostgreSQL's failures are in test/server-pg/store.test.ts
const describeSqlite = onPostgres ? describe.skip : describe;

describeSqlite('a data folder deleted while the backend runs', () => {
  it('answers notifies 503 (so the provider retries), fails /healthz naming the file, and takes no new orders', async () => {
    // the sandbox's notify retry schedule x0.001: 0, 10 ms, 60 ms, 180 ms, ...
    const stack = await startStack({ providerQueryAfterMs: 60_000 });
    try {
      const order = await createOrder(stack.serverUrl);
      expect((await getJson(`${stack.serverUrl}/healthz`)).status).toBe(200);
      fs.rmSync(stack.dataDir, { recursive: true, force: true });

      const notify = await postForm(`${stack.serverUrl}/api/pay/notify`, xwjfNotify(order));
      expect(notify.status).toBe(503);
      expect(notify.text).not.toContain('success');
      expect(json(notify)).toHaveProperty('error.code', 'store_unavailable');
      // whoever sent the request learns to retry, not where the server keeps its data (that is in the log and /healthz)
      expect(notify.text).not.toContain(stack.dataDir);

      const health = await getJson(`${stack.serverUrl}/healthz`);
      expect(health.status).toBe(503);
      expect(json(health)).toEqual({
        error: { code: 'store_unavailable', message: expect.stringContaining(path.join(stack.dataDir, 'orders.sqlite3')) },
      });
      const refusedOrder = await postJson(`${stack.serverUrl}/api/orders`, { sku: 'vip-month' });
      expect(refusedOrder.status).toBe(503);
      expect(refusedOrder.text).not.toContain(stack.dataDir);

      // the provider's own notify is refused the same way, and it keeps retrying instead of counting it delivered
      await postJson(`${stack.sandboxUrl}/scenario`, { outcome: 'paid', notify: 'normal' });
      expect((await postJson(`${stack.sandboxUrl}/pay`, order.payParams)).status).toBe(200);
      let attempts: { status: number; accepted: boolean }[] = [];
      for (let i = 0; i < 100 && attempts.length < 3; i++) {
        await sleep(50);
        const listed = json<{ orders: { notifyAttempts: typeof attempts }[] }>(
          await getJson(`${stack.sandboxUrl}/orders?out_trade_no=${order.outTradeNo}`),
        );
        attempts = listed.orders[0]?.notifyAttempts ?? [];
      }
      expect(attempts.length).toBeGreaterThanOrEqual(3);
      expect(attempts.every((a) => a.status === 503 && !a.accepted)).toBe(true);
    } finally {
      await stack.close();
    }
  });
});

describeSqlite('the write-ahead log deleted while the backend runs', () => {
  it('answers a notify 503 instead of a success a crash would lose, and loses nothing committed when killed', async () => {
    const data = tempDir();
    const env = { PORT: '0', DATA_DIR: data.dir };
    let proc = spawnTs('server/main.ts', env);
    try {
      let url = (await waitForLine(proc, /server listening (http:\/\/\S+)/))[1];
      const order = await createOrder(url);
      // the -wal file holds the commits since the last checkpoint: the new order is only there
      fs.rmSync(path.join(data.dir, 'orders.sqlite3-wal'));
      const notify = await postForm(`${url}/api/pay/notify`, xwjfNotify(order));
      expect(notify.status).toBe(503);
      expect(notify.text).not.toContain('success');
      const health = await getJson(`${url}/healthz`);
      expect(health.status).toBe(503);
      expect(json(health)).toHaveProperty('error.message', expect.stringContaining('orders.sqlite3-wal was removed'));

      // a crash now: the order was copied into the database when the log was found gone, so the provider's retry lands
      proc.child.kill('SIGKILL');
      await proc.exited;
      proc = spawnTs('server/main.ts', env);
      url = (await waitForLine(proc, /server listening (http:\/\/\S+)/))[1];
      expect((await postForm(`${url}/api/pay/notify`, xwjfNotify(order))).text).toBe('success');
      expect(sqliteRows(data.dir, 'SELECT status FROM orders WHERE out_trade_no = ?', order.outTradeNo)).toEqual([{ status: 'paid' }]);
    } finally {
      proc.child.kill('SIGKILL');
      await proc.exited;
      data.remove();
    }
  }, 30_000);
});

describeSqlite('a damaged database at start', () => {
  async function damagedDataDir(): Promise<{ dir: string; file: string; remove(): void }> {
    const data = tempDir();
    const server = await startServer({ port: 0, dataDir: data.dir, env: {}, logLevel: 'silent' });
    for (let i = 0; i < 200; i++) await createOrder(server.url);
    await server.close();
    const file = path.join(data.dir, 'orders.sqlite3');
    const size = fs.statSync(file).size;
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, Math.floor(size / 2));
    fs.closeSync(fd);
    return { dir: data.dir, file, remove: data.remove };
  }

  it('is refused: startServer rejects naming the file, and the process exits 1 saying so', async () => {
    const data = await damagedDataDir();
    try {
      await expect(startServer({ port: 0, dataDir: data.dir, env: {}, logLevel: 'silent' })).rejects.toThrow(
        `The database ${data.file} is damaged`,
      );
      const proc = spawnTs('server/main.ts', { PORT: '0', DATA_DIR: data.dir });
      expect(await proc.exited).toBe(1);
      expect(proc.output()).toContain(`server not started: The database ${data.file} is damaged (`);
      expect(proc.output()).not.toMatch(/listening/);
    } finally {
      data.remove();
    }
  }, 30_000);
});

describe('replayed notifies', () => {
  it('5,000 replays of one notify are each answered success and add no rows: a count and a last-seen time', async () => {
    const stack = await startStack({}, false);
    try {
      const order: CreateOrderResponse = await createOrder(stack.serverUrl);
      const notify = xwjfNotify(order);
      const rowsBefore = Number((await storedRows(stack, 'SELECT COUNT(*) AS n FROM payment_events'))[0].n);
      let sent = 0;
      let accepted = 0;
      const worker = async (): Promise<void> => {
        while (sent < 5000) {
          sent++;
          // generous: 16 replays queue on one row's lock, and on a loaded 2-core machine that queue can be slow
          const answer = await postForm(`${stack.serverUrl}/api/pay/notify`, notify, 20_000);
          if (answer.status === 200 && answer.text === 'success') accepted++;
        }
      };
      await Promise.all(Array.from({ length: 16 }, worker));
      expect(accepted).toBe(5000);
      expect(Number((await storedRows(stack, 'SELECT COUNT(*) AS n FROM payment_events'))[0].n)).toBe(rowsBefore + 1);
      const [row] = await storedRows(stack, 'SELECT status, repeat_count, last_repeat_at FROM orders WHERE out_trade_no = ?', order.outTradeNo);
      expect(row).toMatchObject({ status: 'paid', repeat_count: 4999 });
      expect(row.last_repeat_at).toBeGreaterThan(Date.now() - 60_000);
    } finally {
      await stack.close();
    }
  }, 60_000);
});
