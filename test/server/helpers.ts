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
import type { SandboxOptions } from '../../sandbox';
import type { Clock, ServerConfig, ServerOptions } from '../../server';
import { startStack as launchStack } from '../../scripts/stack';
import { getText, postBody, postForm, postJson, type HttpAnswer } from '../../common/http-client';
import { withSign } from '../../common/sign';
import { DEV_MERCHANT_ID, DEV_MERCHANT_KEY } from '../../config/dev-defaults';
import { openStore, type OrderStore } from '../../server/store';
import { freshDatabase } from '../server-pg/database';

export { postForm, postJson, postBody };
export const MERCHANT_ID = DEV_MERCHANT_ID;
export const MERCHANT_KEY = DEV_MERCHANT_KEY;
export const ROOT = path.resolve(__dirname, '..', '..');
/** a merchant key production accepts: 32 characters of varied, unpatterned text (a test value, not a secret) */
export const STRONG_KEY = 'k7Qm2Xv9Lp4Rz8Tn1Wc6Yh3Bd5Gf0JsE';

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

/**
 * Backend + sandbox (notify schedule x0.001), or the backend alone pointing at `providerBaseUrl`: the project's stack
 * launcher with ephemeral ports, a temporary data folder, and an empty environment so the machine's cannot leak in.
 */
export async function startStack(
  server: ServerOptions & { clock?: Clock } = {},
  sandbox: Partial<SandboxOptions> | false = {},
): Promise<Stack> {
  const stack = await launchStack({
    env: {},
    tempData: true,
    backend: {
      port: 0,
      logLevel: 'silent',
      ...(await storeOptions()),
      ...(sandbox === false ? { providerBaseUrl: 'http://127.0.0.1:9' } : {}),
      ...server,
    },
    sandbox: sandbox === false ? false : { port: 0, timeScale: 0.001, ...sandbox },
  });
  return {
    serverUrl: stack.backend.url,
    sandboxUrl: stack.sandbox?.url ?? '',
    config: stack.backend.config,
    dataDir: stack.dataDir,
    close: stack.close,
  };
}

export function json<T = Record<string, unknown>>(answer: HttpAnswer): T {
  return JSON.parse(answer.text) as T;
}

export function getJson(url: string): Promise<HttpAnswer> {
  return getText(url);
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
  /** stdout and stderr so far */
  output(): string;
  exited: Promise<number | null>;
  /** started in its own process group */
  group: boolean;
}

/**
 * Every process a test file started. A test that times out never reaches its `finally`, and a server left running
 * would keep jest from exiting (CI would hang instead of failing): whatever is still alive after the file is killed.
 */
const started = new Set<Spawned>();
afterAll(() => {
  for (const proc of started) {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) continue;
    try {
      if (proc.group && proc.child.pid) process.kill(-proc.child.pid, 'SIGKILL');
      else proc.child.kill('SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  started.clear();
});

/** Runs a command with its output collected; `env` is added to this process's environment. */
export function spawnProcess(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; /** its own process group, to signal it with its children */ group?: boolean } = {},
): Spawned {
  const child = spawn(command, args, {
    cwd: options.cwd ?? ROOT,
    detached: options.group ?? false,
    env: { ...process.env, LOG_LEVEL: 'silent', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const spawned = { child, output: () => text, exited, group: options.group ?? false };
  started.add(spawned);
  void exited.then(() => started.delete(spawned));
  return spawned;
}

/** One of the project's TypeScript entry points (server/main.ts, scripts/serve.ts) in its own Node process. */
export function spawnTs(entry: string, env: NodeJS.ProcessEnv): Spawned {
  return spawnProcess(process.execPath, ['-r', 'esbuild-register', path.join(ROOT, entry)], { env });
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
