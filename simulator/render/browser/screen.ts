// The phone's screen as the simulator knows it: the pages (each mirrored from jsdom), which one is shown, and
// another mini program's screen while the app is away. It turns all of that into messages for phone.js, which
// builds the same screen in a browser; every browser that shows the phone (the browser render mode's Chromium, each
// open preview) is a sink that first gets the whole state, then every change, in order.
import fs from 'node:fs';
import path from 'node:path';
import type { Log } from '../../runtime/types';
import type { OtherMiniProgramScreen } from '../../../typings/mini-program-handler';
import type { RenderedPage, ScreenEvent, ScreenPlace, Theme } from '../renderer';
import { DEVICE, pageWindowOf, type Device } from '../../runtime/window';
import { PageMirror, type MirrorNode, type StyleScope } from './mirror';
import { compileWxss, type CompiledWxss } from './wxss';

export interface PhoneMessage {
  type: 'reset' | 'attach' | 'tree' | 'detach' | 'show' | 'foreign' | 'theme' | 'nav' | 'overlay';
  [key: string]: unknown;
}

export interface PhoneSink {
  send(messages: PhoneMessage[]): void;
}

/** Another mini program's screen, drawn by phone.js in place of the app (the app is hidden meanwhile). */
export type ForeignScreen = OtherMiniProgramScreen;

/** What a person did on a foreign screen: one of its actions' ids, "back" (the navigation bar's back), or "closed"
 * (the screen went away without them: the app was relaunched or the simulator closed). */
export type ForeignAction = string;

export interface PhoneScreenOptions {
  /** the mini program root (where app.json is) */
  root: string;
  appJson: AppJsonOfScreen;
  /** default the simulator's phone (runtime/window.ts) */
  device?: Device;
  /** the system theme at start (default light) */
  theme?: Theme;
  log?: Log;
}

/** What the screen reads from app.json. */
export interface AppJsonOfScreen {
  usingComponents?: Record<string, string>;
  window?: Record<string, unknown>;
  darkmode?: boolean;
  tabBar?: { custom?: boolean; list?: { pagePath: string; text?: string }[]; [key: string]: unknown };
}

interface ScreenPage {
  page: RenderedPage;
  mirror: PageMirror;
  /** the component style sheets this page's document has, by key */
  styles: Map<string, string>;
  /** what the page changed on its navigation bar (setNavigationBarTitle/Color, navigation bar loading) */
  nav: NavOverrides;
}

interface NavOverrides {
  title?: string;
  frontColor?: string;
  backgroundColor?: string;
  loading?: boolean;
}

/** WeChat's toast or loading box, its modal and its action sheet, over the page. */
interface Overlay {
  toast: { kind: 'toast' | 'loading'; options: Record<string, unknown> } | null;
  modal: Record<string, unknown> | null;
  actionSheet: Record<string, unknown> | null;
}

const NO_OVERLAY: Overlay = { toast: null, modal: null, actionSheet: null };

const PHONE_DIR = path.join(__dirname, 'phone');
const readAsset = (name: string) => fs.readFileSync(path.join(PHONE_DIR, name), 'utf8');

export class PhoneScreen {
  readonly device: Device;
  /** the phone's system theme: the page documents' prefers-color-scheme and the frame's colours */
  theme: Theme;
  private readonly root: string;
  private readonly appJson: AppJsonOfScreen;
  private readonly appUsingComponents: Record<string, string>;
  /** app.json "darkmode": WeChat's components follow the system theme */
  private readonly darkmode: boolean;
  private wxss: CompiledWxss | undefined;
  private readonly pages = new Map<number, ScreenPage>();
  private readonly sinks = new Set<PhoneSink>();
  private readonly dirty = new Set<number>();
  private flushScheduled = false;
  private shown: number | null = null;
  /** the shown page is not the bottom of the stack (the back arrow) */
  private canGoBack = false;
  private foreign: { screen: ForeignScreen; resolve: (action: ForeignAction) => void } | undefined;
  private readonly log: Log;
  private changeListeners = new Set<() => void>();
  private overlay: Overlay = NO_OVERLAY;
  private toastTimer: NodeJS.Timeout | undefined;

  constructor(options: PhoneScreenOptions) {
    this.root = options.root;
    this.appUsingComponents = options.appJson.usingComponents || {};
    this.darkmode = options.appJson.darkmode === true;
    this.appJson = options.appJson;
    this.device = options.device ?? DEVICE;
    this.theme = options.theme ?? 'light';
    this.log = options.log ?? (() => undefined);
  }

