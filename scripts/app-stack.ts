// The payment app with everything around it, started one way for every user of it: the e2e suite (test/e2e/harness.ts),
// the browser tests and the README pictures (scripts/render-pictures.ts). The backend and the sandbox come from the
// project's stack launcher (scripts/stack.ts: ephemeral ports, a temporary SQLite folder, none of the machine's
// environment); the mini program is built from miniprogram/ into a project copy with that backend's URL baked in
// (buildAppFor); a runtime runs it, driven by the official miniprogram-automator client: our simulator in-process (the
// default; browser render mode, live preview and theme as asked), our simulator started by automator.launch as a
// newcomer would, or the real WeChat DevTools whose CLI WECHAT_DEVTOOLS_CLI names.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import automator from 'miniprogram-automator';
import type MiniProgram from 'miniprogram-automator/out/MiniProgram';
import type Page from 'miniprogram-automator/out/Page';
import { startServer, type RunningServer } from '../server';
import { createProviderHandlers } from '../sandbox/simulator-handler';
import { startSimulator, type MiniProgramHandler, type RunningSimulator, type SimulatorOptions } from '../simulator';
import { buildMiniprogram, type BuildOptions } from '../gulpfile';
import { startStack } from './stack';

export const CHECKOUT_PAGE = 'pages/checkout/checkout';
const ROOT = path.resolve(__dirname, '..');
const SIMULATOR_CLI = path.join(ROOT, 'simulator', 'cli.js');
const ROOT_HANDLERS_FILE = path.join(ROOT, 'simulator.handlers.js');

/** Set when the same specs should also run against a real WeChat DevTools (its `cli`). */
export const devtoolsCli = process.env.WECHAT_DEVTOOLS_CLI;

export interface AppStackOptions {
  /** the backend's order lifetime; the expiry spec and picture shorten it */
  orderTtlMs?: number;
  /** how long a still-pending check waits before asking the provider's order query */
  providerQueryAfterMs?: number;
  /** build options beyond the backend's URL (the pictures' shorter confirmation deadline) */
  build?: Pick<BuildOptions, 'confirmDeadlineMs'>;
  /**
   * who runs the app: our simulator started in-process (default); our simulator started as a newcomer would, by
   * automator.launch on simulator/cli.js with the project's simulator.handlers.js and SANDBOX_PORT, nothing else;
   * or the WeChat DevTools whose CLI WECHAT_DEVTOOLS_CLI names
   */
  runtime?: 'simulator' | 'simulator-launch' | 'devtools';
  /** the in-process simulator's render mode, browser options, live preview and start theme */
  render?: SimulatorOptions['render'];
  browser?: SimulatorOptions['browser'];
  preview?: SimulatorOptions['preview'];
  theme?: SimulatorOptions['theme'];
  /** wraps the provider handlers of the in-process simulator (to hold a jump, or to show the pay page) */
  wrapHandler?: (handler: MiniProgramHandler) => MiniProgramHandler;
}

export interface AppStack {
  serverUrl: string;
  sandboxUrl: string;
  projectPath: string;
  miniProgram: MiniProgram;
  /** the in-process simulator (runtime 'simulator'); undefined when another process runs the app */
  simulator: RunningSimulator | undefined;
  /** decides what the sandbox's pay mini program does with the following payments (its POST /scenario) */
  setScenario(scenario: Scenario): Promise<void>;
  /** stops the backend: its port refuses connections until startBackend() */
  stopBackend(): Promise<void>;
  /** starts the backend again on the same port with the same data */
  startBackend(): Promise<void>;
  close(): Promise<void>;
}

export interface Scenario {
  outcome: 'paid' | 'cancelled' | 'failed' | 'back';
  notify?: 'normal' | 'lost' | 'repeat' | 'bad-sign';
  notifyDelayMs?: number;
  /** with outcome `back`: whether the user paid before pressing the back key (the sandbox's default is true) */
  backPaid?: boolean;
}

/**
 * The one way to build the app for a backend: a project folder (project.config.json without DevTools' build
 * commands: this copy is built here, and has no package.json for them to run) with the mini program built into
 * dist/ with `apiBaseUrl` baked in.
 */
export async function buildAppFor(projectPath: string, apiBaseUrl: string, build: AppStackOptions['build'] = {}): Promise<void> {
  fs.mkdirSync(projectPath, { recursive: true });
  const config = JSON.parse(fs.readFileSync(path.join(ROOT, 'project.config.json'), 'utf8'));
  fs.writeFileSync(path.join(projectPath, 'project.config.json'), JSON.stringify({ ...config, scripts: undefined, miniprogramRoot: 'dist/' }, null, 2));
  await buildMiniprogram({ ...build, outDir: path.join(projectPath, 'dist'), apiBaseUrl, log: () => undefined });
}

