// The e2e stack: the real backend and sandbox on 127.0.0.1 (ephemeral ports, a temporary SQLite folder), the mini
// program built from miniprogram/ with that backend's URL baked in, and a runtime that the official
// miniprogram-automator client drives: our simulator by default, real WeChat DevTools when WECHAT_DEVTOOLS_CLI is set.
//
// Specs talk to the app only through the public automator API and the simulator's `__sim` global, to the sandbox
// only through its /scenario route, and to the backend only through its public routes.

import fs from 'fs';
import net from 'net';
import os from 'os';
import path from 'path';
import automator from 'miniprogram-automator';
import type MiniProgram from 'miniprogram-automator/out/MiniProgram';
import type Page from 'miniprogram-automator/out/Page';
import type { PayCheckResponse } from '../../typings/api';
import { startServer } from '../../server';
import { startSandbox } from '../../sandbox';
import { createProviderHandlers } from '../../sandbox/simulator-handler';
import { startSimulator } from '../../simulator';
import { buildMiniprogram } from '../../gulpfile';
import { PENDING_ORDER_KEY } from '../../miniprogram/lib/pending-store';

export const CHECKOUT_PAGE = 'pages/checkout/checkout';
export const PROVIDER_APP_ID = 'wx959c8c1fb2d89988';

/** Set when the same specs should also run against a real WeChat DevTools (its `cli`). */
export const devtoolsCli = process.env.WECHAT_DEVTOOLS_CLI;

export interface StackOptions {
  /** the backend's order lifetime; the expiry spec shortens it */
  orderTtlMs?: number;
  /** how long a still-pending check waits before asking the provider's order query */
  providerQueryAfterMs?: number;
  /**
   * who runs the app: our simulator started in-process (default); our simulator started as a newcomer would, by
   * automator.launch on simulator/cli.js with the project's simulator.handlers.js and SANDBOX_PORT, nothing else;
   * or the WeChat DevTools whose CLI WECHAT_DEVTOOLS_CLI names
   */
  runtime?: 'simulator' | 'simulator-launch' | 'devtools';
}

export interface Stack {
  serverUrl: string;
  sandboxUrl: string;
  projectPath: string;
  miniProgram: MiniProgram;
  close(): Promise<void>;
}

type Closer = () => Promise<unknown>;

/** Starts everything one spec file needs, in dependency order, and tears it down in reverse. */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const closers: Closer[] = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  };
  try {
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xwjf-e2e-'));
    closers.push(async () => fs.rmSync(workDir, { recursive: true, force: true }));

    const sandbox = await startSandbox({ port: 0, timeScale: 0.001 });
    closers.push(() => sandbox.close());

    const server = await startServer({
      port: 0,
      dataDir: path.join(workDir, 'data'),
      providerBaseUrl: sandbox.url,
      orderTtlMs: options.orderTtlMs,
      providerQueryAfterMs: options.providerQueryAfterMs ?? 1500,
      logLevel: 'silent',
    });
    closers.push(() => server.close());

    const projectPath = path.join(workDir, 'project');
    fs.mkdirSync(projectPath, { recursive: true });
    fs.writeFileSync(
      path.join(projectPath, 'project.config.json'),
      JSON.stringify({ ...readRootProjectConfig(), miniprogramRoot: 'dist/' }, null, 2),
    );
    await buildMiniprogram({ outDir: path.join(projectPath, 'dist'), apiBaseUrl: server.url, log: () => undefined });

    let miniProgram: MiniProgram;
    if (options.runtime === 'simulator-launch') {
      // The project's handlers file is this repository's own, as `projectPath: '.'` finds it, with SANDBOX_PORT set to
      // this stack's sandbox: launch gives the CLI the test runner's real environment, which jest's sandboxed
      // process.env does not reach, so the variable is set in the CLI's process by the file that reads it.
      const sandboxPort = new URL(sandbox.url).port;
      fs.writeFileSync(
        path.join(projectPath, 'simulator.handlers.js'),
        `process.env.SANDBOX_PORT = ${JSON.stringify(sandboxPort)};\ndelete process.env.SANDBOX_URL;\nmodule.exports = require(${JSON.stringify(ROOT_HANDLERS_FILE)});\n`,
      );
      miniProgram = await automator.launch({ cliPath: SIMULATOR_CLI, projectPath, port: await freePort() });
      closers.push(() => miniProgram.close());
    } else if (options.runtime === 'devtools') {
      if (!devtoolsCli) throw new Error('set WECHAT_DEVTOOLS_CLI to the path of WeChat DevTools\' cli to run the DevTools pass');
      // launch() sleeps 5 s after connecting: paid once per spec file
      miniProgram = await automator.launch({ cliPath: devtoolsCli, projectPath, trustProject: true });
      closers.push(() => miniProgram.close());
    } else {
      const simulator = await startSimulator({
        projectPath,
        port: 0,
        handlers: createProviderHandlers(sandbox.url),
      });
      closers.push(() => simulator.close());
      miniProgram = await automator.connect({ wsEndpoint: simulator.wsEndpoint });
      closers.push(async () => miniProgram.disconnect());
    }

    return { serverUrl: server.url, sandboxUrl: sandbox.url, projectPath, miniProgram, close: closeAll };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

/**
 * Starts one stack for the spec file that calls it (in beforeAll) and stops it after its last test. The returned
 * function gives the running stack inside tests.
 */
export function useStack(options: StackOptions = {}): () => Stack {
  let stack: Stack | undefined;
  beforeAll(async () => {
    stack = await startStack(options);
  }, options.runtime === 'devtools' ? 120000 : 60000);
  afterAll(async () => {
    await stack?.close();
  });
  return () => {
    if (!stack) throw new Error('the e2e stack did not start (see the beforeAll error above)');
    return stack;
  };
}

const ROOT = path.join(__dirname, '..', '..');
const SIMULATOR_CLI = path.join(ROOT, 'simulator', 'cli.js');
const ROOT_HANDLERS_FILE = path.join(ROOT, 'simulator.handlers.js');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.once('error', reject);
  });
}

