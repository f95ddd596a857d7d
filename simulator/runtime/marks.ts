// WeChat's event marks: a `mark:name="…"` attribute sets a mark on its node, and an event handed to a handler carries
// `mark`, the marks of the nodes from the event's target up to the root of the shadow tree (a child's mark wins over
// a parent's of the same name). exparser already does the hard part, as it does in WeChat: Element.setMark keeps a
// node's marks (`__marks`), and its dispatch computes `evt.mark` for each listener. What is missing is j-component,
// which builds the tree: it passes `mark:` attributes to nobody and hands handlers a new event object without `mark`.
// Two hooks fill that gap without copying j-component's render code:
// - marks: after j-component renders a subtree (the exported renderExparserNode, which both a component's first
//   render and the diff's new subtrees go through; its own recursion is module-local, so the subtree is walked
//   here) and when the diff updates attributes (the exported updateAttrs);
// - the event: exparser.addListenerToElement (which j-component's updateEvent calls) wraps each listener so that the
//   handler j-component then calls, through the method caller it looks up, receives the event with `mark` added.
import type { Element as ExElement, ExparserListener, ExparserModule, MethodCaller } from './exparser';

const MARK_PREFIX = 'mark:';

interface Attr {
  name: string;
  value: unknown;
}

/** The part of j-component's render module (untyped, internal) the hooks wrap. */
interface JComponentRender {
  renderExparserNode(this: unknown, vt: unknown, host: unknown, shadowRoot: unknown): ExElement;
  updateAttrs(this: unknown, node: ExElement | undefined, attrs: Attr[]): unknown;
}

let installed = false;

/** The mark of the event whose j-component listener is running, until that listener looks up its method caller. */
let pendingMark: Record<string, unknown> | undefined;

function applyMarks(node: ExElement | undefined, attrs: Attr[] | undefined): void {
  if (!node || !attrs || typeof node.setMark !== 'function') return;
  for (const { name, value } of attrs) {
    if (!name.startsWith(MARK_PREFIX)) continue;
    const key = name.slice(MARK_PREFIX.length);
    // the diff reports a removed attribute with an undefined value; exparser has no removeMark
    if (value === undefined) delete node.__marks?.[key];
    else node.setMark(key, value);
  }
}

function applyMarksBelow(node: ExElement): void {
  applyMarks(node, node._vt?.attrs as Attr[] | undefined);
  // a component's own shadow tree is rendered (and marked) by its own renderExparserNode call
  for (const child of node.childNodes ?? []) applyMarksBelow(child as ExElement);
}

export function installMarks(exparser: ExparserModule): void {
  if (installed) return;
  installed = true;
  const render = require('j-component/src/render/render') as JComponentRender;

  const renderExparserNode = render.renderExparserNode;
  render.renderExparserNode = function (this: unknown, vt, host, shadowRoot) {
    const node = renderExparserNode.call(this, vt, host, shadowRoot);
    applyMarksBelow(node);
    return node;
  };
  const updateAttrs = render.updateAttrs;
  render.updateAttrs = function (this: unknown, node, attrs) {
    const result = updateAttrs.call(this, node, attrs);
    applyMarks(node, attrs);
    return result;
  };

  const addListenerToElement = exparser.addListenerToElement;
  exparser.addListenerToElement = function (node, type, listener, options) {
    const withMark: ExparserListener = function (event, ...rest) {
      const previous = pendingMark;
      pendingMark = event.mark ?? {};
      try {
        return listener.call(this, event, ...rest);
      } finally {
        pendingMark = previous;
      }
    };
    return addListenerToElement.call(this, node, type, withMark, options);
  };

  // j-component's listener does `caller = Element.getMethodCaller(host); caller[handler]({type, target, ...})`.
  // Inside a listener (and only for its first lookup, so the handler's own calls are untouched) the caller handed
  // out adds the pending mark to the event object it passes on. Methods from behaviors are covered too.
  const getMethodCaller = exparser.Element.getMethodCaller;
  exparser.Element.getMethodCaller = function (node) {
    const caller = getMethodCaller.call(this, node);
    const mark = pendingMark;
    if (mark === undefined || !caller) return caller;
    pendingMark = undefined;
    return new Proxy(caller, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver) as unknown;
        if (typeof value !== 'function') return value;
        return function (this: unknown, event: unknown, ...rest: unknown[]) {
          if (event && typeof event === 'object') (event as { mark?: unknown }).mark = mark;
          return (value as (...a: unknown[]) => unknown).call(target, event, ...rest);
        };
      },
    }) as MethodCaller;
  };
}
