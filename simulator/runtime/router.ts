// The page stack: resolving urls, navigateTo / redirectTo / reLaunch / switchTab / navigateBack with WeChat's rules
// and lifecycle order, creating and unloading pages, and telling the renderer which page is on screen.
// Tab pages (app.json tabBar.list) live on once opened, as in WeChat: switchTab closes the other pages and hides the
// tab page it leaves, which stays alive off the stack (its data, its timers) until reLaunch, a redirectTo from it
// or the app's end; switching back shows that same instance (onShow only). A tab page is only ever at the bottom of
// the stack, since navigateTo and redirectTo cannot open one.
// A route that cannot open its page (missing component, a page script that throws...) fails before anything is
// unloaded: the stack stays as it was, as in WeChat.
import path from 'node:path';
import type { Element as ExElement, MethodCaller } from './exparser';
import { exparser, domWindow } from './dom-env';
import { ConfigError, RouteError } from './errors';
import type { RenderedPage } from '../render/renderer';
import { windowConfigOf } from './project';
import { deviceOf } from './wx/device';
import type { AppInstance } from './app-instance';
import type { PreparedPage } from './components';

/** A page on the stack. */
export interface PageInstance extends RenderedPage {
  query: Record<string, string>;
  /** the page's root component node */
  node: ExElement;
  /** `this` in the page's code */
  caller: MethodCaller;
  container: HTMLElement;
  alive: boolean;
  app: AppInstance;
}

export type RouteKind = 'navigateTo' | 'redirectTo' | 'reLaunch' | 'switchTab' | 'navigateBack';

const MAX_STACK = 10;

export function parseQuery(qs: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of qs.split('&')) {
    if (!part) continue;
    const i = part.indexOf('=');
    if (i < 0) out[part] = '';
    else out[part.slice(0, i)] = part.slice(i + 1);
  }
  return out;
}

export class Router {
  readonly stack: PageInstance[] = [];
  /** every live tab page by route, on the stack or kept off it */
  private readonly tabs = new Map<string, PageInstance>();
  private shown: PageInstance | undefined;
  private shownCanGoBack = false;
  private static pageSeq = 0;

  constructor(private readonly app: AppInstance) {}

  top(): PageInstance | undefined {
    return this.stack[this.stack.length - 1];
  }

  /** Every live page: the stack, bottom first, then the tab pages kept alive off it. */
  livePages(): PageInstance[] {
    return [...this.stack, ...[...this.tabs.values()].filter((page) => !this.stack.includes(page))];
  }

  private isTab(route: string): boolean {
    return this.app.sim.project.tabPages.includes(route);
  }

