// Renders the real checkout WXML (WeChat's wcc, in the simulator) for every state the page can be in: each phase,
// with each message of the message table that can show in it, in both themes. Tests read the rendered text and
// attributes (what a payer and a screen reader get) and the class structure (for contrast).
import fs from 'fs';
import os from 'os';
import path from 'path';
import automator from 'miniprogram-automator';
import type MiniProgram from 'miniprogram-automator/out/MiniProgram';
import type Page from 'miniprogram-automator/out/Page';
import { buildMiniprogram } from '../../gulpfile';
import { startSimulator, type RunningSimulator } from '../../simulator';
import { composeView, PHASES, type CheckoutView, type Phase, type ViewState } from '../../miniprogram/lib/checkout-view';
import { MESSAGE_KEYS, type MessageKey } from '../../miniprogram/lib/messages';
import type { ThemeName } from '../../miniprogram/lib/theme';

export interface RenderedState {
  /** e.g. "check-error + check.unreachable (dark)" */
  name: string;
  state: ViewState;
  view: CheckoutView;
  /** the page's rendered WXML (tags and the attributes the template set) */
  wxml: string;
  /** the text a person reads, as the simulator's innerText gives it */
  text: string;
}

const ORDER = { body: '会员月卡', totalFee: 1990 };
const FALLBACK = { appId: 'wx959c8c1fb2d89988', path: 'pages/pay', extraData: { mchid: '1', total_fee: 1990, out_trade_no: 'T1', nonce: 'n', sign: 'S' }, version: 'release' as const };

/** Which messages can show in which phase (lib/checkout-flow.ts decides; this mirrors it, and the test checks every key is used). */
function messagesOf(phase: Phase): (MessageKey | null)[] {
  const keys = (prefix: string) => MESSAGE_KEYS.filter((k) => k.startsWith(prefix));
  switch (phase) {
    case 'load-error':
      return keys('order.');
    case 'blocked':
      return ['app.misconfigured', 'jump.not_allowed'];
    case 'check-error':
      return keys('check.');
    case 'ready':
      return [null, 'jump.refused', 'jump.cancelled'];
    case 'unpaid':
      return ['confirm.timeout', 'jump.refused', 'jump.cancelled'];
    default:
      return [null];
  }
}

export function allStates(): ViewState[] {
  const states: ViewState[] = [];
  for (const theme of ['light', 'dark'] as ThemeName[]) {
    for (const phase of PHASES) {
      for (const message of messagesOf(phase)) {
        const hasOrder = phase !== 'loading' && phase !== 'load-error' && !(phase === 'blocked' && message === 'app.misconfigured') && message !== 'check.order_not_found';
        states.push({ phase, message, theme, order: phase === 'loading' || phase === 'load-error' ? null : ORDER, hasOrder, fallback: phase === 'fallback' ? FALLBACK : null });
      }
    }
  }
  return states;
}

export const stateName = (s: ViewState) => `${s.phase}${s.message ? ` + ${s.message}` : ''} (${s.theme})`;

export interface PageRenderer {
  render(state: ViewState): Promise<RenderedState>;
  /** the simulator running the page (its renderer, in browser mode, paints it) */
  simulator: RunningSimulator;
  miniProgram: MiniProgram;
  close(): Promise<void>;
}

export interface PageRendererOptions {
  /** browser: Chromium lays the page out and paints it; each state is shown with the phone in the state's theme */
  render?: 'headless' | 'browser';
}

/** Builds the app, runs it in the simulator, and renders states on its checkout page with setData. */
export async function startPageRenderer(options: PageRendererOptions = {}): Promise<PageRenderer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xwjf-render-'));
  let sim: RunningSimulator | undefined;
  let miniProgram: MiniProgram | undefined;
  try {
    fs.writeFileSync(path.join(dir, 'project.config.json'), JSON.stringify({ miniprogramRoot: 'dist/', appid: 'touristappid' }));
    // a backend that refuses connections: the page settles in 订单创建失败 and does nothing more by itself
    await buildMiniprogram({ outDir: path.join(dir, 'dist'), apiBaseUrl: 'http://127.0.0.1:9', log: () => undefined });
    sim = await startSimulator({ projectPath: dir, port: 0, render: options.render });
    miniProgram = await automator.connect({ wsEndpoint: sim.wsEndpoint });
    const current = await miniProgram.currentPage();
    if (!current) throw new Error('the simulator shows no page');
    const page: Page = current;
    const deadline = Date.now() + 10000;
    while (((await page.data('phase')) as string) !== 'load-error') {
      if (Date.now() > deadline) throw new Error('the checkout page did not settle in load-error');
      await new Promise((r) => setTimeout(r, 20));
    }
    const mp = miniProgram;
    const running = sim;
    return {
      simulator: running,
      miniProgram: mp,
      async render(state) {
        // the phone in the state's theme first (the page follows it by itself); then the state's view on top
        if (options.render === 'browser') await mp.evaluate((theme: string) => (__sim as unknown as { setTheme(t: string): unknown }).setTheme(theme), state.theme);
        const view = composeView(state);
        await page.setData(view as unknown as Record<string, unknown>);
        const root = await page.$('.page');
        if (!root) throw new Error('no .page element');
        return { name: stateName(state), state, view, wxml: await root.outerWxml(), text: await root.text() };
      },
      async close() {
        mp.disconnect();
        await running.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    if (miniProgram) miniProgram.disconnect();
    if (sim) await sim.close();
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
