// `npm start`: start the backend and the sandbox, build the mini program for that backend, run the app in the simulator and pay once
// in the sandbox, printing each step with its time; then keep serving (backend for WeChat DevTools, the simulator's
// automator endpoint) until Ctrl-C. `npm start -- --once` exits after the payment: 0 only if it was confirmed paid.

import path from 'path';
import automator from 'miniprogram-automator';
import type Page from 'miniprogram-automator/out/Page';
import { explainListenError } from '../common/listen';
import { closeOnSignals } from '../common/shutdown';
import { createProviderHandlers } from '../sandbox/simulator-handler';
import { startSimulator, type MiniProgramHandler } from '../simulator';
import { previewPort } from '../simulator/render/browser/preview';
import { buildMiniprogram } from '../gulpfile';
import { startStack } from './stack';

const ROOT = path.resolve(__dirname, '..');
const CHECKOUT = 'pages/checkout/checkout';
const once = process.argv.includes('--once');
const startedAt = Date.now();

function step(message: string): void {
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(3).padStart(7);
  console.log(`[+${seconds}s] ${message}`);
}

function fail(message: string): never {
  console.error(`\nnpm start failed: ${message}`);
  process.exit(1);
}

/** Wraps the sandbox's jump handlers so the console shows the jump and the return as they happen. */
function narrate(handlers: Record<string, MiniProgramHandler>): Record<string, MiniProgramHandler> {
  const wrapped: Record<string, MiniProgramHandler> = {};
  for (const [appId, handle] of Object.entries(handlers)) {
    wrapped[appId] = async (jump, context) => {
      const fields = jump.extraData ?? {};
      step(`jump to the pay mini program ${appId} (${jump.path ?? ''}): out_trade_no=${fields.out_trade_no}, total_fee=${fields.total_fee}, signed=${typeof fields.sign === 'string'}`);
      const answer = await handle(jump, context);
      step(`back from ${appId} with scene 1038, extraData ${JSON.stringify(answer.extraData ?? {})}`);
      return answer;
    };
  }
  return wrapped;
}

async function readStatus(page: Page): Promise<string> {
  const el = await page.$('#pay-status');
  return el ? (await el.text()).trim() : '';
}

async function waitForStatus(page: Page, pattern: RegExp, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    last = await readStatus(page);
    if (pattern.test(last)) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the page still says "${last}" after ${timeoutMs / 1000} s`);
}

async function main(): Promise<void> {
  // the step lines are the story here; the services' request logs only at LOG_LEVEL=info
  const logLevel = (process.env.LOG_LEVEL || 'warn') as 'warn';
  const stack = await startStack({ backend: { logLevel }, sandbox: { logLevel } }).catch((err: Error) => fail(err.message));
  const { backend: server, sandbox } = stack;
  step(`sandbox (stand-in for 小微聚付) listening at ${sandbox.url}`);
  step(`backend listening at ${server.url} (orders in ${server.storeDescription})`);

  // built after the backend listens, so the app calls the port it really got (PORT), unless API_BASE_URL says otherwise
  const apiBaseUrl = process.env.API_BASE_URL || server.url;
  step(`building the mini program into dist/ for the backend at ${apiBaseUrl}`);
  try {
    await buildMiniprogram({ outDir: path.join(ROOT, 'dist'), apiBaseUrl });
  } catch (err) {
    await stack.close();
    fail(`the build failed. Fix the error above (file:line) and run npm start again.\n${(err as Error).message}`);
  }

  const simPort = Number(process.env.SIM_PORT ?? 9420);
  // the live preview (a person's view of the app) is served too, unless this run stops after the payment
  const preview = once ? undefined : { port: previewPort() };
  const simulator = await startSimulator({ projectPath: ROOT, port: simPort, handlers: narrate(createProviderHandlers(sandbox.url)), preview })
    .catch(async (err) => {
      await stack.close();
      const portVariable = /preview/.test(String((err as Error).message)) ? 'PREVIEW_PORT' : 'SIM_PORT';
      const port = portVariable === 'PREVIEW_PORT' ? (preview?.port ?? 0) : simPort;
      return fail(`the simulator: ${explainListenError(err, { host: '127.0.0.1', port, portVariable }).message}`);
    });
  step(`simulator running the app from dist/, automator endpoint ${simulator.wsEndpoint}`);

  const shutdown = async (): Promise<void> => {
    await simulator.close().catch(() => undefined);
    await stack.close();
  };
  closeOnSignals(shutdown);

  let paid = false;
  const miniProgram = await automator.connect({ wsEndpoint: simulator.wsEndpoint });
  try {
    // the app opens on the checkout page by itself (app.json's first page), as it would on a phone
    let page: Page | undefined;
    for (let i = 0; i < 100 && page?.path !== CHECKOUT; i++) {
      page = await miniProgram.currentPage();
      if (page?.path !== CHECKOUT) await new Promise((r) => setTimeout(r, 50));
    }
    if (!page || page.path !== CHECKOUT) throw new Error(`the checkout page did not open`);
    await waitForStatus(page, /待支付/, 10000);
    const amount = await (await page.$('#order-amount'))?.text();
    step(`order created by the backend and signed there; the page shows ${amount?.trim()} and 待支付`);

    const button = await page.$('#pay-button');
    if (!button) throw new Error('the page has no #pay-button');
    step('user taps 支付 (#pay-button)');
    await button.tap();
    await waitForStatus(page, /正在确认|支付成功/, 10000);
    step('page confirms with the backend (long-poll POST /api/pay/check)');
    const verdict = await waitForStatus(page, /支付成功|尚未支付|失败|过期/, 30000);
    paid = /支付成功/.test(verdict);
    step(paid ? 'confirmed paid by the backend: the page shows 支付成功' : `not confirmed: the page shows "${verdict}"`);
  } catch (err) {
    step(`the payment did not complete: ${(err as Error).message}`);
  } finally {
    miniProgram.disconnect();
  }

  if (once) {
    await shutdown();
    process.exit(paid ? 0 : 1);
  }
  console.log(`
Serving until Ctrl-C:
  backend for WeChat DevTools   ${server.url}   (open this folder in DevTools; domain check is off in develop)
  sandbox                       ${sandbox.url}
  simulator automator endpoint  ${simulator.wsEndpoint}   (automator.connect({wsEndpoint}))
preview: ${simulator.previewUrl}   (open it in a browser: the app at phone size, live; a click is a tap)`);
}

main().catch((err) => fail((err as Error).stack ?? String(err)));