  resolveUrl(url: unknown): { route: string; query: Record<string, string> } {
    if (typeof url !== 'string' || !url) throw new RouteError('parameter error: url should be a non-empty string');
    const [pathPart, qs = ''] = url.split('?');
    const from = this.top()?.route ?? '';
    let route = pathPart.startsWith('/') ? pathPart.slice(1) : path.posix.join(path.posix.dirname(from), pathPart);
    route = path.posix.normalize(route).replace(/\.html$/, '').replace(/^\.\//, '');
    if (!this.app.sim.project.pages.includes(route)) throw new RouteError(`page "${route}" is not found`);
    return { route, query: parseQuery(qs) };
  }

  route(kind: string, opts: { url?: unknown; delta?: unknown }): void {
    if (kind === 'navigateBack') {
      const delta = Math.max(1, Number(opts?.delta) || 1);
      if (this.stack.length <= 1) throw new RouteError('cannot navigate back at first page.');
      const n = Math.min(delta, this.stack.length - 1);
      for (let i = 0; i < n; i++) this.unloadPage(this.stack.pop()!);
      this.pageShow(this.top());
      this.syncScreen();
      return;
    }
    const { route, query } = this.resolveUrl(opts?.url);
    const isTab = this.isTab(route);
    switch (kind) {
      case 'navigateTo': {
        if (isTab) throw new RouteError('can not navigateTo a tabbar page');
        if (this.stack.length >= MAX_STACK) throw new RouteError('webview count limit exceed');
        const prepared = this.prepare(route);
        this.pageHide(this.top());
        this.openPage(prepared, route, query);
        return;
      }
      case 'redirectTo': {
        if (isTab) throw new RouteError('can not redirectTo a tabbar page');
        const prepared = this.prepare(route);
        const old = this.stack.pop();
        if (old) this.unloadPage(old);
        this.openPage(prepared, route, query);
        return;
      }
      case 'switchTab': {
        if (!isTab) throw new RouteError('can not switch to no-tabBar page');
        if (Object.keys(query).length) throw new RouteError('url does not support query in switchTab');
        // a tab page not opened yet must load before anything closes, as for any route
        this.switchTab(route, this.tabs.has(route) ? undefined : this.prepare(route));
        return;
      }
      case 'reLaunch': {
        const prepared = this.prepare(route);
        // every page goes, the tab pages kept off the stack too: the new page starts a fresh app screen
        while (this.stack.length) this.unloadPage(this.stack.pop()!);
        for (const page of [...this.tabs.values()]) this.unloadPage(page);
        this.openPage(prepared, route, query);
        return;
      }
      default:
        throw new RouteError(`unknown route ${kind}`);
    }
  }

  /**
   * WeChat's tab switch: the pages above the bottom tab page close (onUnload, top first), the tab page that was on
   * screen hides (onHide) and stays alive, and the target shows: its kept instance (onShow) or a new one (onLoad,
   * onShow, onReady). Switching to the tab already alone on screen does nothing.
   */
  private switchTab(route: string, prepared: PreparedPage | undefined): void {
    const top = this.top();
    const kept = this.tabs.get(route);
    if (kept && kept === top && this.stack.length === 1) return;
    while (this.stack.length && !this.isTab(this.top()!.route)) this.unloadPage(this.stack.pop()!);
    // what is left is the bottom tab page: it hides if it was on screen (under other pages it was hidden already)
    const leftTab = this.stack.pop();
    if (leftTab && leftTab === top) this.pageHide(leftTab);
    if (kept) {
      this.stack.push(kept);
      this.pageShow(kept);
      this.syncScreen();
    } else {
      this.openPage(prepared!, route, {});
    }
  }

  /** The launch's first page; a path that is no page opens the entry page after onPageNotFound, as WeChat does. */
  openFirstPage(route: string, query: Record<string, string>): void {
    const { project } = this.app.sim;
    const target = project.pages.includes(route) ? route : project.entryPage;
    if (target !== route) {
      const res = { path: route, query, isEntryPage: true };
      for (const l of [...this.app.listeners.pageNotFound]) this.app.guard(() => l(res), 'onPageNotFound');
      this.app.hook(this.app.appDef, 'onPageNotFound', [res]);
    }
    this.openPage(this.app.components.preparePage(target), target, query);
  }

  /** Loads and registers what the page needs; a failure becomes the route's fail reason and changes nothing. */
  private prepare(route: string): PreparedPage {
    try {
      return this.app.components.preparePage(route);
    } catch (err) {
      const message = err && typeof (err as Error).message === 'string' ? (err as Error).message : String(err);
      // the app's own code failing is an app error (onError); a broken project is only the simulator's to say
      if (err instanceof ConfigError) this.app.sim.log(`cannot open page ${route}: ${message}`);
      else this.app.sim.reportException(err, `opening page ${route}`, this.app);
      throw new RouteError(`page "${route}" cannot be opened: ${message}`);
    }
  }

  private openPage(prepared: PreparedPage, route: string, query: Record<string, string>): PageInstance {
    const tree = this.app.components.createPageTree(prepared, route, query);
    const container = domWindow().document.createElement('page');
    container.setAttribute('route', route);
    domWindow().document.body.appendChild(container);
    container.appendChild(tree.dom);
    exparser().Element.pretendAttached(tree.node);
    const page: PageInstance = {
      id: ++Router.pageSeq,
      route,
      query: { ...query },
      node: tree.node,
      caller: tree.caller,
      container,
      windowConfig: this.windowConfigOf(route),
      alive: true,
      app: this.app,
    };
    tree.caller.__simPageId = page.id;
    this.stack.push(page);
    if (this.isTab(route)) this.tabs.set(route, page);
    this.app.sim.renderer.attachPage(page).catch((err: unknown) => this.app.sim.log(`renderer could not attach ${route}: ${String(err)}`));
    this.app.hook(page.caller, 'onLoad', [{ ...query }]);
    this.pageShow(page);
    this.app.components.forEachComponent(page.node, (n) => n.triggerLifeTime('ready'));
    this.app.hook(page.caller, 'onReady');
    this.syncScreen();
    return page;
  }

  /** app.json `window` under the page's own json, `@variables` resolved for the theme (project.ts). */
  private windowConfigOf(route: string): Record<string, unknown> {
    return windowConfigOf(this.app.sim.project, route, deviceOf(this.app.sim).theme);
  }

  pageShow(page: PageInstance | undefined): void {
    if (!page) return;
    this.app.hook(page.caller, 'onShow');
    this.app.components.forEachComponent(page.node, (n) => n.triggerPageLifeTime('show', []));
  }

  pageHide(page: PageInstance | undefined): void {
    if (!page) return;
    this.app.hook(page.caller, 'onHide');
    this.app.components.forEachComponent(page.node, (n) => n.triggerPageLifeTime('hide', []));
  }

  private unloadPage(page: PageInstance): void {
    this.app.hook(page.caller, 'onUnload');
    this.disposePage(page);
  }

  /** Drops a page without callbacks (a killed app), or after its onUnload. */
  disposePage(page: PageInstance): void {
    page.alive = false;
    try {
      exparser().Element.pretendDetached(page.node);
    } catch (err) {
      this.app.sim.reportException(err, 'component detached', this.app);
    }
    this.app.sim.renderer.detachPage(page);
    page.container.remove();
    if (this.tabs.get(page.route) === page) this.tabs.delete(page.route);
    if (this.shown === page) this.shown = undefined;
  }

  /** Drops every page without callbacks, the kept tab pages too. */
  disposeAll(): void {
    const pages = this.livePages();
    this.stack.length = 0;
    for (const page of pages) this.disposePage(page);
    this.syncScreen();
  }

  /**
   * Tells the renderer what is on screen: the top page while the app is in the foreground, with the back arrow
   * unless it is the bottom of the stack (the renderer cannot tell: a kept tab page is attached but off the stack).
   * `redraw` sends it again though it did not change (its window settings did: a theme change).
   */
  syncScreen(redraw = false): void {
    const onScreen = this.app.alive && this.app.visible ? this.top() : undefined;
    const canGoBack = !!onScreen && this.stack.length > 1;
    if (!redraw && onScreen === this.shown && canGoBack === this.shownCanGoBack) return;
    this.shown = onScreen;
    this.shownCanGoBack = canGoBack;
    this.app.sim.renderer.showPage(onScreen, { canGoBack });
  }
}
