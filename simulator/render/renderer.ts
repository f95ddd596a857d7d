// simulator/render/renderer.ts
export interface Rect { left: number; top: number; width: number; height: number }
export interface RenderedPage {
  id: number;                 // the automator pageId
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
  /** the page on screen changed (top of stack), or undefined while the app is hidden / in another mini program */
  showPage(page: RenderedPage | undefined): void;
  /** layout of one element (the jsdom element behind an exparser node: node.$$) in page coordinates */
  rect(page: RenderedPage, element: Element): Promise<Rect>;
  computedStyle(page: RenderedPage, element: Element, names: string[]): Promise<Record<string, string>>;
  pageSize(page: RenderedPage): Promise<{ width: number; height: number }>;
  scrollTop(page: RenderedPage): Promise<number>;
  pageScrollTo(page: RenderedPage, scrollTop: number): Promise<void>;
  /** PNG of what is on screen */
  screenshot(): Promise<Buffer>;
  close(): Promise<void>;
}
