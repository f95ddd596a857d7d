// The store the server runs on. SQLite under DATA_DIR is the embedded default; a PostgreSQL store (DATABASE_URL)
// implements the same OrderStore interface (./types.ts) and passes the same contract suite.

import { SqliteStore } from './sqlite';
import type { OrderStore } from './types';

export * from './types';
export { InProcessWakeups, type WakeListener, type WakeReason, type Wakeups } from './wakeups';
export { SqliteStore, SQLITE_FILE_NAME } from './sqlite';

export async function openStore(options: { dataDir: string }): Promise<OrderStore> {
  return SqliteStore.open(options.dataDir);
}
