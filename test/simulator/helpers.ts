// Shared set-up for the simulator suite: the fixture app in a simulator on an ephemeral port, driven by the real
// miniprogram-automator client over `connect`.
import path from 'node:path';
import automator from 'miniprogram-automator';
import type MiniProgram from 'miniprogram-automator/out/MiniProgram';
import type Page from 'miniprogram-automator/out/Page';
import { startSimulator, type MiniProgramHandler } from '../../simulator';
import type { MethodName, ParamsOf, ResultOf } from '../../simulator/protocol/methods';

export const FIXTURE = path.join(__dirname, '..', 'fixtures', 'sim-app');
/** Starting a session compiles the fixture with wcc and loads jsdom: seconds when the 2 cores are shared. */
export const SESSION_TIMEOUT_MS = 30000;
export const INDEX = 'pages/index/index';

export interface Session {
  miniProgram: MiniProgram;
  jumps: Parameters<MiniProgramHandler>[0][];
  /** the simulator's own log lines */
  logs: string[];
  close(): Promise<void>;
}

/** The provider stand-in: records each jump and answers with extraData saying what it received. */
export async function openSession(handlers?: Record<string, MiniProgramHandler>): Promise<Session> {
  const jumps: Parameters<MiniProgramHandler>[0][] = [];
  const logs: string[] = [];
  const simulator = await startSimulator({
    projectPath: FIXTURE,
    port: 0,
    log: (line) => logs.push(line),
    handlers: handlers ?? {
      wxprovider: async (jump) => {
        jumps.push(jump);
        return { extraData: { paid: true, amount: jump.extraData?.amount } };
      },
    },
  });
  const miniProgram = await automator.connect({ wsEndpoint: simulator.wsEndpoint });
  return {
    miniProgram,
    jumps,
    logs,
    close: async () => {
      miniProgram.disconnect();
      await simulator.close();
    },
  };
}

/** One protocol call, typed by the simulator's method map (the same map its dispatcher is checked against). */
export function send<K extends MethodName>(mp: MiniProgram, method: K, params: ParamsOf<K>): Promise<ResultOf<K>> {
  return (mp as unknown as { send(m: string, p: object): Promise<ResultOf<K>> }).send(method, params);
}

/** reLaunch without the client's fixed 3 s sleep, and the page it opened. */
export async function relaunch(mp: MiniProgram, url = `/${INDEX}`): Promise<Page> {
  await mp.callWxMethod('reLaunch', { url });
  const page = await mp.currentPage();
  if (!page) throw new Error('no current page after reLaunch');
  return page;
}

export async function waitFor<T>(fn: () => Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await fn();
  while (!ok(last)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 20));
    last = await fn();
  }
  return last;
}

export async function textOf(page: Page, selector: string): Promise<string> {
  const el = await page.$(selector);
  if (!el) throw new Error(`no element ${selector}`);
  return el.text();
}

/** The fixture's lifecycle log (utils/log.js), read through evaluate. */
export async function events(mp: MiniProgram): Promise<string[]> {
  return mp.evaluate(() => getApp().globalData.events.slice());
}

export async function clearEvents(mp: MiniProgram): Promise<void> {
  await mp.evaluate(() => {
    getApp().globalData.events.length = 0;
  });
}

// evaluate() sends functions as source text; they run in the app's scope, where getApp exists
declare const getApp: () => { globalData: { events: string[]; launches: number } };
