// The Renderer seam: what the runtime tells the screen (a page was created, unloaded, brought on screen) and what
// the protocol asks it (layout, styles, scrolling, pictures). Headless answers without layout (headless.ts); the
// browser mode (render/browser/) lays pages out in Chromium. The runtime never knows which one it talks to.
import type { Project } from '../runtime/project';
import type { Log } from '../runtime/types';
import type { Device } from '../runtime/window';

export type Theme = 'light' | 'dark';

export interface Rect { left: number; top: number; width: number; height: number }

export interface RenderedPage {
  /** the automator pageId */
  id: number;
  route: string;
  /** the jsdom element that holds the page's rendered DOM (exparser renders into jsdom) */
  container: Element;
  /** the page's window config: app.json `window` merged with the page's json (navigationBarTitleText...) */
  windowConfig: Record<string, unknown>;
}

export interface Renderer {
  readonly kind: 'headless' | 'browser';
  /** a page was created (its container is in the jsdom document) */
  attachPage(page: RenderedPage): Promise<void>;
  /** a page was unloaded */
  detachPage(page: RenderedPage): void;
  /**
   * the page on screen changed (top of stack), or undefined while the app is hidden / in another mini program.
   * Attached pages that are not shown stay out of sight: the pages under the top, and tab pages that switchTab
   * keeps alive off the stack, which come back with a later showPage.
   */
  showPage(page: RenderedPage | undefined, place?: ScreenPlace): void;
  /** layout of one element (the jsdom element behind an exparser node: node.$$) in page coordinates */
  rect(page: RenderedPage, element: Element): Promise<Rect>;
  computedStyle(page: RenderedPage, element: Element, names: string[]): Promise<Record<string, string>>;
  pageSize(page: RenderedPage): Promise<{ width: number; height: number }>;
  scrollTop(page: RenderedPage): Promise<number>;
  pageScrollTo(page: RenderedPage, scrollTop: number): Promise<void>;
  /** PNG of what is on screen */
  screenshot(): Promise<Buffer>;
  /**
   * the phone's system theme changed (__sim.setTheme): a renderer that paints shows pages in it (prefers-color-scheme)
   * from now on; later layout calls and screenshots see the new theme. Optional: headless has nothing to paint.
   */
  setTheme?(theme: Theme): void;
  /**
   * what WeChat draws for the app besides its pages: `toast`, `hideToast`, `loading`, `hideLoading`, `modal`,
   * `hideModal` (answered), `actionSheet`, `hideActionSheet` (answered), `navigationBarTitle`, `navigationBarColor`, `showNavigationBarLoading`,
   * `hideNavigationBarLoading`, with the wx call's options. Optional: headless only records them (__sim.ui()).
   */
  ui?(event: ScreenEvent): void;
  close(): Promise<void>;
}

/** Where the shown page is in the page stack, which the renderer cannot tell from the pages it holds. */
export interface ScreenPlace {
  /** not the bottom of the stack: WeChat draws the navigation bar's back arrow */
  canGoBack: boolean;
}

export interface ScreenEvent {
  type: string;
  options: Record<string, unknown>;
  /** the page the call speaks of (the top of the stack when it was made; navigation bar calls) */
  page?: RenderedPage;
}

export type RenderMode = Renderer['kind'];

/** What a renderer is built from. */
export interface RendererOptions {
  /** the loaded mini program (root folder, app.json), for the browser mode's wxss */
  project: Project;
  /** the simulated phone (runtime/window.ts), as getSystemInfoSync reports it */
  device: Device;
  /** the simulator's own diagnostics */
  log: Log;
  /** the system theme at start (startSimulator({theme}), SIM_THEME); later changes come through setTheme */
  theme: Theme;
  /** browser mode: device pixels per CSS px in screenshots (default 1) */
  browser?: { scale?: number };
}

/**
 * The contract of a render mode module: `simulator/render/<mode>/index.ts` exports `createRenderer` of this type.
 * It may take its time (a browser starts) and must reject with a message saying what to install when it cannot.
 */
export type RendererFactory = (options: RendererOptions) => Promise<Renderer>;
