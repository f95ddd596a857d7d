// A renderer that also shows its pages on a phone screen (the live preview beside the headless mode): the page
// calls go to both, layout questions to the renderer of the chosen mode.
import type { Renderer } from '../renderer';
import type { PhoneScreen } from './screen';

export function withScreen(inner: Renderer, screen: PhoneScreen): Renderer {
  return {
    kind: inner.kind,
    async attachPage(page) {
      screen.attachPage(page);
      await inner.attachPage(page);
    },
    detachPage(page) {
      screen.detachPage(page);
      inner.detachPage(page);
    },
    showPage(page, place) {
      screen.showPage(page, place);
      inner.showPage(page, place);
    },
    rect: (page, element) => inner.rect(page, element),
    computedStyle: (page, element, names) => inner.computedStyle(page, element, names),
    pageSize: (page) => inner.pageSize(page),
    scrollTop: (page) => inner.scrollTop(page),
    pageScrollTo: (page, top) => inner.pageScrollTo(page, top),
    screenshot: () => inner.screenshot(),
    setTheme(theme) {
      screen.setTheme(theme);
      inner.setTheme?.(theme);
    },
    ui(event) {
      screen.ui(event);
      inner.ui?.(event);
    },
    async close() {
      screen.close();
      await inner.close();
    },
  };
}
