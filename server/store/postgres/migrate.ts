// Schema migrations for PostgreSQL, run by every instance at start. Several instances may start at once (a rolling
// deploy, a scaled-out service): each takes one session-level advisory lock first, so exactly one applies a given
// migration and the others wait, then find nothing left to do. A session lock is released by the database when the
// session ends, so an instance killed mid-migration leaves no lock behind (its open transaction rolls back).

import os from 'node:os';
import type pg from 'pg';

/** pg_advisory_lock key: any constant the application owns; this one is "xwjf" in ASCII followed by "mig1". */
export const MIGRATION_LOCK_KEY = 0x78776a666d696731n;

/** How long an instance waits for another one's migration before giving up with an error that says why. */
export const MIGRATION_LOCK_WAIT_MS = 120_000;

export interface MigrationReport {
  /** versions this call applied (empty when another instance, or an earlier start, had applied them) */
  applied: number[];
  /** the schema version after the call */
  version: number;
}

/**
 * Brings the schema to `migrations.length`. Entry i produces version i + 1, in one transaction with its row in
 * schema_migrations (DDL is transactional in PostgreSQL: a failed migration leaves nothing half-done).
 */
export async function migrate(pool: pg.Pool, migrations: readonly string[]): Promise<MigrationReport> {
  const client = await pool.connect();
  // a checked-out client has no error listener of the pool's: a connection dying now would crash the process
  const onError = (): void => undefined;
  client.on('error', onError);
  let locked = false;
  try {
    // waiting for the lock is not a slow statement: its own limit, and a message that says what it waited for
    await client.query(`SET statement_timeout = 0`);
    await client.query(`SET lock_timeout = ${MIGRATION_LOCK_WAIT_MS}`);
    try {
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY.toString()]);
    } catch (error) {
      if ((error as { code?: string }).code === '55P03') {
        throw new Error(
          `Another instance has been migrating the database schema for over ${MIGRATION_LOCK_WAIT_MS / 1000} s ` +
            '(it holds the migration advisory lock); look at it in pg_stat_activity, or restart once it has finished',
        );
      }
      throw error;
    }
    locked = true;
    await client.query(`SET lock_timeout = 0`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         version     INTEGER PRIMARY KEY,
         applied_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
         applied_by  TEXT NOT NULL
       )`,
    );
    const { rows } = await client.query<{ version: number | null }>('SELECT max(version) AS version FROM schema_migrations');
    const current = rows[0].version ?? 0;
    if (current > migrations.length) {
      throw new Error(
        `The database's schema (version ${current}) is newer than this server knows (${migrations.length}); ` +
          'run a newer server or point DATABASE_URL at another database',
      );
    }
    const applied: number[] = [];
    const appliedBy = `${os.hostname()} pid ${process.pid}`;
    for (let version = current + 1; version <= migrations.length; version++) {
      await client.query('BEGIN');
      try {
        await client.query(migrations[version - 1]);
        await client.query('INSERT INTO schema_migrations (version, applied_by) VALUES ($1, $2)', [version, appliedBy]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw new Error(`Schema migration ${version} failed: ${(error as Error).message}`);
      }
      applied.push(version);
    }
    return { applied, version: migrations.length };
  } finally {
    if (locked) await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY.toString()]).catch(() => undefined);
    // the session's SETs must not follow this connection back into the pool
    client.off('error', onError);
    client.release(true);
  }
}
