// Every state a payer can see, rendered by the simulator's browser mode (Chromium, the app's wxss, WeChat's component
// styles and frame) at 375 px width (2x pixels), in WeChat's light and dark themes: what `npm run pictures`
// (scripts/pictures.ts) writes into docs/pictures/ and the visual test compares with. Each state is reached the way a
// payer reaches it: the real app against the real backend and sandbox (scripts/app-stack.ts), the sandbox's scenario
// deciding what the pay mini program does. Each state is shot in the first theme asked for (the one the phone starts
// in), then the phone's theme is switched (__sim.setTheme, as a payer switching WeChat to dark mode) for the others.
import path from 'node:path';
import type MiniProgram from 'miniprogram-automator/out/MiniProgram';
import type { MiniProgramContext } from '../typings/mini-program-handler';
import type { BrowserRenderer } from '../simulator/render/browser';
import { openCheckout, startAppStack, waitForStatus, type AppStack, type AppStackOptions } from './app-stack';

export type Theme = 'light' | 'dark';
export const THEMES: readonly Theme[] = ['light', 'dark'];

/** The states, in the order a README shows them; the file is <name>.png (or <name>.dark.png). */
export const PICTURES = [
  { name: 'checkout', title: '待支付', caption: 'the order, priced and signed by the backend' },
  { name: 'jumping', title: '正在打开支付…', caption: 'right after the tap, while WeChat opens the pay mini program' },
  { name: 'pay-page', title: '小微聚付', caption: 'the pay mini program (the sandbox\'s stand-in, as the preview shows it)' },
  { name: 'confirming', title: '正在确认支付结果…', caption: 'back in the app, waiting for the backend\'s verdict' },
  { name: 'paid', title: '支付成功', caption: 'the backend confirmed the payment' },
  { name: 'unpaid', title: '尚未支付', caption: 'no payment confirmed within the deadline; recheck or pay again' },
  { name: 'failed', title: '支付失败', caption: 'the provider reported a failed payment' },
  { name: 'expired', title: '订单已过期', caption: 'the order lapsed unpaid; a new order is one tap away' },
  { name: 'error', title: '订单创建失败', caption: 'the phone is offline; the page retries once it is back' },
] as const;

export type PictureName = (typeof PICTURES)[number]['name'];

export const PICTURES_DIR = path.resolve(__dirname, '..', 'docs', 'pictures');
export const SCALE = 2;
/**
 * The confirmation deadline of the build that shows 尚未支付: the app's is 60 s, which the picture would only wait
 * out. The page says the same after 2 s as after 60 (its words name no time), so that build alone is given 2 s.
 */
export const UNPAID_DEADLINE_MS = 2000;

export function pictureFile(name: PictureName, theme: Theme): string {
  return `${name}${theme === 'dark' ? '.dark' : ''}.png`;
}

export interface Picture {
  name: PictureName;
  theme: Theme;
  png: Buffer;
}

export interface RenderOptions {
  /** default both; the phone starts in the first */
  themes?: readonly Theme[];
  only?: readonly PictureName[];
  log?: (line: string) => void;
}

interface PictureStack extends AppStack {
  renderer: BrowserRenderer;
  /** the next jump shows the pay page (as the preview does for a person); resolves once it is on screen */
  expectPayPage(): Promise<void>;
}

class Shooter {
  readonly pictures: Picture[] = [];
  constructor(
    private readonly themes: readonly Theme[],
    private readonly log: (line: string) => void,
  ) {}

  /** The screen as it is now, in every theme: the phone's theme is switched for each, then back to the first. */
  async shoot(stack: PictureStack, name: PictureName): Promise<void> {
    for (const theme of this.themes) {
      await setTheme(stack.miniProgram, theme);
      this.pictures.push({ name, theme, png: await stack.renderer.screenshot() });
      this.log(`rendered ${pictureFile(name, theme)}`);
    }
    await setTheme(stack.miniProgram, this.themes[0]);
  }
}

async function setTheme(miniProgram: MiniProgram, theme: Theme): Promise<void> {
  await miniProgram.evaluate((t: Theme) => (__sim as unknown as { setTheme(t: Theme): unknown }).setTheme(t), theme);
}

