// The LISTEN connection: delivers notifications, and after a lost connection (pg_terminate_backend) reconnects and
// asks its owner to re-read everything, since what was notified during the gap is gone.
import pg from 'pg';
import { openPool } from '../../server/store/postgres/connection';
import { PgListener } from '../../server/store/postgres/listener';
import { adminClient, freshDatabase } from './database';

const settings = (url: string) => ({ url, poolMax: 2, statementTimeoutMs: 2_000, connectTimeoutMs: 2_000 });
const quietLog = { info: () => undefined, warn: () => undefined };

function until(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const poll = (): void => {
      if (predicate()) return resolve();
      if (Date.now() > deadline) return reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      setTimeout(poll, 5);
    };
    poll();
  });
}

describe('wake-up listener', () => {
  let pool: pg.Pool;
  let listener: PgListener | undefined;
  const received: string[] = [];
  let resyncs = 0;

  beforeEach(async () => {
    const url = await freshDatabase();
    pool = await openPool(settings(url), () => undefined);
    received.length = 0;
    resyncs = 0;
    listener = new PgListener({
      settings: settings(url),
      channel: 'order_changed',
      onNotify: (id) => received.push(id),
      onResync: () => resyncs++,
      log: quietLog,
      initialBackoffMs: 20,
      maxBackoffMs: 200,
    });
    await listener.start();
  });
  afterEach(async () => {
    await listener?.close();
    await pool.end();
  });

  it('delivers the order id of every notification on its channel, and nothing from other channels', async () => {
    await pool.query("SELECT pg_notify('order_changed', 'A1'), pg_notify('other', 'X'), pg_notify('order_changed', 'A2')");
    await until(() => received.length === 2, 5_000, 'two notifications');
    expect(received).toEqual(['A1', 'A2']);
  });

  it('reconnects after pg_terminate_backend and asks for a resync; later notifications arrive again', async () => {
    const admin = await adminClient();
    try {
      const pid = listener!.backendPid;
      expect(pid).toEqual(expect.any(Number));
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      // sent while the listener is (most likely) down: lost to it, which is why the resync exists
      await pool.query("SELECT pg_notify('order_changed', 'during-gap')");
      await until(() => resyncs === 1, 5_000, 'the resync after reconnecting');
      expect(listener!.connected).toBe(true);
      expect(listener!.backendPid).not.toBe(pid);
      await pool.query("SELECT pg_notify('order_changed', 'after')");
      await until(() => received.includes('after'), 5_000, 'a notification after the reconnect');
      expect(listener!.reconnects).toBe(1);
    } finally {
      await admin.end();
    }
  });

  it('keeps retrying while the database refuses it, and stops for good on close()', async () => {
    const admin = await adminClient();
    try {
      const database = new URL(pool.options.connectionString as string).pathname.slice(1);
      // refuse new connections to this database, then drop the listener's
      await admin.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS false`);
      await admin.query('SELECT pg_terminate_backend($1)', [listener!.backendPid]);
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(listener!.connected).toBe(false);
      expect(resyncs).toBe(0);
      await admin.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS true`);
      await until(() => resyncs === 1, 5_000, 'the resync once connections are allowed again');
      await listener!.close();
      const { rows } = await admin.query(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'xwjf-backend listener' AND datname = $1",
        [database],
      );
      expect(rows[0].n).toBe(0);
    } finally {
      await admin.end();
    }
  });
});
