// Page domain: elements by selector, page data and methods.
/* eslint-disable @typescript-eslint/no-explicit-any */
import type { Domain } from './dispatcher';
import { errorMessage } from './dispatcher';
import { querySelectorAll } from '../runtime/tree';
import { domWindow } from '../runtime/dom-env';

/** Reads "a.b[0].c" from data. */
export function getByPath(data: any, p?: string): unknown {
  if (!p) return data;
  let cur = data;
  for (const key of p.replace(/\[(\d+)\]/g, '.$1').split('.').filter(Boolean)) {
    if (cur === null || cur === undefined) return undefined;
    cur = cur[key];
  }
  return cur;
}

function noXpath(): never {
  throw new Error('XPath selectors are not supported by the headless simulator: use a CSS selector (tag, .class, #id, [attr], descendant and > combinators)');
}

export const pageDomain: Domain = {
  getElement: (p: { pageId: number; selector: string }, { sim, elements }) => {
    const page = sim.findPage(p.pageId);
    const [first] = querySelectorAll(page.node.shadowRoot, p.selector, sim.customIds);
    if (!first) throw new Error(`no element matches "${p.selector}" on page ${page.route}`);
    return elements.describe(first, page);
  },
  getElements: (p: { pageId: number; selector: string }, { sim, elements }) => {
    const page = sim.findPage(p.pageId);
    return { elements: querySelectorAll(page.node.shadowRoot, p.selector, sim.customIds).map((n) => elements.describe(n, page)) };
  },
  getElementByXpath: noXpath,
  getElementsByXpath: noXpath,
  getData: (p: { pageId: number; path?: string }, { sim }) => {
    const page = sim.findPage(p.pageId);
    return { data: JSON.parse(JSON.stringify(getByPath(page.caller.data, p.path) ?? null)) };
  },
  setData: (p: { pageId: number; data: Record<string, unknown> }, { sim }) => {
    const page = sim.findPage(p.pageId);
    page.caller.setData(p.data || {});
    return {};
  },
  callMethod: async (p: { pageId: number; method: string; args?: unknown[] }, { sim }) => {
    const page = sim.findPage(p.pageId);
    const fn = page.caller[p.method];
    if (typeof fn !== 'function') throw new Error(`page ${page.route} has no method "${p.method}"`);
    try {
      return { result: await fn.apply(page.caller, Array.isArray(p.args) ? p.args : []) };
    } catch (err) {
      throw new Error(errorMessage(err));
    }
  },
  getWindowProperties: async (p: { pageId: number; names?: string[] }, { sim }) => {
    const page = sim.findPage(p.pageId);
    if (sim.renderer) {
      const renderer = sim.renderer;
      const answers: unknown[] = [];
      for (const name of p.names || []) {
        if (/^document\.(documentElement|body)\.scroll(Width|Height)$/.test(name)) {
          const size = await renderer.pageSize(page.rendered);
          answers.push(name.endsWith('Width') ? size.width : size.height);
        } else if (/^(document\.(documentElement|body)\.scrollTop|window\.(scrollY|pageYOffset))$/.test(name)) {
          answers.push(await renderer.scrollTop(page.rendered));
        } else {
          answers.push(0);
        }
      }
      return { properties: answers };
    }
    const win = domWindow();
    return {
      properties: (p.names || []).map((name) => {
        let cur: any = { window: win, document: win.document };
        const parts = name.split('.');
        if (parts[0] !== 'window' && parts[0] !== 'document') cur = win;
        for (const part of parts) cur = cur?.[part];
        return typeof cur === 'function' ? undefined : cur ?? 0;
      }),
    };
  },
};
