// Reading the rendered exparser tree the way DevTools' element API does: tag names and attributes as written in the
// WXML, innerText from the composed DOM, WXML serialisation. Selectors live in selector.ts.
import type { Element as ExElement, TextNode } from './exparser';
import { exparser } from './dom-env';

/** The DOM element exparser rendered, with its link back to the exparser node. */
export interface RenderedDom extends HTMLElement {
  __wxElement?: ExElement;
}

/** The WXML tag name as written (`mp-actionSheet`, `view`); '' for nodes without one. */
export function tagOf(node: ExElement | TextNode | null | undefined): string {
  if (!node || !('is' in node)) return '';
  return node._vt?.tagName || node.is || '';
}

/** A real element: not text, not a virtual wx:if/wx:for/block/slot node, not a shadow root. */
export function isElement(node: unknown): node is ExElement {
  const ex = exparser();
  return node instanceof ex.Element && !node.__virtual && !(node instanceof ex.ShadowRoot);
}

/** The attribute values as written in the WXML (after data binding), plus id and class. */
export function attributesOf(node: ExElement): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (node.id) out.id = node.id;
  if (node.classList && node.class) out.class = node.class;
  // wcc hands attributes over camelCased (app-id -> appId); data-* keep their dashes
  for (const a of node._vt?.attrs || []) {
    if (a.value !== undefined && a.name !== 'id' && a.name !== 'class') out[dashed(a.name)] = a.value;
  }
  return out;
}

export function dashed(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** Attribute lookup accepting either spelling: app-id or appId. */
export function attributeOf(node: ExElement, name: string): unknown {
  return attributesOf(node)[dashed(name)];
}

const INLINE_TAGS = new Set(['text', 'span', 'label', 'icon', 'image', 'b', 'i', 'em', 'strong', 'a']);

function isHidden(dom: RenderedDom): boolean {
  const attrs = dom.__wxElement?._vt?.attrs || [];
  if (attrs.some((a) => a.name === 'hidden' && a.value !== undefined && a.value !== false && a.value !== 'false')) return true;
  const style = dom.getAttribute?.('style') || '';
  return /(^|;)\s*display\s*:\s*none/i.test(style);
}

/** innerText as a browser would give it with WeChat's default styles: views are blocks, texts are inline. */
export function innerText(node: ExElement): string {
  const dom = node.$$;
  if (!dom) return '';
  const out: string[] = [];
  const walk = (d: Node) => {
    for (const child of Array.from(d.childNodes)) {
      if (child.nodeType === 3) out.push((child.textContent ?? '').replace(/[ \t\r\n]+/g, ' '));
      else if (child.nodeType === 1) {
        const el = child as RenderedDom;
        if (isHidden(el)) continue;
        const block = !INLINE_TAGS.has(el.localName);
        if (block) out.push('\n');
        walk(el);
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
export function toWxml(node: ExElement, outer: boolean): string {
  const serialize = (d: Node): string => {
    if (d.nodeType === 3) return String(d.textContent).replace(/&/g, '&amp;').replace(/</g, '&lt;');
    if (d.nodeType !== 1) return '';
    const el = (d as RenderedDom).__wxElement;
    const tag = el ? tagOf(el) : (d as HTMLElement).localName;
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

/** Composed parent: parent element, or the host when leaving a shadow tree. */
export function composedParent(node: ExElement): ExElement | undefined {
  if (node.parentNode) return node.parentNode;
  if (node instanceof exparser().ShadowRoot) return node.__wxHost;
  return undefined;
}
