// The payment app with everything around it, for the picture command and the browser tests: the sandbox and the
// backend on ephemeral ports with a temporary SQLite folder, the mini program built for that backend, and the
// simulator (browser render mode and/or live preview as asked) with the official automator client connected.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import automator from 'miniprogram-automator';
import type MiniProgram from 'miniprogram-automator/out/MiniProgram';
import type Page from 'miniprogram-automator/out/Page';
import { startServer } from '../server';
import { startSandbox } from '../sandbox';
import { createProviderHandlers } from '../sandbox/simulator-handler';
import { startSimulator, type MiniProgramHandler, type RunningSimulator, type SimulatorOptions } from '../simulator';
import { buildMiniprogram } from '../gulpfile';

export const CHECKOUT_PAGE = 'pages/checkout/checkout';
const ROOT = path.resolve(__dirname, '..');

export interface AppStackOptions {
  orderTtlMs?: number;
  providerQueryAfterMs?: number;
  render?: SimulatorOptions['render'];
  browser?: SimulatorOptions['browser'];
  preview?: SimulatorOptions['preview'];
  /** wraps the provider handlers (to hold a jump, or to show the pay page) */
  wrapHandler?: (handler: MiniProgramHandler) => MiniProgramHandler;
}

export interface AppStack {
  serverUrl: string;
  sandboxUrl: string;
  simulator: RunningSimulator;
  miniProgram: MiniProgram;
  setScenario(scenario: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}

export async function startAppStack(options: AppStackOptions = {}): Promise<AppStack> {
  const closers: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
  };
  try {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'xwjf-app-'));
    closers.push(async () => fs.rmSync(work, { recursive: true, force: true }));
    const sandbox = await startSandbox({ port: 0, timeScale: 0.001, logLevel: 'silent' });
    closers.push(() => sandbox.close());
    const server = await startServer({
      port: 0,
      dataDir: path.join(work, 'data'),
      providerBaseUrl: sandbox.url,
      orderTtlMs: options.orderTtlMs,
      providerQueryAfterMs: options.providerQueryAfterMs,
      logLevel: 'silent',
    });
    closers.push(() => server.close());
    const projectPath = path.join(work, 'project');
    fs.mkdirSync(projectPath);
    const config = JSON.parse(fs.readFileSync(path.join(ROOT, 'project.config.json'), 'utf8'));
    fs.writeFileSync(path.join(projectPath, 'project.config.json'), JSON.stringify({ ...config, miniprogramRoot: 'dist/' }));
    await buildMiniprogram({ outDir: path.join(projectPath, 'dist'), apiBaseUrl: server.url, log: () => undefined });
    const handlers = createProviderHandlers(sandbox.url);
    if (options.wrapHandler) for (const appId of Object.keys(handlers)) handlers[appId] = options.wrapHandler(handlers[appId]);
    const simulator = await startSimulator({ projectPath, port: 0, handlers, render: options.render, browser: options.browser, preview: options.preview });
    closers.push(() => simulator.close());
    const miniProgram = await automator.connect({ wsEndpoint: simulator.wsEndpoint });
    closers.push(async () => miniProgram.disconnect());
    return {
      serverUrl: server.url,
      sandboxUrl: sandbox.url,
      simulator,
      miniProgram,
      async setScenario(scenario) {
        const res = await fetch(`${sandbox.url}/scenario`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(scenario) });
        if (!res.ok) throw new Error(`sandbox /scenario answered ${res.status}: ${await res.text()}`);
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

export async function waitFor<T>(probe: () => Promise<T | undefined | null | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function statusText(page: Page): Promise<string> {
  const el = await page.$('#pay-status');
  return el ? (await el.text()).trim() : '';
}

/** Waits until the checkout page's #pay-status matches; the error names what it last said. */
export async function waitForStatus(page: Page, pattern: RegExp, timeoutMs: number): Promise<string> {
  let last = '';
  try {
    return await waitFor(async () => {
      last = await statusText(page);
      return pattern.test(last) ? last : undefined;
    }, timeoutMs, `#pay-status to match ${pattern}`);
  } catch (err) {
    throw new Error(`${(err as Error).message}; it last read "${last}"`);
  }
}

/** The checkout page afresh (a new order), without the automator client's fixed 3 s navigation sleep. */
export async function openCheckout(miniProgram: MiniProgram): Promise<Page> {
  await miniProgram.callWxMethod('reLaunch', { url: `/${CHECKOUT_PAGE}` });
  const page = await waitFor(async () => {
    const current = await miniProgram.currentPage();
    return current && current.path === CHECKOUT_PAGE ? current : undefined;
  }, 10000, 'the checkout page to open');
  await waitForStatus(page, /待支付/, 10000);
  return page;
}
