// Shared by the server project's tests: real servers on 127.0.0.1 with ephemeral ports and temporary data folders.
// Under the server-pg project (TEST_STORE=postgres) every backend gets a fresh PostgreSQL database instead.

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { CreateOrderResponse, PayCheckResponse } from '../../typings/api';
import { startSandbox, type RunningSandbox, type SandboxOptions } from '../../sandbox';
import { startServer, type Clock, type ServerConfig } from '../../server';
import { postBody, postForm, postJson, type HttpAnswer } from '../../server/http-post';
import { withSign } from '../../server/sign';
import { DEV_MERCHANT_ID, DEV_MERCHANT_KEY } from '../../config/dev-defaults';
import { openStore, type OrderStore } from '../../server/store';
import { freshDatabase } from '../server-pg/database';

export { postForm, postJson, postBody };
export const MERCHANT_ID = DEV_MERCHANT_ID;
export const MERCHANT_KEY = DEV_MERCHANT_KEY;
export const ROOT = path.resolve(__dirname, '..', '..');

export function tempDir(prefix = 'xwjf-server-'): { dir: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** The store this run tests: SQLite (project server) or PostgreSQL (project server-pg). */
export const onPostgres = process.env.TEST_STORE === 'postgres';

/** startServer options that put a backend on this run's store: a fresh PostgreSQL database, or SQLite in dataDir. */
export async function storeOptions(): Promise<{ databaseUrl?: string; pgConnectTimeoutMs?: number }> {
  // a connection can take seconds to open on a loaded machine: the tests are not about that limit
  return onPostgres ? { databaseUrl: await freshDatabase(), pgConnectTimeoutMs: 30_000 } : {};
}

/** The same for a backend started as a process: DATABASE_URL, or nothing. */
export async function storeEnv(): Promise<Record<string, string>> {
  return onPostgres ? { DATABASE_URL: await freshDatabase(), PG_CONNECT_TIMEOUT_MS: '30000' } : {};
}

/** A store of this run's kind, opened directly (for tests of the payment code without HTTP). */
export async function openTestStore(dataDir: string): Promise<OrderStore> {
  return openStore({ dataDir, ...(await storeOptions()), logLevel: 'silent' });
}

export interface Stack {
  serverUrl: string;
  sandboxUrl: string;
  config: ServerConfig;
  dataDir: string;
  close(): Promise<void>;
}

/**
 * Rows of a running stack's store, SQL with `?` placeholders, values as SQLite gives them (booleans as 0/1, BIGINT
 * and COUNT as numbers) whichever store this run tests.
 */
export async function storedRows(stack: Stack, sql: string, ...params: unknown[]): Promise<Record<string, unknown>[]> {
  if (!stack.config.databaseUrl) return sqliteRows(stack.dataDir, sql, ...params);
  let n = 0;
  const result = await readerFor(stack.config.databaseUrl).query(sql.replace(/\?/g, () => `$${++n}`), params);
  const int8 = new Set(result.fields.filter((f) => f.dataTypeID === 20).map((f) => f.name));
  return result.rows.map((row: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries(row).map(([k, v]) => [k, typeof v === 'boolean' ? Number(v) : int8.has(k) && v !== null ? Number(v) : v]),
    ),
  );
}

// one small pool per database for the tests' reads (a new connection per read costs a SCRAM login each time); idle
// connections close themselves and never hold the worker open
const readers = new Map<string, pg.Pool>();
function readerFor(url: string): pg.Pool {
  let pool = readers.get(url);
  if (!pool) {
    pool = new pg.Pool({ connectionString: url, max: 2, idleTimeoutMillis: 1_000, allowExitOnIdle: true });
    pool.on('error', () => undefined);
    readers.set(url, pool);
  }
  return pool;
}

/** The stored row of an order as its columns say it. */
export async function rawOrderRow(stack: Stack, outTradeNo: string): Promise<Record<string, unknown>> {
  return (await storedRows(stack, 'SELECT * FROM orders WHERE out_trade_no = ?', outTradeNo))[0];
}

/** Backend + sandbox, or the backend alone pointing at `providerBaseUrl`. */
export async function startStack(
  server: Partial<ServerConfig> & { clock?: Clock } = {},
  sandbox: Partial<SandboxOptions> | false = {},
): Promise<Stack> {
  const data = tempDir();
  let running: RunningSandbox | undefined;
  if (sandbox !== false) running = await startSandbox({ port: 0, timeScale: 0.001, env: {}, ...sandbox });
  const backend = await startServer({
    port: 0,
    dataDir: data.dir,
    ...(await storeOptions()),
    providerBaseUrl: running?.url ?? 'http://127.0.0.1:9',
    env: {},
    logLevel: 'silent',
    ...server,
  });
  return {
    serverUrl: backend.url,
    sandboxUrl: running?.url ?? '',
    config: backend.config,
    dataDir: data.dir,
    close: async () => {
      await backend.close();
      await running?.close();
      data.remove();
    },
  };
}

export function json<T = Record<string, unknown>>(answer: HttpAnswer): T {
  return JSON.parse(answer.text) as T;
}

export function getJson(url: string): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      })
      .on('error', reject);
  });
}

