// The store the server runs on. SQLite under DATA_DIR is the embedded default; with DATABASE_URL, PostgreSQL
// (./postgres/), which several instances can share. Both implement the same OrderStore interface (./types.ts) and
// pass the same contract suite.

import pino from 'pino';
import type { ServerConfig } from '../config';
import { PostgresStore } from './postgres/store';
import { SqliteStore } from './sqlite';
import type { OrderStore } from './types';

export * from './types';
export { InProcessWakeups, type WakeListener, type WakeReason, type Wakeups } from './wakeups';
export { SqliteStore, SQLITE_FILE_NAME } from './sqlite';

export type StoreOptions = Pick<ServerConfig, 'dataDir'> &
  Partial<Pick<ServerConfig, 'databaseUrl' | 'pgPoolMax' | 'pgStatementTimeoutMs' | 'pgConnectTimeoutMs' | 'logLevel'>>;

export async function openStore(options: StoreOptions): Promise<OrderStore> {
  if (!options.databaseUrl) return SqliteStore.open(options.dataDir);
  return PostgresStore.open({
    settings: {
      url: options.databaseUrl,
      poolMax: options.pgPoolMax ?? 10,
      statementTimeoutMs: options.pgStatementTimeoutMs ?? 5_000,
      connectTimeoutMs: options.pgConnectTimeoutMs ?? 5_000,
    },
    // the store starts before the HTTP server (and its logger): its own pino logger, same level and format
    log: pino({ level: options.logLevel ?? 'info', base: { component: 'store' } }),
  });
}
