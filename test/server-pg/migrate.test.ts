// Migrations at start under an advisory lock: instances starting together apply each migration exactly once.
import pg from 'pg';
import { openPool } from '../../server/store/postgres/connection';
import { migrate } from '../../server/store/postgres/migrate';
import { freshDatabase } from './database';

const settings = (url: string) => ({ url, poolMax: 3, statementTimeoutMs: 5_000, connectTimeoutMs: 5_000 });

// the first migration sleeps so the two instances really overlap; without the lock the second CREATE TABLE fails
const MIGRATIONS = [
  `SELECT pg_sleep(0.3); CREATE TABLE things (id INTEGER PRIMARY KEY)`,
  `ALTER TABLE things ADD COLUMN label TEXT`,
];

describe('schema migrations', () => {
  let pools: pg.Pool[] = [];
  afterEach(async () => {
    await Promise.all(pools.map((p) => p.end()));
    pools = [];
  });

  it('run once when two instances start together; the other waits and finds them applied', async () => {
    const url = await freshDatabase();
    pools = await Promise.all([openPool(settings(url), () => undefined), openPool(settings(url), () => undefined)]);
    const reports = await Promise.all(pools.map((pool) => migrate(pool, MIGRATIONS)));
    const applied = reports.map((r) => r.applied).sort((a, b) => b.length - a.length);
    expect(applied).toEqual([[1, 2], []]);
    expect(reports.every((r) => r.version === 2)).toBe(true);
    const { rows } = await pools[0].query('SELECT version FROM schema_migrations ORDER BY version');
    expect(rows).toEqual([{ version: 1 }, { version: 2 }]);
    // a restart applies nothing
    expect((await migrate(pools[1], MIGRATIONS)).applied).toEqual([]);
  });

  it('refuses a schema newer than the server knows, naming DATABASE_URL', async () => {
    const url = await freshDatabase();
    pools = [await openPool(settings(url), () => undefined)];
    await migrate(pools[0], MIGRATIONS);
    await expect(migrate(pools[0], MIGRATIONS.slice(0, 1))).rejects.toThrow(
      /schema \(version 2\) is newer than this server knows \(1\).*DATABASE_URL/,
    );
  });

  it('leaves nothing half-done when a migration fails, and the next start retries it', async () => {
    const url = await freshDatabase();
    pools = [await openPool(settings(url), () => undefined)];
    await expect(migrate(pools[0], [MIGRATIONS[0], 'ALTER TABLE things ADD COLUMN label TEXT; SELECT 1/0'])).rejects.toThrow(
      /Schema migration 2 failed: division by zero/,
    );
    const columns = await pools[0].query("SELECT column_name FROM information_schema.columns WHERE table_name = 'things'");
    expect(columns.rows.map((r) => r.column_name)).toEqual(['id']);
    expect((await migrate(pools[0], MIGRATIONS)).applied).toEqual([2]);
  });
});
