// Start-up against a database that cannot be used: the error says where it tried (host, port, database, user) and
// what to check, and never shows the password.
import net from 'node:net';
import { ConfigError, loadServerConfig } from '../../server/config';
import { openPool } from '../../server/store/postgres/connection';
import { freshDatabase } from './database';

const settings = (url: string) => ({ url, poolMax: 2, statementTimeoutMs: 2_000, connectTimeoutMs: 2_000 });

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('PostgreSQL connection at start', () => {
  it('names host, port and database when nothing listens there, never the password', async () => {
    const port = await closedPort();
    const password = 'pw-that-must-not-leak-7f3a';
    const failure = openPool(settings(`postgres://shop:${password}@127.0.0.1:${port}/orders_db`), () => undefined);
    await expect(failure).rejects.toThrow(
      new RegExp(`Cannot reach PostgreSQL database "orders_db" on 127\\.0\\.0\\.1:${port} as user "shop": .*ECONNREFUSED`),
    );
    await expect(failure).rejects.toThrow(/DATABASE_URL/);
    await expect(failure).rejects.not.toThrow(new RegExp(password));
  });

  it('says the password was refused (and not what it was) when the credentials are wrong', async () => {
    const url = new URL(await freshDatabase());
    url.password = 'wrong-secret-91b2';
    const failure = openPool(settings(url.toString()), () => undefined);
    await expect(failure).rejects.toThrow(/Cannot reach PostgreSQL database "db_\w+" on 127\.0\.0\.1:\d+ as user "app": password authentication failed/);
    await expect(failure).rejects.not.toThrow(/wrong-secret-91b2/);
  });

  it('connects with a correct URL', async () => {
    const pool = await openPool(settings(await freshDatabase()), () => undefined);
    try {
      const { rows } = await pool.query<{ timeout: string; app: string }>(
        "SELECT current_setting('statement_timeout') AS timeout, current_setting('application_name') AS app",
      );
      expect(rows[0]).toEqual({ timeout: '2s', app: 'xwjf-backend' });
    } finally {
      await pool.end();
    }
  });

  it('refuses a DATABASE_URL that is not a postgres:// URL without echoing it', () => {
    const load = (): unknown => loadServerConfig({}, { DATABASE_URL: 'mysql://u:topsecret@h/db' });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/DATABASE_URL must be a postgres:\/\//);
    expect(load).not.toThrow(/topsecret/);
    expect(loadServerConfig({}, { DATABASE_URL: 'postgresql://u@h/db', PG_POOL_MAX: '4' })).toMatchObject({
      databaseUrl: 'postgresql://u@h/db',
      pgPoolMax: 4,
      pgStatementTimeoutMs: 5000,
    });
    expect(() => loadServerConfig({}, { PG_POOL_MAX: '0' })).toThrow(/PG_POOL_MAX must be an integer >= 1/);
  });
});
