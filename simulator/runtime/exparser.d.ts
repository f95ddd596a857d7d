// The part of miniprogram-exparser and j-component the simulator touches: the boundary between our typed code and
// those untyped internals. Everything the runtime reads from or calls on their objects is listed here, so a newcomer
// sees which internals (the `__` / `_vt` fields) we rely on. (j-component's own index.d.ts is not used: it pulls in an
// old miniprogram-api-typings whose global `require` clashes with Node's.) dom-env.ts hands out the two modules
// with these types.

/** A node of a text: the DOM text node exparser renders into sits in `$$`. */
export declare class TextNode {
  textContent: string;
  parentNode: Element | null;
  $$: Node | undefined;
}

/** The instance a component's methods run on (`this` in Page/Component code). */
export interface MethodCaller {
  data: Record<string, unknown>;
  setData(data: Record<string, unknown>, callback?: () => void): void;
  [key: string]: unknown;
}

/** j-component's virtual tree node, kept on each rendered exparser node as `_vt`. */
export interface VirtualTreeNode {
  tagName?: string;
  componentId?: string;
  attrs?: { name: string; value: unknown }[];
}

export interface EventOptions {
  bubbles?: boolean;
  composed?: boolean;
  capturePhase?: boolean;
  extraFields?: Record<string, unknown>;
}

export interface ExparserEvent {
  type: string;
  detail: unknown;
  /** set by exparser's dispatch before each listener runs: the marks collected from the target up */
  mark?: Record<string, unknown>;
}

/** What exparser calls a listener with (`this` is the current target's method caller). */
export type ExparserListener = (this: unknown, event: ExparserEvent, ...rest: unknown[]) => unknown;

/** Elements, components, shadow roots and virtual nodes (wx:if / wx:for / block / slot) are all Elements. */
export declare class Element {
  static getMethodCaller(node: Element): MethodCaller;
  static pretendAttached(node: Element): void;
  static pretendDetached(node: Element): void;
  static isAttached(node: Element): boolean;
  /** the registered component id (the tag's definition) */
  is: string;
  id: string;
  class: string;
  /** present on elements that can be selected (exparser's own `isSelectable`) */
  classList: unknown;
  dataset: Record<string, unknown>;
  /** `mark:name="…"` attributes of this node (exparser's setMark), null until one is set */
  __marks: Record<string, unknown> | null;
  setMark(name: string, value: unknown): void;
  parentNode: Element | null;
  childNodes: (Element | TextNode)[];
  /** a component's own template tree */
  shadowRoot?: ShadowRoot;
  /** the shadow tree this node was written in (its owner's template), null for a page root */
  ownerShadowRoot: ShadowRoot | null;
  /** the DOM element exparser renders this node into (none for virtual nodes) */
  $$: HTMLElement | undefined;
  /** wx:if / wx:for / block / slot: present in the tree, not rendered */
  __virtual?: boolean;
  /** <slot name> inside a template */
  __slotName?: string;
  __behavior?: { properties?: Record<string, unknown> };
  _vt?: VirtualTreeNode;
  triggerLifeTime(name: string, args?: unknown[]): void;
  triggerPageLifeTime(name: string, args: unknown[]): void;
}

export declare class ShadowRoot extends Element {
  __wxHost: Element;
  getHostNode(): Element;
}

export declare class Component extends Element {}
export declare class VirtualNode extends Element {}

export interface ExparserEvents {
  create(type: string, detail: unknown, options: EventOptions): ExparserEvent;
  dispatchEvent(target: Element, event: ExparserEvent): void;
}

/** require('miniprogram-exparser') */
export interface ExparserModule {
  Element: typeof Element;
  ShadowRoot: typeof ShadowRoot;
  Component: typeof Component;
  VirtualNode: typeof VirtualNode;
  TextNode: typeof TextNode;
  Event: ExparserEvents;
  addListenerToElement(node: Element, type: string, listener: ExparserListener, options?: Record<string, unknown>): unknown;
}

/** A Component()-style definition plus the compiled template and the tag -> component id map. */
export interface ComponentDefinition {
  /** fixed id, so a component can use itself before it is registered (lazy registration in exparser) */
  id?: string;
  tagName?: string;
  /** wcc's template function for this .wxml */
  template: unknown;
  usingComponents?: Record<string, string>;
  data?: Record<string, unknown>;
  methods?: Record<string, (this: MethodCaller, ...args: unknown[]) => unknown>;
  options?: Record<string, unknown>;
  properties?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface RootComponent {
  /** the DOM element of the root */
  dom: HTMLElement;
  _exparserNode: Element;
}

/** require('j-component') */
export interface JComponentModule {
  register(definition: ComponentDefinition): string;
  behavior(definition: Record<string, unknown>): string;
  create(id: string, properties?: Record<string, unknown>): RootComponent;
}