function readRootProjectConfig(): Record<string, unknown> {
  const file = path.join(ROOT, 'project.config.json');
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

export interface Scenario {
  outcome: 'paid' | 'cancelled' | 'failed' | 'back';
  notify?: 'normal' | 'lost' | 'repeat' | 'bad-sign';
  notifyDelayMs?: number;
  /** with outcome `back`: whether the user paid before pressing the back key (the sandbox's default is true) */
  backPaid?: boolean;
}

export async function setScenario(stack: Stack, scenario: Scenario): Promise<void> {
  const res = await fetch(`${stack.sandboxUrl}/scenario`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(scenario),
  });
  if (!res.ok) throw new Error(`sandbox /scenario answered ${res.status}: ${await res.text()}`);
}

/** Opens the checkout page afresh (a new order) without the client's fixed 3 s navigation sleep. */
export async function openCheckout(stack: Stack, query = ''): Promise<Page> {
  const url = `/${CHECKOUT_PAGE}${query ? `?${query}` : ''}`;
  await stack.miniProgram.callWxMethod('reLaunch', { url });
  const page = await waitUntil(async () => {
    const current = await stack.miniProgram.currentPage();
    return current && current.path === CHECKOUT_PAGE ? current : undefined;
  }, 5000, `the checkout page to open`);
  await waitForStatus(page, /待支付/, 5000);
  return page;
}

export async function statusText(page: Page): Promise<string> {
  const el = await page.$('#pay-status');
  return el ? (await el.text()).trim() : '';
}

/** Waits until #pay-status matches; the error names the text last seen, which is what a person would check. */
export async function waitForStatus(page: Page, pattern: RegExp, timeoutMs: number): Promise<string> {
  let last = '';
  try {
    return await waitUntil(async () => {
      last = await statusText(page);
      return pattern.test(last) ? last : undefined;
    }, timeoutMs, `#pay-status to match ${pattern}`);
  } catch (err) {
    throw new Error(`${(err as Error).message}; it last read "${last}"`);
  }
}

export async function tap(page: Page, selector: string): Promise<void> {
  const el = await page.$(selector);
  if (!el) throw new Error(`${selector} is not on the page`);
  await el.tap();
}

export async function isShown(page: Page, selector: string): Promise<boolean> {
  return (await page.$(selector)) !== null;
}

export interface StoredPendingOrder {
  outTradeNo: string;
  orderToken: string;
}

/** The order the page is paying, as the app itself stored it before the jump. */
export async function pendingOrder(stack: Stack): Promise<StoredPendingOrder | undefined> {
  const stored = await stack.miniProgram.callWxMethod('getStorageSync', PENDING_ORDER_KEY);
  return stored && typeof stored === 'object' && stored.outTradeNo ? (stored as StoredPendingOrder) : undefined;
}

/** What the app handed to other mini programs, as the simulator recorded each jump. */
export interface JumpRecord {
  appId: string;
  path?: string;
  extraData?: Record<string, unknown>;
  /** what the other mini program handed back on return */
  returnedExtraData?: Record<string, unknown>;
}

export async function jumps(stack: Stack): Promise<JumpRecord[]> {
  return stack.miniProgram.evaluate(() => __sim.jumps());
}

/** How many POST /api/pay/check the app has sent so far. */
export async function checkRequests(stack: Stack): Promise<{ at: number }[]> {
  const all: { url: string; at: number }[] = await stack.miniProgram.evaluate(() => __sim.requests());
  return all.filter((r) => r.url.includes('/api/pay/check'));
}

/**
 * The outcome the paying user expects: exactly one jump, carrying the order the app stored, and the backend holding
 * that order as paid. Returns the order.
 */
export async function expectPaidByOneJump(stack: Stack): Promise<StoredPendingOrder> {
  const made = await jumps(stack);
  expect(made).toHaveLength(1);
  const order = (await pendingOrder(stack))!;
  expect(made[0].extraData!.out_trade_no).toBe(order.outTradeNo);
  expect((await backendStatus(stack, order)).status).toBe('paid');
  return order;
}

/** What the backend says right now about an order: the only source of truth for money. */
export async function backendStatus(stack: Stack, order: StoredPendingOrder): Promise<PayCheckResponse> {
  const res = await fetch(`${stack.serverUrl}/api/pay/check`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ outTradeNo: order.outTradeNo, orderToken: order.orderToken, waitMs: 0 }),
  });
  if (!res.ok) throw new Error(`backend /api/pay/check answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as PayCheckResponse;
}

export async function waitUntil<T>(probe: () => Promise<T | undefined | null | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
