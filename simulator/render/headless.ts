// The default render mode: no layout engine. Elements sit at the origin with no size, computed styles are the
// inline ones, the page is the size of the simulated window, scrolling only remembers where it was asked to go,
// and there is nothing to take a picture of.
import type { Rect, RenderedPage, Renderer, RendererOptions } from './renderer';
import { DEVICE, windowSizeOf } from '../runtime/window';

export const SCREENSHOT_NEEDS_BROWSER =
  'App.captureScreenshot needs a screen: the simulator runs in headless mode. Start it with --render browser ' +
  '(or SIM_RENDER=browser, or startSimulator({render: "browser"})), which lays pages out in Chromium (Debian package chromium)';

function dashed(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

export class HeadlessRenderer implements Renderer {
  readonly kind = 'headless' as const;
  private readonly scroll = new WeakMap<RenderedPage, number>();

  constructor(private readonly options: Partial<Pick<RendererOptions, 'device' | 'project'>> = {}) {}

  async attachPage(): Promise<void> {}

  detachPage(page: RenderedPage): void {
    this.scroll.delete(page);
  }

  showPage(): void {}

  async rect(): Promise<Rect> {
    return { left: 0, top: 0, width: 0, height: 0 };
  }

  async computedStyle(_page: RenderedPage, element: Element, names: string[]): Promise<Record<string, string>> {
    const style = (element as HTMLElement).style;
    const out: Record<string, string> = {};
    for (const name of names) out[name] = style ? style.getPropertyValue(dashed(name)) : '';
    return out;
  }

  /** the window the page gets: the screen less WeChat's bars, as getSystemInfoSync().windowHeight says */
  async pageSize(page?: RenderedPage): Promise<{ width: number; height: number }> {
    const { windowWidth, windowHeight } = windowSizeOf(this.options.project, page, this.options.device ?? DEVICE);
    return { width: windowWidth, height: windowHeight };
  }

  async scrollTop(page: RenderedPage): Promise<number> {
    return this.scroll.get(page) ?? 0;
  }

  async pageScrollTo(page: RenderedPage, scrollTop: number): Promise<void> {
    this.scroll.set(page, Math.max(0, Number(scrollTop) || 0));
  }

  async screenshot(): Promise<Buffer> {
    throw new Error(SCREENSHOT_NEEDS_BROWSER);
  }

  async close(): Promise<void> {}
}
