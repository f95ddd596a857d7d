// Page domain: elements by selector, page data and methods, the page's size and scroll position (from the renderer).
import type { Context, DomainHandlers } from './dispatcher';
import { errorMessage } from './dispatcher';
import { querySelectorAll } from '../runtime/selector';
import { domWindow } from '../runtime/dom-env';
import type { PageInstance } from '../runtime/simulation';

/** Reads "a.b[0].c" from data. */
export function getByPath(data: unknown, p?: string): unknown {
  if (!p) return data;
  let cur = data;
  for (const key of p.replace(/\[(\d+)\]/g, '.$1').split('.').filter(Boolean)) {
    if (cur === null || cur === undefined) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** Data as the view would get it (JSON), for the client. */
export function plainData(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v ?? null));
}

function noXpath(): never {
  throw new Error('XPath selectors are not supported by the simulator: use a CSS selector (tags, .class, #id, [attr="value"], combinators, :nth-child() and the like)');
}

function query(page: PageInstance, selector: string, ctx: Context) {
  return querySelectorAll(page.node.shadowRoot!, selector, (n) => ctx.sim.isCustomComponent(n));
}

/** The window properties the client reads for page.size() and page.scrollTop(), answered by the renderer. */
async function windowProperty(name: string, page: PageInstance, ctx: Context): Promise<unknown> {
  const { renderer } = ctx.sim;
  const leaf = name.split('.').pop();
  if (/^document\.(documentElement|body)\.scroll(Width|Height)$/.test(name)) {
    const size = await renderer.pageSize(page);
    return leaf === 'scrollWidth' ? size.width : size.height;
  }
  if (/^document\.(documentElement|body)\.scrollTop$/.test(name) || name === 'scrollY' || name === 'pageYOffset' || name === 'window.scrollY') {
    return renderer.scrollTop(page);
  }
  let cur: unknown = domWindow();
  const parts = name.split('.');
  if (parts[0] === 'window') parts.shift();
  for (const part of parts) cur = cur === null || cur === undefined ? undefined : (cur as Record<string, unknown>)[part];
  return typeof cur === 'function' || (cur !== null && typeof cur === 'object') ? undefined : (cur ?? 0);
}

export const pageDomain: DomainHandlers<'Page'> = {
  getElement: (p, ctx) => {
    const page = ctx.sim.findPage(p.pageId);
    const [first] = query(page, p.selector, ctx);
    if (!first) throw new Error(`no element matches "${p.selector}" on page ${page.route}`);
    return ctx.elements.describe(first, page);
  },
  getElements: (p, ctx) => {
    const page = ctx.sim.findPage(p.pageId);
    return { elements: query(page, p.selector, ctx).map((n) => ctx.elements.describe(n, page)) };
  },
  getElementByXpath: noXpath,
  getElementsByXpath: noXpath,
  getData: (p, { sim }) => {
    const page = sim.findPage(p.pageId);
    return { data: plainData(getByPath(page.caller.data, p.path)) };
  },
  setData: (p, { sim }) => {
    const page = sim.findPage(p.pageId);
    page.caller.setData(p.data || {});
    return {};
  },
  callMethod: async (p, { sim }) => {
    const page = sim.findPage(p.pageId);
    const fn = page.caller[p.method];
    if (typeof fn !== 'function') throw new Error(`page ${page.route} has no method "${p.method}"`);
    try {
      return { result: await fn.apply(page.caller, Array.isArray(p.args) ? p.args : []) };
    } catch (err) {
      throw new Error(errorMessage(err));
    }
  },
  getWindowProperties: async (p, ctx) => {
    const page = ctx.sim.findPage(p.pageId);
    const properties: unknown[] = [];
    for (const name of p.names || []) properties.push(await windowProperty(String(name), page, ctx));
    return { properties };
  },
};
