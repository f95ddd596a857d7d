// The checkout page's text contrast computed from its styles alone (WCAG 2.1: 4.5:1 for text, 3:1 for graphics): the
// cascade of app.wxss and the page's wxss with the theme's variables, over the page's rendered WXML. Used by
// test/unit/contrast.test.ts, and by test/browser/contrast.test.ts to check that Chromium paints the same pairs.
import { promises as fs } from 'fs';
import * as path from 'path';
import { JSDOM } from 'jsdom';
import type { ThemeName } from '../../miniprogram/lib/theme';
import type { RenderedState } from './rendered-page';

const SRC = path.join(__dirname, '..', '..', 'miniprogram');

// ---- colours ---------------------------------------------------------------------------------------------------

export type Rgba = [number, number, number, number];

const NAMED: Record<string, Rgba> = { white: [255, 255, 255, 1], black: [0, 0, 0, 1], transparent: [0, 0, 0, 0] };

export function parseColor(value: string): Rgba | null {
  const v = value.trim().toLowerCase();
  if (NAMED[v]) return NAMED[v];
  let m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/.exec(v);
  if (m) {
    const hex = m[1].length === 3 ? m[1].split('').map((c) => c + c).join('') : m[1];
    return [parseInt(hex.slice(0, 2), 16), parseInt(hex.slice(2, 4), 16), parseInt(hex.slice(4, 6), 16), 1];
  }
  m = /^rgba?\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*(?:,\s*([\d.]+)\s*)?\)$/.exec(v);
  if (m) return [Number(m[1]), Number(m[2]), Number(m[3]), m[4] === undefined ? 1 : Number(m[4])];
  return null;
}

/** `top` painted over an opaque `bottom` */
export const over = (top: Rgba, bottom: Rgba): Rgba => {
  const a = top[3];
  return [top[0] * a + bottom[0] * (1 - a), top[1] * a + bottom[1] * (1 - a), top[2] * a + bottom[2] * (1 - a), 1];
};

const luminance = ([r, g, b]: Rgba) => {
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
};

export const contrast = (a: Rgba, b: Rgba) => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
};

export const hex = (c: Rgba) => `#${c.slice(0, 3).map((n) => Math.round(n).toString(16).padStart(2, '0')).join('')}`;

// ---- wxss: rules, the theme's variables, the cascade -------------------------------------------------------------

export interface Rule {
  selector: string;
  decls: Record<string, string>;
  /** 'all', or the theme a prefers-color-scheme block applies to */
  media: 'all' | ThemeName;
  order: number;
  /** WeChat's built-in component styles come before the app's */
  builtin?: boolean;
}

