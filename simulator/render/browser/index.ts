// The browser render mode: the phone (screen.ts, phone/) in Debian's Chromium, so pages are laid out with their
// wxss and WeChat's component styles, and sizes, offsets, computed styles and screenshots answer from real layout.
// Chromium starts in the background when the renderer is created: the app runs meanwhile, and layout calls wait
// for it. Where Chromium is missing, only layout calls fail, with a message that names the package to install.
import type { Page } from 'playwright-core';
import type { Log } from '../../runtime/types';
import type { Device } from '../../runtime/window';
import type { Rect, RenderedPage, Renderer, RendererFactory, ScreenEvent, ScreenPlace, Theme } from '../renderer';
import { launchChromium, type LaunchedChromium } from './chromium';
import { PhoneScreen, type PhoneMessage } from './screen';

export { PhoneScreen } from './screen';
export type { ForeignScreen, ForeignAction, PhoneSink, PhoneMessage } from './screen';
export { ChromiumMissingError, chromiumAvailable } from './chromium';
export { withScreen } from './with-screen';

export interface BrowserRendererOptions {
  /** the mini program root (where app.json is) */
  root: string;
  appJson: { usingComponents?: Record<string, string>; window?: Record<string, unknown>; darkmode?: boolean };
  /** the phone; default the simulator's one (runtime/window.ts: 375 x 667) */
  device?: Device;
  /** device pixels per CSS px in screenshots (default 1: a screenshot is as wide as the window, 375 px) */
  scale?: number;
  /** the system theme at start (default light); setTheme changes it */
  theme?: Theme;
  log?: Log;
  /** share a screen with a live preview (default: a screen of its own) */
  screen?: PhoneScreen;
}

const ORIGIN = 'http://phone.sim';

export interface PhoneState {
  /** the shown page's id, or null */
  page: number | null;
  /** another mini program's screen is shown */
  foreign: boolean;
  theme: Theme;
  /** the navigation bar's title (null without a navigation bar) */
  title: string | null;
  /** the toast's or loading box's title, or null */
  toast: string | null;
  modal: { title: string; content: string } | null;
  /** the navigation bar's back arrow shows */
  back: boolean;
  /** the tab bar's selected item (its page path), or null without a tab bar */
  tab: string | null;
  /** the pages whose documents are visible (one at most) and all the pages the phone holds, by id */
  visiblePages: number[];
  pages: number[];
  /** the action sheet's alertText (null without one) and items, or null */
  actionSheet: { alertText: string | null; items: string[] } | null;
}

export class BrowserRenderer implements Renderer {
  readonly kind = 'browser' as const;
  readonly screen: PhoneScreen;
  private readonly ready: Promise<{ chromium: LaunchedChromium; tab: Page }>;
  /** phone.js applies messages in the order they were sent */
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly log: Log;
  /** Chromium's tab once it is open (before the phone page loads in it) */
  private tab: Page | undefined;

  constructor(private readonly options: BrowserRendererOptions) {
    this.log = options.log ?? (() => undefined);
    this.screen = options.screen ?? new PhoneScreen({ root: options.root, appJson: options.appJson, device: options.device, theme: options.theme, log: options.log });
    this.ready = this.start();
    this.ready.catch((err) => this.log(`browser render mode: ${(err as Error).message}`));
  }