  /** Compiles the project's wxss (done at the first page otherwise): a wcsc error surfaces here. */
  styles(): CompiledWxss {
    this.wxss ??= compileWxss(this.root, { width: this.device.width, pixelRatio: this.device.pixelRatio });
    return this.wxss;
  }

  // ---- the runtime's side (the Renderer seam's page calls) ---------------------------------------------------

  attachPage(page: RenderedPage): void {
    if (this.pages.has(page.id)) this.detachPage(page);
    const mirror = new PageMirror(
      page,
      { root: this.root, appUsingComponents: this.appUsingComponents, deviceWidth: this.device.width, pixelRatio: this.device.pixelRatio },
      () => this.markDirty(page.id),
    );
    const entry: ScreenPage = { page, mirror, styles: new Map(), nav: {} };
    this.pages.set(page.id, entry);
    this.broadcast([this.attachMessage(entry)]);
  }

  detachPage(page: RenderedPage): void {
    const entry = this.pages.get(page.id);
    if (!entry) return;
    entry.mirror.close();
    this.pages.delete(page.id);
    this.dirty.delete(page.id);
    if (this.shown === page.id) this.shown = null;
    this.broadcast([{ type: 'detach', page: page.id }]);
    // the app is gone (a restart): what it showed over its pages goes with it
    if (!this.pages.size) this.setOverlay(NO_OVERLAY);
  }

  showPage(page: RenderedPage | undefined, place?: ScreenPlace): void {
    this.flushNow();
    this.shown = page ? page.id : null;
    this.canGoBack = !!page && !!place?.canGoBack;
    this.broadcast([this.showMessage()]);
  }

  /**
   * What WeChat draws for the app besides its pages: toasts and loading boxes, modals, action sheets, the navigation
   * bar's title, colours and loading (the runtime's Renderer.ui calls).
   */
  ui(event: ScreenEvent): void {
    const o = event.options ?? {};
    // the navigation bar calls speak of the top page of the stack (the page being loaded, in its onLoad), which the
    // runtime names: the one on screen may still be the page before it, and the last one attached may be a tab
    // page kept off the stack
    const top = event.page ? this.pages.get(event.page.id) : undefined;
    const nav = (change: NavOverrides) => {
      if (!top) return;
      top.nav = { ...top.nav, ...change };
      this.broadcast([{ type: 'nav', page: top.page.id, nav: top.nav }]);
    };
    switch (event.type) {
      case 'toast':
      case 'loading': {
        clearTimeout(this.toastTimer);
        this.setOverlay({ ...this.overlay, toast: { kind: event.type, options: o } });
        if (event.type === 'toast') {
          // a toast goes by itself after its duration (1.5 s by default); a loading box waits for hideLoading
          this.toastTimer = setTimeout(() => this.setOverlay({ ...this.overlay, toast: null }), Number(o.duration) > 0 ? Number(o.duration) : 1500);
          this.toastTimer.unref?.();
        }
        return;
      }
      case 'hideToast':
      case 'hideLoading':
        if (this.overlay.toast?.kind !== (event.type === 'hideToast' ? 'toast' : 'loading')) return;
        clearTimeout(this.toastTimer);
        this.setOverlay({ ...this.overlay, toast: null });
        return;
      case 'modal':
        this.setOverlay({ ...this.overlay, modal: o });
        return;
      case 'hideModal':
        this.setOverlay({ ...this.overlay, modal: null });
        return;
      case 'actionSheet':
        this.setOverlay({ ...this.overlay, actionSheet: o });
        return;
      case 'hideActionSheet':
        this.setOverlay({ ...this.overlay, actionSheet: null });
        return;
      case 'navigationBarTitle':
        nav({ title: String(o.title ?? '') });
        return;
      case 'navigationBarColor':
        nav({ frontColor: typeof o.frontColor === 'string' ? o.frontColor : undefined, backgroundColor: typeof o.backgroundColor === 'string' ? o.backgroundColor : undefined });
        return;
      case 'showNavigationBarLoading':
        nav({ loading: true });
        return;
      case 'hideNavigationBarLoading':
        nav({ loading: false });
        return;
      default:
        return;
    }
  }

  /** The modal on screen, if any (a person answers it in the preview). */
  modal(): Record<string, unknown> | null {
    return this.overlay.modal;
  }

  /** The action sheet on screen, if any (a person picks an item or 取消 in the preview). */
  actionSheet(): Record<string, unknown> | null {
    return this.overlay.actionSheet;
  }

  private setOverlay(overlay: Overlay): void {
    this.overlay = overlay;
    this.broadcast([{ type: 'overlay', ...overlay }]);
  }

