// Connections to PostgreSQL: the pool every query goes through, the settings each session gets, and the start-up
// probe whose error names host, port and database (and never the password) when the database cannot be reached.

import pg from 'pg';

export interface PgSettings {
  /** postgres://user:password@host:port/database (also postgresql://, and ?host=/socket/dir for a unix socket) */
  url: string;
  poolMax: number;
  statementTimeoutMs: number;
  connectTimeoutMs: number;
  /** shows in pg_stat_activity, so a person can tell this backend's sessions apart */
  applicationName?: string;
}

/** What an error message may say about where the database is: everything in the URL except the password. */
export interface PgTarget {
  host: string;
  port: number;
  database: string;
  user: string;
}

export function describeTarget(url: string): PgTarget {
  const parsed = new URL(url);
  const socketHost = parsed.searchParams.get('host');
  return {
    host: socketHost ?? (decodeURIComponent(parsed.hostname) || 'localhost'),
    port: parsed.port ? Number(parsed.port) : 5432,
    database: decodeURIComponent(parsed.pathname.replace(/^\//, '')) || decodeURIComponent(parsed.username) || 'postgres',
    user: decodeURIComponent(parsed.username),
  };
}

export function targetText(target: PgTarget): string {
  return `database "${target.database}" on ${target.host}:${target.port}${target.user ? ` as user "${target.user}"` : ''}`;
}

/** Removes the URL's password from a message (pg's own messages do not carry it, but a wrapped cause might). */
export function redact(message: string, url: string): string {
  let password = '';
  try {
    password = decodeURIComponent(new URL(url).password);
  } catch {
    return message;
  }
  if (!password) return message;
  return message.split(password).join('***').split(encodeURIComponent(password)).join('***');
}

// BIGINT (oid 20) as a JS number: the store keeps times as milliseconds since the epoch, far inside 2^53.
// Per pool, not pg's global parser table, so nothing else in the process changes.
const INT8_OID = 20;
const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/** Options for one client (pool member or the LISTEN connection). */
export function clientConfig(settings: PgSettings, applicationName?: string): pg.ClientConfig {
  return {
    connectionString: settings.url,
    connectionTimeoutMillis: settings.connectTimeoutMs,
    // cancelled by the server; the client-side limit below also covers a connection that stopped answering at all
    statement_timeout: settings.statementTimeoutMs,
    query_timeout: settings.statementTimeoutMs + 2_000,
    // a transaction left open by a bug or a frozen process must not keep its row locks for long
    idle_in_transaction_session_timeout: Math.max(10_000, settings.statementTimeoutMs * 2),
    application_name: applicationName ?? settings.applicationName ?? 'xwjf-backend',
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    types: pgTypes,
  };
}

export class DatabaseUnreachableError extends Error {
  override name = 'DatabaseUnreachableError';
}

/**
 * A pool after one successful round trip, or a DatabaseUnreachableError that says where it tried and why it failed.
 * `onIdleError` receives errors of idle pooled connections (a restarted database): without a listener they would
 * crash the process; the pool replaces such connections on its own.
 */
export async function openPool(settings: PgSettings, onIdleError: (error: Error) => void): Promise<pg.Pool> {
  const pool = new pg.Pool({
    ...clientConfig(settings),
    max: settings.poolMax,
    idleTimeoutMillis: 30_000,
  });
  pool.on('error', onIdleError);
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw unreachable(settings.url, error as Error);
  }
  return pool;
}

export function unreachable(url: string, error: Error & { code?: string }): DatabaseUnreachableError {
  let where = 'the database in DATABASE_URL';
  try {
    where = targetText(describeTarget(url));
  } catch {
    // an unparsable URL: say so without repeating it
    where = 'DATABASE_URL (not a valid URL)';
  }
  const reason = redact(error.message || error.code || String(error), url);
  return new DatabaseUnreachableError(
    `Cannot reach PostgreSQL ${where}: ${reason}. Check that the database server runs and accepts connections ` +
      'there, and that DATABASE_URL names the right host, port, database, user and password',
  );
}