export async function createOrder(serverUrl: string, sku = 'vip-month', quantity?: number): Promise<CreateOrderResponse> {
  const answer = await postJson(`${serverUrl}/api/orders`, quantity === undefined ? { sku } : { sku, quantity });
  if (answer.status !== 201) throw new Error(`POST /api/orders answered ${answer.status}: ${answer.text}`);
  return json<CreateOrderResponse>(answer);
}

export async function check(
  serverUrl: string,
  order: Pick<CreateOrderResponse, 'outTradeNo' | 'orderToken'>,
  extra: { waitMs?: number; payjsOrderId?: string } = {},
  timeoutMs = 35_000,
): Promise<PayCheckResponse> {
  const answer = await postJson(
    `${serverUrl}/api/pay/check`,
    { outTradeNo: order.outTradeNo, orderToken: order.orderToken, ...extra },
    timeoutMs,
  );
  if (answer.status !== 200) throw new Error(`POST /api/pay/check answered ${answer.status}: ${answer.text}`);
  return json<PayCheckResponse>(answer);
}

/** A 小微聚付 notify for `order`, signed with the dev key unless told otherwise. */
export function xwjfNotify(
  order: Pick<CreateOrderResponse, 'outTradeNo' | 'totalFee'>,
  overrides: Record<string, string> = {},
  key = MERCHANT_KEY,
): Record<string, string> {
  return withSign(
    {
      status: '1',
      total_fee: String(order.totalFee),
      out_trade_no: order.outTradeNo,
      order_no: `XW${order.outTradeNo.slice(-12)}`,
      transaction_id: `4200${order.outTradeNo.slice(-16)}`,
      time_end: '20260101120000',
      openid: 'o-test-openid',
      attach: 'sku=vip-month&quantity=1',
      mchid: MERCHANT_ID,
      ...overrides,
    },
    key,
  ) as Record<string, string>;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A server clock whose wall time a test can step, as an administrator or NTP would; its monotonic time is real. */
export function steppableClock(): { clock: Clock; step(ms: number): void } {
  let offset = 0;
  return {
    clock: { now: () => Date.now() + offset, monotonic: () => performance.now() },
    step: (ms) => {
      offset += ms;
    },
  };
}

/** Rows of one table in a stopped or running server's SQLite file (read-only). */
export function sqliteRows(dataDir: string, sql: string, ...params: unknown[]): Record<string, unknown>[] {
  const db = new Database(path.join(dataDir, 'orders.sqlite3'), { readonly: true });
  try {
    return db.prepare(sql).all(...params) as Record<string, unknown>[];
  } finally {
    db.close();
  }
}

/** A local HTTP endpoint whose answers a test scripts, recording every request it gets. */
export async function fakeEndpoint(
  respond: (req: { url: string; body: string; at: number; index: number }) => { status: number; body: string; type?: string },
): Promise<{ url: string; requests: { url: string; body: string; at: number }[]; close(): Promise<void> }> {
  const requests: { url: string; body: string; at: number }[] = [];
  const server = http.createServer((req, res) => {
    const at = Date.now();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const entry = { url: req.url ?? '', body: Buffer.concat(chunks).toString('utf8'), at };
      requests.push(entry);
      const answer = respond({ ...entry, index: requests.length - 1 });
      res.writeHead(answer.status, { 'content-type': answer.type ?? 'text/plain', connection: 'close' });
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface Spawned {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/** A TypeScript entry point run as its own process, as `npm run serve` runs it; output collected. */
export function spawnTs(entry: string, env: NodeJS.ProcessEnv): Spawned {
  const child = spawn(process.execPath, ['-r', 'esbuild-register', path.join(ROOT, entry)], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => text, exited };
}

export async function waitForLine(proc: Spawned, pattern: RegExp, timeoutMs = 15_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = proc.output().match(pattern);
    if (match) return match;
    if (proc.child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`no line matching ${pattern}; output was: ${proc.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
