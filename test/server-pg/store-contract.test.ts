// The PostgreSQL store against the shared OrderStore contract (test/server/store-contract.ts): the same cases the
// SQLite store passes. "Reopen" is a restart of the instance (a new pool and LISTEN connection on the same database).
import { PostgresStore } from '../../server/store/postgres/store';
import { describeStoreContract } from '../server/store-contract';
import { freshDatabase } from './database';

// real servers and a real database on a 2-core machine shared with other work: seconds, not the default 5 s
jest.setTimeout(30_000);

const log = { info: () => undefined, warn: () => undefined, error: () => undefined };

describeStoreContract('PostgreSQL', async () => {
  const url = await freshDatabase();
  const open = (): Promise<PostgresStore> =>
    PostgresStore.open({ settings: { url, poolMax: 10, statementTimeoutMs: 5_000, connectTimeoutMs: 5_000 }, log });
  let store = await open();
  return {
    store,
    reopen: async () => {
      await store.close();
      store = await open();
      return store;
    },
    // the database goes with the cluster at the end of the run
    cleanup: () => store.close(),
  };
});
