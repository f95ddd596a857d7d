// CSS selectors with DevTools' semantics, on css-select (the engine behind cheerio) through an adapter. DevTools
// answers `page.$` / `element.$` with a browser query over the rendered page, limited to one component's scope, so:
// - tag names match case-insensitively (`mp-actionsheet` finds `<mp-actionSheet>`); attribute names are the WXML
//   ones, dashed (`app-id`, `data-item-id`); quoted values may hold spaces, commas, brackets;
// - selector lists, the descendant / child / sibling combinators and the pseudo-classes a browser knows
//   (`:first-child`, `:last-child`, `:nth-child()`, `:nth-of-type()`, `:only-child`, `:empty`, `:not()`, `:is()`,
//   `:has()`...) work on the page as rendered: wx:if / wx:for / block / slot render nothing, so they are nobody's
//   parent or sibling, and a child slotted into a component sits in the component's template where its slot is;
// - `page.$` returns elements written in the page's own template, the children slotted into its components included,
//   not the components' own templates (the automator docs: use element.$ on the component for those);
// - `element.$` on a custom component returns elements of its own template and the children slotted into it; on any
//   other element, its descendants written in the same template;
// - results come in the order they appear on screen.
import { compile, type Options } from 'css-select';
import type { Element as ExElement } from './exparser';
import { exparser } from './dom-env';
import { attributesOf, isElement, tagOf, type RenderedDom } from './tree';

type Adapter = NonNullable<Options<Node, RenderedDom>['adapter']>;

export class SelectorError extends Error {}

function attributeText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || typeof v !== 'object') return String(v);
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

/** A DOM element that stands for a real exparser element (not the page container, not text). */
function isTag(node: Node | null | undefined): node is RenderedDom {
  return !!node && node.nodeType === 1 && isElement((node as RenderedDom).__wxElement);
}

// The structure is the composed DOM exparser renders into, which is the tree DevTools queries: wx:if / wx:for / block
// and slots render nothing, and a slotted child sits where its slot is. Names and attributes are the WXML ones.
const adapter: Adapter = {
  isTag: (node): node is RenderedDom => isTag(node),
  getName: (elem) => tagOf(elem.__wxElement).toLowerCase(),
  getAttributeValue: (elem, name) => {
    const attrs = attributesOf(elem.__wxElement!);
    return name in attrs ? attributeText(attrs[name]) : undefined;
  },
  hasAttrib: (elem, name) => name in attributesOf(elem.__wxElement!),
  getChildren: (node) => Array.from(node.childNodes),
  getParent: (elem) => (isTag(elem.parentNode) ? elem.parentNode : null),
  getSiblings: (node) => (node.parentNode ? Array.from(node.parentNode.childNodes) : [node]),
  getText: (node) => node.textContent ?? '',
  removeSubsets: (nodes) => [...new Set(nodes)],
};

const compiled = new Map<string, (node: RenderedDom) => boolean>();

function compileSelector(selector: string): (node: RenderedDom) => boolean {
  if (typeof selector !== 'string' || !selector.trim()) throw new SelectorError('selector must be a non-empty string');
  let test = compiled.get(selector);
  if (test) return test;
  try {
    test = compile<Node, RenderedDom>(selector, { adapter, cacheResults: false, relativeSelector: false });
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
  // document order of the composed DOM is the on-screen order, slotted children included where their slot is
  const walker = dom.ownerDocument.createTreeWalker(dom, 1 /* NodeFilter.SHOW_ELEMENT */);
  for (let d = walker.nextNode(); d; d = walker.nextNode()) {
    const node = (d as RenderedDom).__wxElement;
    if (node && isElement(node) && node !== root && inScope(node) && test(d as RenderedDom)) out.push(node);
  }
  return out;
}

export function querySelector(root: ExElement, selector: string, isCustom: (n: ExElement) => boolean): ExElement | undefined {
  return querySelectorAll(root, selector, isCustom)[0];
}
