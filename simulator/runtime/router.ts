// The page stack: resolving urls, navigateTo / redirectTo / reLaunch / switchTab / navigateBack with WeChat's rules
// and lifecycle order, creating and unloading pages, and telling the renderer which page is on screen.
// A route that cannot open its page (missing component, a page script that throws...) fails before anything is
// unloaded: the stack stays as it was, as in WeChat.
import path from 'node:path';
import type { Element as ExElement, MethodCaller } from './exparser';
import { exparser, domWindow } from './dom-env';
import { ConfigError, RouteError } from './errors';
import type { RenderedPage } from '../render/renderer';
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
  private shown: PageInstance | undefined;
  private static pageSeq = 0;

  constructor(private readonly app: AppInstance) {}

  top(): PageInstance | undefined {
    return this.stack[this.stack.length - 1];
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
    const isTab = this.app.sim.project.tabPages.includes(route);
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
      case 'switchTab':
      case 'reLaunch': {
        if (kind === 'switchTab' && !isTab) throw new RouteError('can not switch to no-tabBar page');
        if (kind === 'switchTab' && Object.keys(query).length) throw new RouteError('url does not support query in switchTab');
        const prepared = this.prepare(route);
        // without a tab bar to keep pages alive, switchTab closes every page like reLaunch
        while (this.stack.length) this.unloadPage(this.stack.pop()!);
        this.openPage(prepared, route, query);
        return;
      }
      default:
        throw new RouteError(`unknown route ${kind}`);
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
    this.app.sim.renderer.attachPage(page).catch((err: unknown) => this.app.sim.log(`renderer could not attach ${route}: ${String(err)}`));
    this.app.hook(page.caller, 'onLoad', [{ ...query }]);
    this.pageShow(page);
    this.app.components.forEachComponent(page.node, (n) => n.triggerLifeTime('ready'));
    this.app.hook(page.caller, 'onReady');
    this.syncScreen();
    return page;
  }

  /** app.json `window` under the page's own json (usingComponents and the like left out). */
  private windowConfigOf(route: string): Record<string, unknown> {
    const { project } = this.app.sim;
    const own = this.app.sim.readJsonIfExists(path.join(project.root, `${route}.json`)) || {};
    const { usingComponents: _using, componentGenerics: _generics, component: _component, ...window } = own;
    return { ...(project.appJson.window || {}), ...window };
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
    if (this.shown === page) this.shown = undefined;
  }

  /** Drops every page without callbacks. */
  disposeAll(): void {
    for (const page of this.stack.splice(0)) this.disposePage(page);
    this.syncScreen();
  }

  /** Tells the renderer what is on screen: the top page while the app is in the foreground. */
  syncScreen(): void {
    const onScreen = this.app.alive && this.app.visible ? this.top() : undefined;
    if (onScreen === this.shown) return;
    this.shown = onScreen;
    this.app.sim.renderer.showPage(onScreen);
  }
}
