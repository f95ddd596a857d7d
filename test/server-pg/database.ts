// A fresh database on the server-pg project's shared cluster (global-setup.ts), for one test or one stack.
import pg from 'pg';
import { createDatabase } from '../fixtures/pg-cluster';

export function adminUrl(): string {
  const url = process.env.PG_TEST_ADMIN_URL;
  if (!url) {
    throw new Error(
      'PG_TEST_ADMIN_URL is not set: run this file through the jest project that starts PostgreSQL ' +
        '(npx jest --selectProjects server-pg), not on its own',
    );
  }
  return url;
}

export function freshDatabase(): Promise<string> {
  return createDatabase(adminUrl());
}

/** A superuser connection to the cluster, for what a test does behind the backend's back (pg_terminate_backend). */
export async function adminClient(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  return client;
}
