// exparser renders each node into a DOM element and reads the global `document` to do it; j-component
// likewise. We give both one shared jsdom document, but deliberately not a global `window`: libraries in the
// same process (fetch, pino, fastify) sniff `window` to decide they run in a browser.
import { JSDOM, type DOMWindow } from 'jsdom';
import type { ExparserModule, JComponentModule } from './exparser';
import { installMarks } from './marks';

let jsdom: JSDOM | undefined;

export function domWindow(): DOMWindow {
  if (!jsdom) {
    jsdom = new JSDOM('<!doctype html><html><head></head><body></body></html>');
    const g = globalThis as { document?: Document };
    if (g.document === undefined) g.document = jsdom.window.document;
  }
  return jsdom.window;
}

/** exparser and j-component must be required only after the document exists. */
export function exparser(): ExparserModule {
  const win = domWindow();
  const g = globalThis as { window?: unknown };
  if (g.window !== undefined) return require('miniprogram-exparser');
  // exparser picks its DOM backend once, when first required, by testing for `window`: show it one just then
  g.window = win;
  try {
    return require('miniprogram-exparser');
  } finally {
    delete g.window;
  }
}

export function jComponent(): JComponentModule {
  // j-component ignores `mark:` attributes: marks.ts hooks it (once) before it renders anything
  installMarks(exparser());
  return require('j-component');
}
