// Every state a payer can see, rendered by the simulator's browser mode (Chromium, the app's wxss, WeChat's frame)
// at 375 px width (2x pixels): what `npm run pictures` (scripts/pictures.ts) writes into docs/pictures/ and the
// visual test compares with. Each state is reached the way a payer reaches it: the real app against the real backend and sandbox, the
// sandbox's scenario deciding what the pay mini program does. "Not paid yet" is the confirmation giving up after
// its 60 s deadline, so a full run takes a little over a minute (that state runs beside the others).
import path from 'node:path';
import type MiniProgram from 'miniprogram-automator/out/MiniProgram';
import type { MiniProgramContext } from '../typings/mini-program-handler';
import type { BrowserRenderer } from '../simulator/render/browser';
import { openCheckout, startAppStack, waitForStatus, type AppStack, type AppStackOptions } from './app-stack';

export type Theme = 'light' | 'dark';

/** The states, in the order a README shows them; the file is <name>.png (or <name>-dark.png). */
export const PICTURES = [
  { name: 'checkout', caption: '待支付: the order, priced and signed by the backend' },
  { name: 'jumping', caption: '正在打开支付…: right after the tap, while WeChat opens the pay mini program' },
  { name: 'pay-page', caption: 'the pay mini program (the sandbox\'s stand-in, as the preview shows it)' },
  { name: 'confirming', caption: '正在确认支付结果…: back in the app, waiting for the backend\'s verdict' },
  { name: 'paid', caption: '支付成功: the backend confirmed the payment' },
  { name: 'unpaid', caption: '尚未支付: no payment confirmed within the deadline; recheck or pay again' },
  { name: 'failed', caption: '支付失败: the provider reported a failed payment' },
  { name: 'expired', caption: '订单已过期: the order lapsed unpaid; a new order is one tap away' },
  { name: 'error', caption: '订单创建失败: the phone is offline; 重试 tries again' },
] as const;

export type PictureName = (typeof PICTURES)[number]['name'];

export const PICTURES_DIR = path.resolve(__dirname, '..', 'docs', 'pictures');
export const SCALE = 2;

export function pictureFile(name: PictureName, theme: Theme): string {
  return `${name}${theme === 'dark' ? '-dark' : ''}.png`;
}

export interface RenderOptions {
  theme?: Theme;
  only?: readonly PictureName[];
  log?: (line: string) => void;
}

type Shots = Map<PictureName, Buffer>;

interface PictureStack extends AppStack {
  renderer: BrowserRenderer;
  /** the next jump shows the pay page (as the preview does for a person); resolves once it is on screen */
  expectPayPage(): Promise<void>;
}

async function startPictureStack(theme: Theme, extra: AppStackOptions = {}): Promise<PictureStack> {
  const state: { renderer?: BrowserRenderer; payPageShown?: () => void } = {};
  const stack = await startAppStack({
    ...extra,
    render: 'browser',
    browser: { scale: SCALE, theme },
    wrapHandler: (handler) => (jump, context?: MiniProgramContext) => {
      const shown = state.payPageShown;
      const renderer = state.renderer;
      if (!shown || !renderer) return handler(jump, context);
      state.payPageShown = undefined;
      return handler(jump, {
        ...context,
        showScreen: (screen) => {
          const choice = renderer.screen.showForeign(screen);
          shown();
          return choice;
        },
      });
    },
  });
  const renderer = stack.simulator.renderer as BrowserRenderer;
  state.renderer = renderer;
  await renderer.whenReady();
  return {
    ...stack,
    renderer,
    expectPayPage: () => new Promise<void>((resolve) => (state.payPageShown = resolve)),
  };
}

async function shoot(stack: PictureStack, shots: Shots, name: PictureName, log: (l: string) => void): Promise<void> {
  shots.set(name, await stack.renderer.screenshot());
  log(`rendered ${name}`);
}

async function tapSelector(miniProgram: MiniProgram, selector: string): Promise<void> {
  const page = await miniProgram.currentPage();
  const el = page && (await page.$(selector));
  if (!el) throw new Error(`${selector} is not on the page`);
  await el.tap();
}

