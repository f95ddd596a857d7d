// A renderer that also shows its pages on a phone screen (the live preview), while layout questions go to the
// renderer of the chosen mode. In headless mode there is no layout: the answers are the headless ones.
import type { Rect, RenderedPage, Renderer } from '../renderer';
import type { PhoneScreen } from './screen';

const NO_SCREENSHOT =
  'a screenshot needs the browser render mode: start the simulator with --render browser (or SIM_RENDER=browser); it lays pages out in Debian\'s chromium package';

export function withScreen(inner: Renderer | undefined, screen: PhoneScreen): Renderer {
  let scroll = new WeakMap<RenderedPage, number>();
  return {
    kind: inner?.kind ?? 'headless',
    async attachPage(page) {
      screen.attachPage(page);
      await inner?.attachPage(page);
    },
    detachPage(page) {
      screen.detachPage(page);
      inner?.detachPage(page);
    },
    showPage(page) {
      screen.showPage(page);
      inner?.showPage(page);
    },
    async rect(page, element): Promise<Rect> {
      return inner ? inner.rect(page, element) : { left: 0, top: 0, width: 0, height: 0 };
    },
    async computedStyle(page, element, names) {
      if (inner) return inner.computedStyle(page, element, names);
      const style = (element as unknown as { style?: { getPropertyValue(n: string): string } }).style;
      return Object.fromEntries(names.map((n) => [n, style ? style.getPropertyValue(n) : '']));
    },
    async pageSize(page) {
      return inner ? inner.pageSize(page) : { width: 0, height: 0 };
    },
    async scrollTop(page) {
      return inner ? inner.scrollTop(page) : scroll.get(page) ?? 0;
    },
    async pageScrollTo(page, top) {
      if (inner) return inner.pageScrollTo(page, top);
      scroll.set(page, top);
    },
    async screenshot() {
      if (inner) return inner.screenshot();
      throw new Error(NO_SCREENSHOT);
    },
    async close() {
      scroll = new WeakMap();
      await inner?.close();
    },
  };
}