async function startPictureStack(theme: Theme, extra: AppStackOptions = {}): Promise<PictureStack> {
  const state: { renderer?: BrowserRenderer; payPageShown?: () => void } = {};
  const stack = await startAppStack({
    ...extra,
    render: 'browser',
    browser: { scale: SCALE },
    theme,
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
  const renderer = stack.simulator!.renderer as BrowserRenderer;
  state.renderer = renderer;
  await renderer.whenReady();
  return {
    ...stack,
    renderer,
    expectPayPage: () => new Promise<void>((resolve) => (state.payPageShown = resolve)),
  };
}

async function tapSelector(miniProgram: MiniProgram, selector: string): Promise<void> {
  const page = await miniProgram.currentPage();
  const el = page && (await page.$(selector));
  if (!el) throw new Error(`${selector} is not on the page`);
  await el.tap();
}

/** checkout, jumping, pay-page, confirming, paid, failed, error: one app, one state after another. */
async function mainStates(theme: Theme, want: Set<PictureName>, shooter: Shooter): Promise<void> {
  // no provider query while a picture waits on "confirming"
  const stack = await startPictureStack(theme, { providerQueryAfterMs: 60_000 });
  const { miniProgram } = stack;
  try {
    let page = await openCheckout(miniProgram);
    if (want.has('checkout')) await shooter.shoot(stack, 'checkout');

    if (want.has('jumping')) {
      // WeChat is still opening the pay mini program: the jump has neither succeeded nor failed yet
      await miniProgram.mockWxMethod('navigateToMiniProgram', function () {
        return new Promise(() => undefined);
      });
      await tapSelector(miniProgram, '#pay-button');
      await waitForStatus(page, /正在打开支付/, 10000);
      await shooter.shoot(stack, 'jumping');
      await miniProgram.restoreWxMethod('navigateToMiniProgram');
      page = await openCheckout(miniProgram);
    }

    if (want.has('pay-page') || want.has('confirming')) {
      await stack.setScenario({ outcome: 'paid', notify: 'lost' });
      const payPageShown = stack.expectPayPage();
      await tapSelector(miniProgram, '#pay-button');
      await payPageShown;
      if (want.has('pay-page')) await shooter.shoot(stack, 'pay-page');
      stack.renderer.screen.actOnForeign('pay');
      await waitForStatus(page, /正在确认/, 10000);
      if (want.has('confirming')) await shooter.shoot(stack, 'confirming');
      page = await openCheckout(miniProgram);
    }

    if (want.has('paid')) {
      await stack.setScenario({ outcome: 'paid' });
      await tapSelector(miniProgram, '#pay-button');
      await waitForStatus(page, /支付成功/, 15000);
      await shooter.shoot(stack, 'paid');
      page = await openCheckout(miniProgram);
    }

    if (want.has('failed')) {
      await stack.setScenario({ outcome: 'failed' });
      await tapSelector(miniProgram, '#pay-button');
      await waitForStatus(page, /支付失败/, 15000);
      await shooter.shoot(stack, 'failed');
    }

    if (want.has('error')) {
      await miniProgram.evaluate(() => (__sim as { setNetwork(o: { online: boolean }): void }).setNetwork({ online: false }));
      await miniProgram.callWxMethod('reLaunch', { url: '/pages/checkout/checkout' });
      page = (await miniProgram.currentPage())!;
      await waitForStatus(page, /订单创建失败/, 10000);
      await shooter.shoot(stack, 'error');
    }
  } finally {
    await stack.close();
  }
}

/** 尚未支付: the payer came back without paying, and the confirmation gave up at its deadline. */
async function unpaidState(theme: Theme, shooter: Shooter): Promise<void> {
  const stack = await startPictureStack(theme, { build: { confirmDeadlineMs: UNPAID_DEADLINE_MS } });
  try {
    const page = await openCheckout(stack.miniProgram);
    await stack.setScenario({ outcome: 'back', backPaid: false });
    await tapSelector(stack.miniProgram, '#pay-button');
    await waitForStatus(page, /尚未支付/, UNPAID_DEADLINE_MS + 20_000);
    await shooter.shoot(stack, 'unpaid');
  } finally {
    await stack.close();
  }
}

/** 订单已过期: the order's lifetime (3 s here) ran out while the payer was away without paying. */
async function expiredState(theme: Theme, shooter: Shooter): Promise<void> {
  const stack = await startPictureStack(theme, { orderTtlMs: 3000 });
  try {
    const page = await openCheckout(stack.miniProgram);
    await stack.setScenario({ outcome: 'back', backPaid: false });
    await tapSelector(stack.miniProgram, '#pay-button');
    await waitForStatus(page, /订单已过期/, 30_000);
    await shooter.shoot(stack, 'expired');
  } finally {
    await stack.close();
  }
}

/** Renders the asked states (all by default) in the asked themes (both by default), in the README's order. */
export async function renderPictures(options: RenderOptions = {}): Promise<Picture[]> {
  const themes = options.themes?.length ? options.themes : THEMES;
  const log = options.log ?? (() => undefined);
  const want = new Set<PictureName>(options.only ?? PICTURES.map((p) => p.name));
  const shooter = new Shooter(themes, log);
  // one app (and one Chromium) at a time: the machine's cores go to the one that is working
  await mainStates(themes[0], want, shooter);
  if (want.has('unpaid')) await unpaidState(themes[0], shooter);
  if (want.has('expired')) await expiredState(themes[0], shooter);
  const order = (p: Picture) => PICTURES.findIndex((x) => x.name === p.name) * THEMES.length + THEMES.indexOf(p.theme);
  return shooter.pictures.sort((a, b) => order(a) - order(b));
}