  /** The phone's system theme changed (__sim.setTheme). */
  setTheme(theme: Theme): void {
    if (theme === this.theme) return;
    this.theme = theme;
    this.broadcast([{ type: 'theme', theme }]);
  }

  // ---- another mini program --------------------------------------------------------------------------------

  /** Shows another mini program's screen until a person acts on it; resolves with what they did. */
  showForeign(screen: ForeignScreen): Promise<ForeignAction> {
    this.dropForeign();
    return new Promise((resolve) => {
      this.foreign = { screen, resolve };
      this.broadcast([{ type: 'foreign', screen }]);
    });
  }

  /** A person acted on the foreign screen (from a preview). */
  actOnForeign(action: ForeignAction): boolean {
    const current = this.foreign;
    if (!current) return false;
    this.foreign = undefined;
    this.broadcast([{ type: 'foreign', screen: null }]);
    current.resolve(action);
    return true;
  }

  /** Takes the foreign screen away without the person (the app was relaunched): its handler sees "closed". */
  dropForeign(): void {
    this.actOnForeign('closed');
  }

  foreignScreen(): ForeignScreen | undefined {
    return this.foreign?.screen;
  }

  // ---- sinks ---------------------------------------------------------------------------------------------------

  /** A browser showing the phone: it gets the whole state now, then every change. */
  subscribe(sink: PhoneSink): () => void {
    this.flushNow();
    this.sinks.add(sink);
    sink.send(this.fullState());
    return () => this.sinks.delete(sink);
  }

  /** Called after each batch of messages (used to time how fast a change reaches the browsers). */
  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  fullState(): PhoneMessage[] {
    const out: PhoneMessage[] = [{ type: 'reset', tabBar: this.appJson.tabBar ?? null }, { type: 'theme', theme: this.theme }];
    for (const entry of this.pages.values()) {
      out.push(this.attachMessage(entry, true));
      if (Object.keys(entry.nav).length) out.push({ type: 'nav', page: entry.page.id, nav: entry.nav });
    }
    out.push(this.showMessage());
    if (this.foreign) out.push({ type: 'foreign', screen: this.foreign.screen });
    if (this.overlay.toast || this.overlay.modal || this.overlay.actionSheet) out.push({ type: 'overlay', ...this.overlay });
    return out;
  }

  /** Sends the pending page changes now instead of at the end of this turn. */
  flushNow(): void {
    if (!this.dirty.size) return;
    const messages: PhoneMessage[] = [];
    for (const id of [...this.dirty]) {
      this.dirty.delete(id);
      const entry = this.pages.get(id);
      if (entry) messages.push(this.treeMessage(entry));
    }
    if (messages.length) this.broadcast(messages);
  }

  // ---- lookups for layout queries and a person's taps -------------------------------------------------------

  /** The mirror id under which `element` of `page` reaches the browsers (after flushNow), or undefined. */
  idOf(page: RenderedPage, element: Element): number | undefined {
    const entry = this.pages.get(page.id);
    if (!entry) return undefined;
    const id = entry.mirror.idOf(element);
    return entry.mirror.element(id) === element ? id : undefined;
  }

  element(pageId: number, sid: number): Element | undefined {
    return this.pages.get(pageId)?.mirror.element(sid);
  }

  page(pageId: number): RenderedPage | undefined {
    return this.pages.get(pageId)?.page;
  }

  shownPage(): RenderedPage | undefined {
    return this.shown === null ? undefined : this.pages.get(this.shown)?.page;
  }

  close(): void {
    clearTimeout(this.toastTimer);
    for (const entry of this.pages.values()) entry.mirror.close();
    this.pages.clear();
    this.dropForeign();
    this.sinks.clear();
  }

  // ---- the phone document -----------------------------------------------------------------------------------

  /** The HTML page phone.js runs in; `preview` adds the person's controls and the live link to the simulator. */
  document(mode: 'renderer' | 'preview', title: string): string {
    const d = this.device;
    const fill: Record<string, string> = {
      TITLE: escapeHtml(title),
      // the frame's sizes, from the one device definition (runtime/window.ts)
      DEVICE_CSS: `#phone { --screen-width: ${d.width}px; --screen-height: ${d.height}px; --status-bar: ${d.statusBarHeight}px; ` +
        `--nav-bar: ${d.navigationBarHeight}px; --tab-bar: ${d.tabBarHeight + d.safeBottom}px; --capsule-left: ${d.capsule.left}px; ` +
        `--capsule-top: ${d.capsule.top}px; --capsule-width: ${d.capsule.width}px; --capsule-height: ${d.capsule.height}px; }`,
      MODE: mode,
      PHONE_CSS: readAsset('phone.css'),
      WECHAT_CSS: readAsset('wechat.css'),
      PHONE_JS: readAsset('phone.js'),
      EXTRA_SCRIPT: mode === 'preview' ? `<script>${readAsset('preview.js')}</script>` : '',
    };
    return readAsset('phone.html').replace(/\{\{(\w+)\}\}/g, (_m, key: string) => fill[key] ?? '');
  }

