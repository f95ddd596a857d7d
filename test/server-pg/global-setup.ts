// jest globalSetup of the server-pg project: one throwaway PostgreSQL cluster for the whole run, shared by the
// workers through the environment they inherit (PG_TEST_ADMIN_URL); every test creates its own database on it.
import { startPgCluster, type PgCluster } from '../fixtures/pg-cluster';

export default async function globalSetup(): Promise<void> {
  const cluster = await startPgCluster({ database: 'xwjf_test' });
  process.env.PG_TEST_ADMIN_URL = cluster.urlFor('postgres');
  (globalThis as { __pgTestCluster?: PgCluster }).__pgTestCluster = cluster;
}