export function parseWxss(text: string, firstOrder: number): Rule[] {
  const rules: Rule[] = [];
  const css = text.replace(/\/\*[\s\S]*?\*\//g, '');
  let order = firstOrder;
  const block = (from: number): number => {
    // index just past the '}' closing the block whose '{' is at `from`
    let depth = 0;
    for (let i = from; i < css.length; i++) {
      if (css[i] === '{') depth++;
      else if (css[i] === '}' && --depth === 0) return i + 1;
    }
    throw new Error('unbalanced braces in wxss');
  };
  const walk = (start: number, end: number, media: Rule['media']) => {
    let i = start;
    while (i < end) {
      const open = css.indexOf('{', i);
      if (open < 0 || open >= end) break;
      const prelude = css.slice(i, open).trim();
      const close = block(open);
      if (prelude.startsWith('@media')) {
        const scheme = /prefers-color-scheme\s*:\s*(dark|light)/.exec(prelude);
        if (scheme) walk(open + 1, close - 1, scheme[1] as ThemeName);
      } else if (!prelude.startsWith('@')) {
        const decls: Record<string, string> = {};
        for (const decl of css.slice(open + 1, close - 1).split(';')) {
          const colon = decl.indexOf(':');
          if (colon > 0) decls[decl.slice(0, colon).trim()] = decl.slice(colon + 1).trim();
        }
        for (const selector of prelude.split(',')) rules.push({ selector: selector.trim(), decls, media, order: order++ });
      }
      i = close;
    }
  };
  walk(0, css.length, 'all');
  return rules;
}

/** WeChat's own button look (a grey button with black text), under the app's styles. */
export const BUILTIN: Rule[] = [{ selector: 'button', decls: { 'background-color': '#f8f8f8', color: '#000000' }, media: 'all', order: -1, builtin: true }];

export interface El {
  tag: string;
  classes: string[];
  id: string;
  parent: El | null;
}

function matchesCompound(el: El, compound: string): boolean {
  const m = /^([a-z][\w-]*)?((?:[.#][\w-]+)*)$/i.exec(compound);
  if (!m) return false;
  if (m[1] && m[1] !== el.tag) return false;
  for (const part of m[2].match(/[.#][\w-]+/g) || []) {
    if (part[0] === '.' && !el.classes.includes(part.slice(1))) return false;
    if (part[0] === '#' && el.id !== part.slice(1)) return false;
  }
  return true;
}

/** Compound selectors with descendant and child combinators; pseudo-classes and elements never match (no text there). */
function matches(el: El, selector: string): boolean {
  if (/[:[]/.test(selector)) return false;
  const parts = selector.replace(/\s*>\s*/g, ' > ').split(/\s+/);
  const last = parts.pop()!;
  if (!matchesCompound(el, last)) return false;
  let node: El | null = el;
  while (parts.length) {
    const combinator = parts[parts.length - 1] === '>' ? parts.pop() : ' ';
    const compound = parts.pop()!;
    node = node.parent;
    if (combinator === '>') {
      if (!node || !matchesCompound(node, compound)) return false;
    } else {
      while (node && !matchesCompound(node, compound)) node = node.parent;
      if (!node) return false;
    }
  }
  return true;
}

const specificity = (selector: string) => {
  const ids = (selector.match(/#[\w-]+/g) || []).length;
  const classes = (selector.match(/\.[\w-]+/g) || []).length;
  const tags = (selector.replace(/[.#][\w-]+/g, '').match(/[a-z][\w-]*/gi) || []).length;
  return ids * 10000 + classes * 100 + tags;
};

export class Theme {
  private readonly vars: Record<string, string> = {};
  constructor(
    readonly name: ThemeName,
    private readonly rules: Rule[],
  ) {
    for (const rule of rules) {
      if (rule.media !== 'all' && rule.media !== name) continue;
      for (const [prop, value] of Object.entries(rule.decls)) {
        if (!prop.startsWith('--')) continue;
        if (rule.selector !== 'page') throw new Error(`${prop} is set on ${rule.selector}: this test resolves variables set on page only`);
        this.vars[prop] = value;
      }
    }
  }

  private resolve(value: string): string {
    return value.replace(/var\(\s*(--[\w-]+)\s*(?:,\s*([^)]+))?\)/g, (_, name: string, fallback?: string) => {
      const v = this.vars[name] ?? fallback;
      if (v === undefined) throw new Error(`var(${name}) is not defined in the ${this.name} theme`);
      return this.resolve(v);
    });
  }

  /** the winning declaration of `prop` (or one of `props`) on `el`, resolved */
  private own(el: El, props: string[]): string | undefined {
    let best: { spec: number; order: number; value: string } | undefined;
    for (const rule of this.rules) {
      if (rule.media !== 'all' && rule.media !== this.name) continue;
      const prop = props.find((p) => rule.decls[p] !== undefined);
      if (!prop || !matches(el, rule.selector)) continue;
      // the app's styles win over the built-in ones whatever their specificity (author over user agent)
      const spec = (rule.builtin ? 0 : 1e6) + specificity(rule.selector);
      if (!best || spec > best.spec || (spec === best.spec && rule.order > best.order)) best = { spec, order: rule.order, value: rule.decls[prop] };
    }
    return best && this.resolve(best.value);
  }

  color(el: El): Rgba {
    for (let node: El | null = el; node; node = node.parent) {
      const value = this.own(node, ['color']);
      if (value) return parseColor(value) || fail(`color ${value} of ${describe(node)}`);
    }
    return [0, 0, 0, 1];
  }

  /** what is painted behind `el`'s text: every background from the page down, composited */
  background(el: El): Rgba {
    const chain: El[] = [];
    for (let node: El | null = el; node; node = node.parent) chain.unshift(node);
    let painted: Rgba = [255, 255, 255, 1];
    for (const node of chain) {
      const value = this.own(node, ['background-color', 'background']);
      const c = value && parseColor(value.split(/\s+(?![^(]*\))/)[0]);
      if (c) painted = over(c, painted);
    }
    return painted;
  }
}

function fail(what: string): never {
  throw new Error(`cannot read ${what}`);
}

export const describe = (el: El) => `${el.tag}${el.id ? `#${el.id}` : ''}${el.classes.map((c) => `.${c}`).join('')}`;

function toEl(node: Element, parent: El | null): El {
  return { tag: node.localName, classes: (node.getAttribute('class') || '').split(/\s+/).filter(Boolean), id: node.getAttribute('id') || '', parent };
}

// ---- the figures ---------------------------------------------------------------------------------------------------

export interface Pair {
  theme: ThemeName;
  element: string;
  fg: string;
  bg: string;
  ratio: number;
  min: number;
  states: Set<string>;
}

export function pairsOf(r: RenderedState, theme: Theme, pairs: Map<string, Pair>, exempt: Set<string>) {
  const doc = new JSDOM(`<body>${r.wxml}</body>`).window.document;
  const pageRoot: El = { tag: 'page', classes: [], id: '', parent: null };
  const add = (key: string, pair: Omit<Pair, 'states'>) => {
    const existing = pairs.get(key);
    if (existing) existing.states.add(r.name);
    else pairs.set(key, { ...pair, states: new Set([r.name]) });
  };
  const walk = (node: Element, parent: El) => {
    const el = toEl(node, parent);
    const ownText = Array.from(node.childNodes).some((c) => c.nodeType === 3 && (c.textContent || '').trim());
    if (node.getAttribute('disabled') === 'true') {
      // an inactive control: WCAG 1.4.3 exempts it, and WeChat's own disabled style paints it
      exempt.add(`${describe(el)} while disabled`);
    } else if (ownText) {
      const bg = theme.background(el);
      const fg = over(theme.color(el), bg);
      add(`${theme.name}|${describe(el)}|${hex(fg)}|${hex(bg)}`, { theme: theme.name, element: describe(el), fg: hex(fg), bg: hex(bg), ratio: contrast(fg, bg), min: 4.5 });
    }
    if (el.tag === 'icon' && node.getAttribute('color')) {
      const bg = theme.background(el);
      const fg = parseColor(node.getAttribute('color')!)!;
      add(`${theme.name}|${describe(el)}|${hex(fg)}|${hex(bg)}`, { theme: theme.name, element: `${describe(el)} (graphic)`, fg: hex(fg), bg: hex(bg), ratio: contrast(fg, bg), min: 3 });
    }
    for (const child of Array.from(node.children)) walk(child, el);
  };
  for (const child of Array.from(doc.body.children)) walk(child, pageRoot);
}

/** The page's rules (WeChat's button under app.wxss and the page's wxss) and theme.json. */
export async function loadPageStyles(): Promise<{ rules: Rule[]; themeJson: Record<ThemeName, Record<string, string>> }> {
  const app = await fs.readFile(path.join(SRC, 'app.wxss'), 'utf8');
  const page = await fs.readFile(path.join(SRC, 'pages', 'checkout', 'checkout.wxss'), 'utf8');
  const themeJson = JSON.parse(await fs.readFile(path.join(SRC, 'theme.json'), 'utf8'));
  return { rules: [...BUILTIN, ...parseWxss(app, 0), ...parseWxss(page, 10000)], themeJson };
}