  /** A file of the mini program (an image a page shows), for a request to files/<path>; undefined if none. */
  file(relativePath: string): { body: Buffer; type: string } | undefined {
    const clean = path.posix.normalize(decodeURIComponent(relativePath)).replace(/^(\.\.(\/|$))+/, '');
    const full = path.join(this.root, clean);
    if (!full.startsWith(this.root + path.sep)) return undefined;
    if (/\.(js|json|wxml|wxss|wxs|ts)$/i.test(full)) return undefined; // pictures and fonts only, never code
    try {
      return { body: fs.readFileSync(full), type: contentType(full) };
    } catch {
      return undefined;
    }
  }

  // ---- messages ----------------------------------------------------------------------------------------------

  private markDirty(id: number): void {
    this.dirty.add(id);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flushNow();
    });
  }

  private broadcast(messages: PhoneMessage[]): void {
    for (const sink of this.sinks) {
      try {
        sink.send(messages);
      } catch (err) {
        this.log(`a browser showing the phone failed to take an update: ${(err as Error).message}`);
      }
    }
    for (const l of this.changeListeners) l();
  }

  private windowOf(page: RenderedPage): Record<string, unknown> {
    return { ...(page.windowConfig || {}) };
  }

  /** Where the page sits on the screen (under the bars, above the tab bar), as getSystemInfoSync says. */
  private layoutOf(page: RenderedPage): { top: number; bottom: number; tabBar: boolean } {
    const tabPages = (this.appJson.tabBar?.list ?? []).map((item) => String(item.pagePath).replace(/^\//, ''));
    const { top, bottom, tabBar } = pageWindowOf({ tabPages, appJson: this.appJson }, page, this.device);
    return { top, bottom, tabBar };
  }

  private pageCss(page: RenderedPage): string {
    const wxss = this.styles();
    return [wxss.global, wxss.file(`${page.route}.wxss`) ?? ''].join('\n');
  }

  /** Snapshot of a page, with the style sheets of components it shows for the first time. */
  private treeMessage(entry: ScreenPage): PhoneMessage {
    const { tree, components } = entry.mirror.snapshot();
    return { type: 'tree', page: entry.page.id, tree, styles: this.newStyles(entry, components) };
  }

  private newStyles(entry: ScreenPage, components: StyleScope[]): { key: string; css: string }[] {
    const out: { key: string; css: string }[] = [];
    for (const scope of components) {
      const key = `${scope.path}|${scope.prefix}`;
      if (entry.styles.has(key)) continue;
      const css = this.styles().file(`${scope.path}.wxss`, scope.prefix) ?? '';
      entry.styles.set(key, css);
      out.push({ key, css });
    }
    return out;
  }

  private attachMessage(entry: ScreenPage, replay = false): PhoneMessage {
    let tree: MirrorNode[];
    let styles: { key: string; css: string }[];
    if (replay) {
      // a new browser: the page as it is now, with every style sheet it has had
      tree = entry.mirror.snapshot().tree;
      styles = [...entry.styles].map(([key, css]) => ({ key, css }));
    } else {
      const snapshot = entry.mirror.snapshot();
      tree = snapshot.tree;
      styles = this.newStyles(entry, snapshot.components);
    }
    return {
      type: 'attach',
      page: entry.page.id,
      route: entry.page.route,
      window: this.windowOf(entry.page),
      layout: this.layoutOf(entry.page),
      darkmode: this.darkmode,
      css: this.pageCss(entry.page),
      tree,
      styles,
    };
  }

  private showMessage(): PhoneMessage {
    // the shown page's window settings again: a theme change resolves their @variables anew
    const shown = this.shown === null ? undefined : this.pages.get(this.shown)?.page;
    return { type: 'show', page: this.shown, back: !!shown && this.canGoBack, ...(shown ? { window: this.windowOf(shown) } : {}) };
  }
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);
}

function contentType(file: string): string {
  const ext = path.extname(file).toLowerCase();
  return (
    {
      '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.svg': 'image/svg+xml',
      '.webp': 'image/webp', '.ttf': 'font/ttf', '.woff': 'font/woff', '.woff2': 'font/woff2',
    } as Record<string, string>
  )[ext] ?? 'application/octet-stream';
}