/** checkout, jumping, pay-page, confirming, paid, failed, error: one app, one state after another. */
async function mainStates(theme: Theme, want: Set<PictureName>, shots: Shots, log: (l: string) => void): Promise<void> {
  // no provider query while a picture waits on "confirming"
  const stack = await startPictureStack(theme, { providerQueryAfterMs: 60_000 });
  const { miniProgram } = stack;
  try {
    let page = await openCheckout(miniProgram);
    if (want.has('checkout')) await shoot(stack, shots, 'checkout', log);

    if (want.has('jumping')) {
      // WeChat is still opening the pay mini program: the jump has neither succeeded nor failed yet
      await miniProgram.mockWxMethod('navigateToMiniProgram', function () {
        return new Promise(() => undefined);
      });
      await tapSelector(miniProgram, '#pay-button');
      await waitForStatus(page, /正在打开支付/, 10000);
      await shoot(stack, shots, 'jumping', log);
      await miniProgram.restoreWxMethod('navigateToMiniProgram');
      page = await openCheckout(miniProgram);
    }

    if (want.has('pay-page') || want.has('confirming')) {
      await stack.setScenario({ outcome: 'paid', notify: 'lost' });
      const payPageShown = stack.expectPayPage();
      await tapSelector(miniProgram, '#pay-button');
      await payPageShown;
      if (want.has('pay-page')) await shoot(stack, shots, 'pay-page', log);
      stack.renderer.screen.actOnForeign('pay');
      await waitForStatus(page, /正在确认/, 10000);
      if (want.has('confirming')) await shoot(stack, shots, 'confirming', log);
      page = await openCheckout(miniProgram);
    }

    if (want.has('paid')) {
      await stack.setScenario({ outcome: 'paid' });
      await tapSelector(miniProgram, '#pay-button');
      await waitForStatus(page, /支付成功/, 15000);
      await shoot(stack, shots, 'paid', log);
      page = await openCheckout(miniProgram);
    }

    if (want.has('failed')) {
      await stack.setScenario({ outcome: 'failed' });
      await tapSelector(miniProgram, '#pay-button');
      await waitForStatus(page, /支付失败/, 15000);
      await shoot(stack, shots, 'failed', log);
    }

    if (want.has('error')) {
      await miniProgram.evaluate(() => (__sim as { setNetwork(o: { online: boolean }): void }).setNetwork({ online: false }));
      await miniProgram.callWxMethod('reLaunch', { url: '/pages/checkout/checkout' });
      page = (await miniProgram.currentPage())!;
      await waitForStatus(page, /订单创建失败/, 10000);
      await shoot(stack, shots, 'error', log);
    }
  } finally {
    await stack.close();
  }
}

/** 尚未支付: the payer came back without paying; the confirmation gives up at its 60 s deadline. */
async function unpaidState(theme: Theme, shots: Shots, log: (l: string) => void): Promise<void> {
  const stack = await startPictureStack(theme);
  try {
    const page = await openCheckout(stack.miniProgram);
    await stack.setScenario({ outcome: 'back', backPaid: false });
    await tapSelector(stack.miniProgram, '#pay-button');
    log('unpaid: waiting for the app\'s 60 s confirmation deadline');
    await waitForStatus(page, /尚未支付/, 90_000);
    await shoot(stack, shots, 'unpaid', log);
  } finally {
    await stack.close();
  }
}

/** 订单已过期: the order's lifetime (3 s here) ran out while the payer was away without paying. */
async function expiredState(theme: Theme, shots: Shots, log: (l: string) => void): Promise<void> {
  const stack = await startPictureStack(theme, { orderTtlMs: 3000 });
  try {
    const page = await openCheckout(stack.miniProgram);
    await stack.setScenario({ outcome: 'back', backPaid: false });
    await tapSelector(stack.miniProgram, '#pay-button');
    await waitForStatus(page, /订单已过期/, 30_000);
    await shoot(stack, shots, 'expired', log);
  } finally {
    await stack.close();
  }
}

/** Renders the asked states (all by default) and answers the PNGs by name. */
export async function renderPictures(options: RenderOptions = {}): Promise<Shots> {
  const theme = options.theme ?? 'light';
  const log = options.log ?? (() => undefined);
  const want = new Set<PictureName>(options.only ?? PICTURES.map((p) => p.name));
  const shots: Shots = new Map();
  const slow = want.has('unpaid') ? unpaidState(theme, shots, log) : Promise.resolve();
  // the slow one waits on a timer, not the CPU: the others run meanwhile (each app has its own Chromium)
  const rest = (async () => {
    await mainStates(theme, want, shots, log);
    if (want.has('expired')) await expiredState(theme, shots, log);
  })();
  const results = await Promise.allSettled([slow, rest]);
  for (const r of results) if (r.status === 'rejected') throw r.reason;
  return new Map(PICTURES.filter((p) => shots.has(p.name)).map((p) => [p.name, shots.get(p.name)!]));
}
