// The phone's screen as the simulator knows it: the pages (each mirrored from jsdom), which one is shown, and
// another mini program's screen while the app is away. It turns all of that into messages for phone.js, which
// builds the same screen in a browser; every browser that shows the phone (the browser render mode's Chromium, each
// open preview) is a sink that first gets the whole state, then every change, in order.
import fs from 'node:fs';
import path from 'node:path';
import type { Log } from '../../runtime/types';
import type { OtherMiniProgramScreen } from '../../../typings/mini-program-handler';
import type { RenderedPage } from '../renderer';
import { DEFAULT_DEVICE, type Device } from './device';
import { PageMirror, type MirrorNode, type StyleScope } from './mirror';
import { compileWxss, type CompiledWxss } from './wxss';

export interface PhoneMessage {
  type: 'reset' | 'attach' | 'tree' | 'detach' | 'show' | 'foreign' | 'title';
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
  appJson: { usingComponents?: Record<string, string>; window?: Record<string, unknown>; darkmode?: boolean };
  device?: Device;
  log?: Log;
}

interface ScreenPage {
  page: RenderedPage;
  mirror: PageMirror;
  /** the component style sheets this page's document has, by key */
  styles: Map<string, string>;
}

const PHONE_DIR = path.join(__dirname, 'phone');
const readAsset = (name: string) => fs.readFileSync(path.join(PHONE_DIR, name), 'utf8');

export class PhoneScreen {
  readonly device: Device;
  private readonly root: string;
  private readonly appUsingComponents: Record<string, string>;
  /** app.json "darkmode": WeChat's components follow the system theme */
  private readonly darkmode: boolean;
  private wxss: CompiledWxss | undefined;
  private readonly pages = new Map<number, ScreenPage>();
  private readonly sinks = new Set<PhoneSink>();
  private readonly dirty = new Set<number>();
  private flushScheduled = false;
  private shown: number | null = null;
  private foreign: { screen: ForeignScreen; resolve: (action: ForeignAction) => void } | undefined;
  private readonly log: Log;
  private changeListeners = new Set<() => void>();

  constructor(options: PhoneScreenOptions) {
    this.root = options.root;
    this.appUsingComponents = options.appJson.usingComponents || {};
    this.darkmode = options.appJson.darkmode === true;
    this.device = options.device ?? DEFAULT_DEVICE;
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
    const entry: ScreenPage = { page, mirror, styles: new Map() };
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
  }

  showPage(page: RenderedPage | undefined): void {
    this.flushNow();
    this.shown = page ? page.id : null;
    this.broadcast([this.showMessage()]);
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
    const out: PhoneMessage[] = [{ type: 'reset' }];
    for (const entry of this.pages.values()) out.push(this.attachMessage(entry, true));
    out.push(this.showMessage());
    if (this.foreign) out.push({ type: 'foreign', screen: this.foreign.screen });
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
    for (const entry of this.pages.values()) entry.mirror.close();
    this.pages.clear();
    this.dropForeign();
    this.sinks.clear();
  }

  // ---- the phone document -----------------------------------------------------------------------------------

  /** The HTML page phone.js runs in; `preview` adds the person's controls and the live link to the simulator. */
  document(mode: 'renderer' | 'preview', title: string): string {
    const fill: Record<string, string> = {
      TITLE: escapeHtml(title),
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
      darkmode: this.darkmode,
      css: this.pageCss(entry.page),
      tree,
      styles,
    };
  }

  private showMessage(): PhoneMessage {
    const ids = [...this.pages.keys()];
    const index = this.shown === null ? -1 : ids.indexOf(this.shown);
    return { type: 'show', page: this.shown, back: index > 0 };
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
