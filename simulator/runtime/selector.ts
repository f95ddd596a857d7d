// CSS selectors over the exparser tree with DevTools' semantics, on css-select (the engine behind cheerio) through an
// adapter. DevTools runs `page.$` / `element.$` as a browser query over the rendered page, limited to one component's
// scope, so:
// - tag names match case-insensitively (`mp-actionsheet` finds `<mp-actionSheet>`); attribute names are the WXML
//   ones, dashed (`app-id`, `data-item-id`); quoted values may hold spaces, commas, brackets;
// - selector lists, the descendant / child / sibling combinators and the structural pseudo-classes (`:first-child`,
//   `:last-child`, `:nth-child()`, `:nth-of-type()`, `:only-child`, `:empty`, `:not()`, `:is()`, `:has()`...) work;
// - wx:if / wx:for / block / slot nodes are transparent (they render nothing, so they are nobody's parent);
// - `page.$` searches the page's own template: the children written inside a custom component's tag (slotted into
//   it) are found, the component's own template is not (the automator docs: use element.$ on the component);
// - `element.$` on a custom component searches its own template and the children slotted into it; on any other
//   element, its descendants in the same template;
// - results come in the order they appear on screen (slotted children where their slot is).
import { compile, type Options } from 'css-select';
import type { Element as ExElement, TextNode } from './exparser';
import { exparser } from './dom-env';
import { attributesOf, isElement, tagOf, type RenderedDom } from './tree';

type ExNode = ExElement | TextNode;
type Adapter = NonNullable<Options<ExNode, ExElement>['adapter']>;

export class SelectorError extends Error {}

function isVirtual(node: ExNode): boolean {
  return node instanceof exparser().Element && !!node.__virtual && !(node instanceof exparser().ShadowRoot);
}

/** Children with virtual nodes replaced by their own children. */
function flatChildren(container: ExElement): ExNode[] {
  const out: ExNode[] = [];
  for (const child of container.childNodes) {
    if (isVirtual(child)) out.push(...flatChildren(child as ExElement));
    else out.push(child);
  }
  return out;
}

/** The nearest real element or shadow root above `node` in its own tree. */
function containerOf(node: ExNode): ExElement | undefined {
  for (let p = node.parentNode; p; p = p.parentNode) {
    if (!isVirtual(p)) return p;
  }
  return undefined;
}

function attributeText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || typeof v !== 'object') return String(v);
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

const adapter: Adapter = {
  isTag: (node): node is ExElement => isElement(node),
  getName: (elem) => tagOf(elem).toLowerCase(),
  getAttributeValue: (elem, name) => {
    const attrs = attributesOf(elem);
    return name in attrs ? attributeText(attrs[name]) : undefined;
  },
  hasAttrib: (elem, name) => name in attributesOf(elem),
  getChildren: (node) => (node instanceof exparser().Element ? flatChildren(node) : []),
  getParent: (elem) => {
    const c = containerOf(elem);
    if (!c) return null;
    if (!(c instanceof exparser().ShadowRoot)) return c;
    // leaving a component's template reaches its host, as in the composed page; a page's root has none
    const host = c.__wxHost;
    return host && host.ownerShadowRoot ? host : null;
  },
  getSiblings: (node) => {
    const c = containerOf(node);
    return c ? flatChildren(c) : [node];
  },
  getText: (node) => (node instanceof exparser().TextNode ? node.textContent : (node.$$?.textContent ?? '')),
  removeSubsets: (nodes) => [...new Set(nodes)],
};

const compiled = new Map<string, (node: ExElement) => boolean>();

function compileSelector(selector: string): (node: ExElement) => boolean {
  let test = compiled.get(selector);
  if (test) return test;
  if (typeof selector !== 'string' || !selector.trim()) throw new SelectorError('selector must be a non-empty string');
  try {
    test = compile<ExNode, ExElement>(selector, { adapter, cacheResults: false, relativeSelector: false });
  } catch (err) {
    throw new SelectorError(`unsupported selector "${selector}": ${(err as Error).message}`);
  }
  if (compiled.size > 500) compiled.clear();
  compiled.set(selector, test);
  return test;
}

/** Whether `node` is below `ancestor` in the tree both were written in. */
function isLightDescendant(node: ExElement, ancestor: ExElement): boolean {
  for (let p = node.parentNode; p; p = p.parentNode) if (p === ancestor) return true;
  return false;
}

/** Which nodes a query from `root` may return (see the top of this file). */
function scopeOf(root: ExElement, isCustom: (n: ExElement) => boolean): (n: ExElement) => boolean {
  if (root instanceof exparser().ShadowRoot) return (n) => n.ownerShadowRoot === root;
  if (isCustom(root) && root.shadowRoot) {
    const own = root.shadowRoot;
    return (n) => n.ownerShadowRoot === own || (n.ownerShadowRoot === root.ownerShadowRoot && isLightDescendant(n, root));
  }
  return (n) => n.ownerShadowRoot === root.ownerShadowRoot && isLightDescendant(n, root);
}

/**
 * Elements matching `selector` within `root`'s scope, in screen order. `root` is a page's shadow root (page.$) or
 * an element (element.$); `isCustom` tells custom components from builtins.
 */
export function querySelectorAll(root: ExElement, selector: string, isCustom: (n: ExElement) => boolean): ExElement[] {
  const test = compileSelector(selector);
  const inScope = scopeOf(root, isCustom);
  const dom = root instanceof exparser().ShadowRoot ? root.__wxHost?.$$ : root.$$;
  const out: ExElement[] = [];
  if (!dom) return out;
  // the composed DOM gives the on-screen order, slotted children included where their slot is
  const walker = dom.ownerDocument.createTreeWalker(dom, 1 /* NodeFilter.SHOW_ELEMENT */);
  for (let d = walker.nextNode(); d; d = walker.nextNode()) {
    const node = (d as RenderedDom).__wxElement;
    if (node && isElement(node) && node !== root && inScope(node) && test(node)) out.push(node);
  }
  return out;
}

export function querySelector(root: ExElement, selector: string, isCustom: (n: ExElement) => boolean): ExElement | undefined {
  return querySelectorAll(root, selector, isCustom)[0];
}
