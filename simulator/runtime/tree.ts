// Reading the rendered exparser tree the way DevTools' element API does: CSS-like selectors within one
// component's shadow tree, innerText from the composed DOM, attributes as written in the WXML.
/* eslint-disable @typescript-eslint/no-explicit-any */
import { exparser } from './dom-env';

type Node = any;

interface Compound {
  tag?: string;
  id?: string;
  classes: string[];
  attrs: { name: string; op?: string; value?: string }[];
}
interface Step {
  compound: Compound;
  /** combinator linking this step to the previous one */
  combinator: ' ' | '>';
}

export class SelectorError extends Error {}

function parseCompound(text: string, whole: string): Compound {
  const c: Compound = { classes: [], attrs: [] };
  const re = /^([a-zA-Z][-\w]*|\*)|#([-\w]+)|\.([-\w]+)|\[\s*([-\w:]+)\s*(?:([~^$*|]?=)\s*(?:"([^"]*)"|'([^']*)'|([^\]\s]*)))?\s*\]/y;
  let pos = 0;
  while (pos < text.length) {
    re.lastIndex = pos;
    const m = re.exec(text);
    if (!m || m.index !== pos || m[0] === '') throw new SelectorError(`unsupported selector "${whole}" (near "${text.slice(pos)}")`);
    if (m[1] && pos === 0) c.tag = m[1] === '*' ? undefined : m[1];
    else if (m[1]) throw new SelectorError(`unsupported selector "${whole}"`);
    else if (m[2]) c.id = m[2];
    else if (m[3]) c.classes.push(m[3]);
    else if (m[4]) c.attrs.push({ name: m[4], op: m[5], value: m[6] ?? m[7] ?? m[8] });
    pos = re.lastIndex;
  }
  return c;
}

export function parseSelector(selector: string): Step[][] {
  if (typeof selector !== 'string' || !selector.trim()) throw new SelectorError('selector must be a non-empty string');
  return selector.split(',').map((part) => {
    const tokens = part.trim().replace(/\s*>\s*/g, ' > ').split(/\s+/);
    const steps: Step[] = [];
    let combinator: ' ' | '>' = ' ';
    for (const tok of tokens) {
      if (tok === '>') {
        if (!steps.length) throw new SelectorError(`selector "${selector}" cannot start with ">"`);
        combinator = '>';
        continue;
      }
      steps.push({ compound: parseCompound(tok, selector), combinator });
      combinator = ' ';
    }
    if (!steps.length) throw new SelectorError(`empty selector in "${selector}"`);
    return steps;
  });
}

export function tagOf(node: Node): string {
  return node?._vt?.tagName || node?.is || '';
}

export function isElement(node: Node): boolean {
  return node instanceof exparser().Element && !node.__virtual && !(node instanceof exparser().ShadowRoot);
}

/** The attribute values as written in the WXML (after data binding), plus id and class. */
export function attributesOf(node: Node): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (node.id) out.id = node.id;
  if (node.classList && node.class) out.class = node.class;
  // wcc hands attributes over camelCased (app-id -> appId); data-* keep their dashes
  for (const a of node?._vt?.attrs || []) {
    if (a.value !== undefined && a.name !== 'id' && a.name !== 'class') out[dashed(a.name)] = a.value;
  }
  return out;
}