/** Starts everything, in dependency order; close() stops it in reverse. A failure half-way closes what had started. */
export async function startAppStack(options: AppStackOptions = {}): Promise<AppStack> {
  const closers: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const c of closers.splice(0).reverse()) await c().catch(() => undefined);
  };
  try {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'xwjf-app-'));
    closers.push(async () => fs.rmSync(work, { recursive: true, force: true }));
    const backendOptions = {
      port: 0,
      orderTtlMs: options.orderTtlMs,
      providerQueryAfterMs: options.providerQueryAfterMs,
      logLevel: 'silent' as const,
    };
    const stack = await startStack({ env: {}, tempData: true, sandbox: { port: 0, timeScale: 0.001, logLevel: 'silent' }, backend: backendOptions });
    closers.push(stack.close);
    const { sandbox, backend } = stack;

    // the backend going away and coming back (a deploy, a crash and restart): same port, same data, same provider
    let restarted: RunningServer | null = null;
    let running = true;
    closers.push(async () => restarted?.close());
    const stopBackend = async () => {
      if (!running) return;
      running = false;
      await (restarted ?? backend).close();
      restarted = null;
    };
    const startBackend = async () => {
      if (running) return;
      restarted = await startServer({ ...backendOptions, env: {}, port: backend.port, dataDir: stack.dataDir, providerBaseUrl: backend.config.providerBaseUrl });
      running = true;
    };

    const projectPath = path.join(work, 'project');
    await buildAppFor(projectPath, backend.url, options.build);

    let miniProgram: MiniProgram;
    let simulator: RunningSimulator | undefined;
    if (options.runtime === 'simulator-launch') {
      // The project's handlers file is this repository's own, as `projectPath: '.'` finds it, with SANDBOX_PORT set to
      // this stack's sandbox: launch gives the CLI the test runner's real environment, which jest's sandboxed
      // process.env does not reach, so the variable is set in the CLI's process by the file that reads it.
      fs.writeFileSync(
        path.join(projectPath, 'simulator.handlers.js'),
        `process.env.SANDBOX_PORT = ${JSON.stringify(String(sandbox.port))};\ndelete process.env.SANDBOX_URL;\nmodule.exports = require(${JSON.stringify(ROOT_HANDLERS_FILE)});\n`,
      );
      const launched = await automator.launch({ cliPath: SIMULATOR_CLI, projectPath, port: await freePort() });
      const launchedAt = Date.now();
      miniProgram = launched;
      // launch() arms a 15 s timer when the process it spawned exits, and nothing can cancel it; the CLI returns once
      // the simulator is ready (as DevTools' cli does) and launch then sleeps 5 s, so the timer runs out 10 s after
      // launch returned. A jest worker that finishes before that is force-killed ("A worker process has failed to
      // exit gracefully"): closing waits the rest out (closers run last-in, first-out).
      closers.push(() => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, launchedAt + 10500 - Date.now()))));
      closers.push(() => launched.close());
    } else if (options.runtime === 'devtools') {
      if (!devtoolsCli) throw new Error('set WECHAT_DEVTOOLS_CLI to the path of WeChat DevTools\' cli to run the DevTools pass');
      // launch() sleeps 5 s after connecting: paid once per spec file
      const launched = await automator.launch({ cliPath: devtoolsCli, projectPath, trustProject: true });
      miniProgram = launched;
      closers.push(() => launched.close());
    } else {
      const handlers = createProviderHandlers(sandbox.url);
      if (options.wrapHandler) for (const appId of Object.keys(handlers)) handlers[appId] = options.wrapHandler(handlers[appId]);
      const sim = await startSimulator({ projectPath, port: 0, handlers, render: options.render, browser: options.browser, preview: options.preview, theme: options.theme });
      simulator = sim;
      closers.push(() => sim.close());
      const connected = await automator.connect({ wsEndpoint: sim.wsEndpoint });
      miniProgram = connected;
      closers.push(async () => connected.disconnect());
    }

    return {
      serverUrl: backend.url,
      sandboxUrl: sandbox.url,
      projectPath,
      miniProgram,
      simulator,
      async setScenario(scenario) {
        const res = await fetch(`${sandbox.url}/scenario`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(scenario) });
        if (!res.ok) throw new Error(`sandbox /scenario answered ${res.status}: ${await res.text()}`);
      },
      stopBackend,
      startBackend,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.once('error', reject);
  });
}

// ---- what a person reads on the checkout page ---------------------------------------------------------------------

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function waitUntil<T>(probe: () => Promise<T | undefined | null | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

/**
 * The text of the element `selector` finds, '' when there is none. The page keeps re-rendering while it confirms: an
 * element found a moment ago may be gone before its text is read, and then the page is simply asked again.
 */
export async function textOf(page: Page, selector: string): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const el = await page.$(selector);
    if (!el) return '';
    try {
      return (await el.text()).trim();
    } catch (error) {
      if (attempt >= 3 || !/is gone/.test((error as Error).message)) throw error;
    }
  }
}

export function statusText(page: Page): Promise<string> {
  return textOf(page, '#pay-status');
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

/** The checkout page afresh (a new order), without the automator client's fixed 3 s navigation sleep. */
export async function openCheckout(miniProgram: MiniProgram, options: { query?: string; timeoutMs?: number } = {}): Promise<Page> {
  const timeoutMs = options.timeoutMs ?? 10000;
  await miniProgram.callWxMethod('reLaunch', { url: `/${CHECKOUT_PAGE}${options.query ? `?${options.query}` : ''}` });
  const page = await waitUntil(async () => {
    const current = await miniProgram.currentPage();
    return current && current.path === CHECKOUT_PAGE ? current : undefined;
  }, timeoutMs, 'the checkout page to open');
  await waitForStatus(page, /待支付/, timeoutMs);
  return page;
}
