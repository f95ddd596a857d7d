import type { PgCluster } from '../fixtures/pg-cluster';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __pgTestCluster?: PgCluster }).__pgTestCluster?.stop();
}