export function dashed(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** Attribute lookup accepting either spelling: app-id or appId. */
export function attributeOf(node: Node, name: string): unknown {
  return attributesOf(node)[dashed(name)];
}

function matchCompound(node: Node, c: Compound): boolean {
  if (!isElement(node)) return false;
  if (c.tag && tagOf(node) !== c.tag) return false;
  if (c.id && node.id !== c.id) return false;
  if (c.classes.length) {
    const own = String(node.class || '').split(/\s+/);
    if (!c.classes.every((k) => own.includes(k))) return false;
  }
  if (c.attrs.length) {
    const attrs = attributesOf(node);
    for (const a of c.attrs) {
      const name = dashed(a.name);
      if (!(name in attrs)) return false;
      if (!a.op) continue;
      const v = String(attrs[name]);
      const want = a.value ?? '';
      const ok =
        a.op === '=' ? v === want
        : a.op === '~=' ? v.split(/\s+/).includes(want)
        : a.op === '^=' ? v.startsWith(want)
        : a.op === '$=' ? v.endsWith(want)
        : a.op === '*=' ? v.includes(want)
        : v === want || v.startsWith(`${want}-`);
      if (!ok) return false;
    }
  }
  return true;
}

/** Nearest ancestor that is a real element in the same shadow tree (virtual wx:if/for/block nodes are skipped). */
function elementParent(node: Node, scopeRoot: Node): Node | undefined {
  for (let p = node.parentNode; p && p !== scopeRoot; p = p.parentNode) {
    if (isElement(p)) return p;
  }
  return undefined;
}

function matchSteps(node: Node, steps: Step[], i: number, scopeRoot: Node): boolean {
  if (!matchCompound(node, steps[i].compound)) return false;
  if (i === 0) return true;
  if (steps[i].combinator === '>') {
    const parent = elementParent(node, scopeRoot);
    return !!parent && matchSteps(parent, steps, i - 1, scopeRoot);
  }
  for (let p = elementParent(node, scopeRoot); p; p = elementParent(p, scopeRoot)) {
    if (matchSteps(p, steps, i - 1, scopeRoot)) return true;
  }
  return false;
}

/** Elements of one shadow tree, in document order (does not enter nested components' shadow trees). */
function collect(node: Node, out: Node[]): Node[] {
  for (const child of node.childNodes || []) {
    if (!(child instanceof exparser().Element)) continue;
    if (isElement(child)) out.push(child);
    collect(child, out);
  }
  return out;
}

export function isCustomComponent(node: Node, customIds: Set<string>): boolean {
  return !!node && customIds.has(node.is);
}

/** Query inside `container`: a custom component's own template, or the subtree of a builtin element. */
export function querySelectorAll(container: Node, selector: string, customIds: Set<string>): Node[] {
  const union = parseSelector(selector);
  let scopeRoot = container;
  let candidates: Node[];
  if (container instanceof exparser().ShadowRoot) {
    candidates = collect(container, []);
  } else if (isCustomComponent(container, customIds)) {
    scopeRoot = container.shadowRoot;
    candidates = collect(container.shadowRoot, []);
  } else {
    candidates = collect(container, []);
  }
  return candidates.filter((n) => union.some((steps) => matchSteps(n, steps, steps.length - 1, scopeRoot)));
}

const INLINE_TAGS = new Set(['text', 'span', 'label', 'icon', 'image', 'b', 'i', 'em', 'strong', 'a']);

function isHidden(dom: any): boolean {
  const el = dom.__wxElement;
  const attrs = el?._vt?.attrs || [];
  if (attrs.some((a: any) => a.name === 'hidden' && a.value !== undefined && a.value !== false && a.value !== 'false')) return true;
  const style = dom.getAttribute?.('style') || '';
  return /(^|;)\s*display\s*:\s*none/i.test(style);
}

/** innerText as a browser would give it with WeChat's default styles: views are blocks, texts are inline. */
export function innerText(node: Node): string {
  const dom = node.$$;
  if (!dom) return '';
  const out: string[] = [];
  const walk = (d: any) => {
    for (const child of Array.from(d.childNodes) as any[]) {
      if (child.nodeType === 3) out.push(child.textContent.replace(/[ \t\r\n]+/g, ' '));
      else if (child.nodeType === 1) {
        if (isHidden(child)) continue;
        const block = !INLINE_TAGS.has(child.localName);
        if (block) out.push('\n');
        walk(child);
        if (block) out.push('\n');
      }
    }
  };
  walk(dom);
  return out
    .join('')
    .split('\n')
    .map((line) => line.replace(/ +/g, ' ').trim())
    .filter((line) => line !== '')
    .join('\n');
}

function escapeAttr(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return String(s).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

/** WXML of the rendered (composed) tree, with WXML tag names and the attributes the template set. */
export function toWxml(node: Node, outer: boolean): string {
  const serialize = (d: any): string => {
    if (d.nodeType === 3) return String(d.textContent).replace(/&/g, '&amp;').replace(/</g, '&lt;');
    if (d.nodeType !== 1) return '';
    const el = d.__wxElement;
    const tag = el ? tagOf(el) : d.localName;
    const attrs = el ? attributesOf(el) : {};
    const attrText = Object.entries(attrs)
      .filter(([, v]) => typeof v !== 'function')
      .map(([k, v]) => ` ${k}="${escapeAttr(v)}"`)
      .join('');
    return `<${tag}${attrText}>${Array.from(d.childNodes).map(serialize).join('')}</${tag}>`;
  };
  const dom = node.$$;
  if (!dom) return '';
  return outer ? serialize(dom) : Array.from(dom.childNodes).map(serialize).join('');
}

/** The page or component that owns `node` (its shadow tree host), or undefined for a page root. */
export function ownerHost(node: Node): Node | undefined {
  return node.ownerShadowRoot?.getHostNode?.() ?? node.ownerShadowRoot?.__wxHost;
}

/** Composed parent: parent element, or the host when leaving a shadow tree. */
export function composedParent(node: Node): Node | undefined {
  if (node.parentNode) return node.parentNode;
  if (node instanceof exparser().ShadowRoot) return node.__wxHost;
  return undefined;
}