  private async start(): Promise<{ chromium: LaunchedChromium; tab: Page }> {
    const device = this.screen.device;
    const chromium = await launchChromium({
      purpose: 'The browser render mode (layout, styles and screenshots)',
      viewport: { width: device.width, height: device.height },
      deviceScaleFactor: this.options.scale ?? 1,
      colorScheme: this.screen.theme,
    });
    try {
      const tab = chromium.context.pages()[0] ?? (await chromium.context.newPage());
      this.tab = tab;
      // the theme may have changed while Chromium started
      await tab.emulateMedia({ colorScheme: this.screen.theme });
      // the phone document and the app's pictures come from the simulator, never from the network
      await tab.route(`${ORIGIN}/**`, async (route) => {
        const url = new URL(route.request().url());
        if (url.pathname === '/') return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: this.screen.document('renderer', 'simulator') });
        const file = url.pathname.startsWith('/files/') ? this.screen.file(url.pathname.slice('/files/'.length)) : undefined;
        if (file) return route.fulfill({ status: 200, contentType: file.type, body: file.body });
        return route.fulfill({ status: 404, body: 'not found' });
      });
      await tab.goto(`${ORIGIN}/`);
      if (this.closed) throw new Error('the simulator closed while Chromium was starting');
      this.screen.subscribe({ send: (messages) => this.send(tab, messages) });
      await this.queue;
      return { chromium, tab };
    } catch (err) {
      await chromium.close();
      throw err;
    }
  }

  private send(tab: Page, messages: PhoneMessage[]): void {
    this.queue = this.queue
      .then(() => tab.evaluate((m) => (window as unknown as { __phone: { apply(m: unknown): void } }).__phone.apply(m), messages))
      .catch((err) => {
        if (!this.closed) this.log(`browser render mode: an update did not apply: ${(err as Error).message}`);
      });
  }

  /** Chromium with every change so far applied. */
  private async synced(): Promise<Page> {
    const { tab } = await this.ready;
    this.screen.flushNow();
    await this.queue;
    return tab;
  }

  private async call<T>(fn: string, args: unknown[]): Promise<T> {
    const tab = await this.synced();
    return tab.evaluate(
      ([name, list]) => {
        const phone = (window as unknown as { __phone: Record<string, (...a: unknown[]) => unknown> }).__phone;
        return phone[name as string](...(list as unknown[]));
      },
      [fn, args] as const,
    ) as Promise<T>;
  }

  private async sid(page: RenderedPage, element: Element): Promise<number> {
    await this.synced();
    const sid = this.screen.idOf(page, element);
    if (sid === undefined) throw new Error(`the element is not on page ${page.route} in the browser (it was removed, or belongs to another page)`);
    return sid;
  }

  // ---- Renderer ------------------------------------------------------------------------------------------

  async attachPage(page: RenderedPage): Promise<void> {
    this.screen.attachPage(page);
  }

  detachPage(page: RenderedPage): void {
    this.screen.detachPage(page);
  }

  showPage(page: RenderedPage | undefined, place?: ScreenPlace): void {
    this.screen.showPage(page, place);
  }

  async rect(page: RenderedPage, element: Element): Promise<Rect> {
    const sid = await this.sid(page, element);
    return this.call<Rect>('rect', [page.id, sid]);
  }

  async computedStyle(page: RenderedPage, element: Element, names: string[]): Promise<Record<string, string>> {
    const sid = await this.sid(page, element);
    return this.call<Record<string, string>>('style', [page.id, sid, names]);
  }

  pageSize(page: RenderedPage): Promise<{ width: number; height: number }> {
    return this.call('size', [page.id]);
  }

  scrollTop(page: RenderedPage): Promise<number> {
    return this.call('scrollTop', [page.id]);
  }

  async pageScrollTo(page: RenderedPage, scrollTop: number): Promise<void> {
    await this.call('scrollTo', [page.id, scrollTop]);
  }

  async screenshot(): Promise<Buffer> {
    const tab = await this.synced();
    // an infinite animation (a spinner) is shown at its start, so the same screen gives the same picture
    return tab.screenshot({ type: 'png', animations: 'disabled', caret: 'hide' });
  }

  ui(event: ScreenEvent): void {
    this.screen.ui(event);
  }

  /**
   * The phone's system theme changed: Chromium emulates prefers-color-scheme for it, and the phone page (frame and
   * page documents) follows the screen's theme message; both are queued with the page updates, so the next layout
   * call or screenshot sees the new theme.
   */
  setTheme(theme: Theme): void {
    this.screen.setTheme(theme);
    this.queue = this.queue
      .then(() => this.tab?.emulateMedia({ colorScheme: theme }))
      .catch((err) => {
        if (!this.closed) this.log(`browser render mode: the theme did not apply: ${(err as Error).message}`);
      });
  }

  /**
   * Runs `fn` in Chromium's phone page (WeChat's frame, with each mini program page in an iframe) once every change
   * so far is applied: for tests and tools that read what is painted (the rendered contrast test).
   */
  async evaluate<R, A>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R> {
    const tab = await this.synced();
    return (await tab.evaluate(fn as never, arg as never)) as R;
  }

  /** What the phone shows, as drawn in Chromium (for tests): which page, the frame's title, back arrow and tab bar,
   * toast, modal, action sheet, theme. */
  async phone(): Promise<PhoneState> {
    return this.call<PhoneState>('shown', []);
  }

  /** Resolves once Chromium is up (rejects with the reason it cannot start, such as a missing package). */
  async whenReady(): Promise<void> {
    await this.ready;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.screen.close();
    const started = await this.ready.catch(() => undefined);
    if (started) await started.chromium.close();
  }
}

/**
 * The render mode factory (see ../index.ts). It answers at once: Chromium starts meanwhile, and where it cannot
 * (not installed), the app still runs and only layout calls fail, naming the package to install.
 */
export const createRenderer: RendererFactory = async (options) =>
  new BrowserRenderer({
    root: options.project.root,
    appJson: options.project.appJson,
    log: options.log,
    device: options.device,
    scale: options.browser?.scale,
    theme: options.theme,
  });
