// What `this` has in a Page or Component besides data and setData (which the component framework gives): queries
// and observers over the simulator's tree, animate/clearAnimation, the event channel to the page that opened this
// one, and the smaller instance methods WeChat's base library adds.
import type { WxHost } from './core';
import type { Element as ExElement, MethodCaller } from '../exparser';
import { createIntersectionObserver, createSelectorQuery } from './query';
import { appTimeout, windowInfo } from './system';

type Handler = (...args: unknown[]) => void;

/** One end of a page-to-page event channel: emit() reaches the listeners of the other end. */
export class EventChannel {
  peer: EventChannel | undefined;
  private readonly listeners = new Map<string, { fn: Handler; once: boolean }[]>();

  constructor(private readonly app: WxHost) {}

  on(name: string, fn: Handler): void {
    if (typeof fn === 'function') this.listeners.set(name, [...(this.listeners.get(name) ?? []), { fn, once: false }]);
  }

  once(name: string, fn: Handler): void {
    if (typeof fn === 'function') this.listeners.set(name, [...(this.listeners.get(name) ?? []), { fn, once: true }]);
  }

  off(name: string, fn?: Handler): void {
    if (!fn) this.listeners.delete(name);
    else this.listeners.set(name, (this.listeners.get(name) ?? []).filter((l) => l.fn !== fn));
  }

  /** what callWxMethod('navigateTo') answers for it: nothing to serialize */
  toJSON(): Record<string, never> {
    return {};
  }

  emit(name: string, ...args: unknown[]): void {
    this.peer?.receive(name, args);
  }

  private receive(name: string, args: unknown[]) {
    const list = this.listeners.get(name) ?? [];
    this.listeners.set(name, list.filter((l) => !l.once));
    for (const l of list) this.app.guard(() => l.fn(...args), `EventChannel "${name}" listener`);
  }
}

/** The ends of a navigateTo's channel: the opener's (with its `events` listeners) and the opened page's. */
export function channelPair(app: WxHost, events: Record<string, unknown> | undefined): [EventChannel, EventChannel] {
  const opener = new EventChannel(app);
  const opened = new EventChannel(app);
  opener.peer = opened;
  opened.peer = opener;
  for (const [name, fn] of Object.entries(events ?? {})) if (typeof fn === 'function') opener.on(name, fn as Handler);
  return [opener, opened];
}

const openerChannels = new WeakMap<object, EventChannel>();
const pendingChannels = new WeakMap<WxHost, EventChannel>();

/** The channel the page opened next (by the navigateTo in progress) gets. */
export function expectOpenedPage(app: WxHost, channel: EventChannel | undefined): void {
  if (channel) pendingChannels.set(app, channel);
  else pendingChannels.delete(app);
}

/** Ties the pending channel to the page now on top (after a navigateTo opened it). */
export function settleOpenedPage(app: WxHost): void {
  const pending = pendingChannels.get(app);
  const top = app.top();
  if (pending && top && !openerChannels.has(top.caller)) openerChannels.set(top.caller, pending);
  pendingChannels.delete(app);
}

/** What every page and component instance gets as `this.<method>`. */
export function instanceApi(app: WxHost): Record<string, (this: MethodCaller, ...args: never[]) => unknown> {
  return {
    createSelectorQuery(this: MethodCaller) {
      return createSelectorQuery(app, this._exparserNode as ExElement | undefined);
    },
    createIntersectionObserver(this: MethodCaller, options?: Record<string, unknown>) {
      return createIntersectionObserver(app, this, options);
    },
    /** media queries against the simulated window: answered once, the window never resizes */
    createMediaQueryObserver(this: MethodCaller) {
      let done = false;
      return {
        observe: (descriptor: Record<string, number | string>, cb: (res: { matches: boolean }) => void) => {
          const { windowWidth, windowHeight } = windowInfo(app);
          const d = descriptor ?? {};
          const matches = (d.minWidth === undefined || windowWidth >= Number(d.minWidth)) && (d.maxWidth === undefined || windowWidth <= Number(d.maxWidth))
            && (d.width === undefined || windowWidth === Number(d.width)) && (d.minHeight === undefined || windowHeight >= Number(d.minHeight))
            && (d.maxHeight === undefined || windowHeight <= Number(d.maxHeight)) && (d.height === undefined || windowHeight === Number(d.height))
            && (d.orientation === undefined || d.orientation === 'portrait');
          appTimeout(app, () => !done && cb({ matches }), 0, 'MediaQueryObserver');
        },
        disconnect: () => {
          done = true;
        },
      };
    },
    /** keyframe animations run in the view; headless, they finish at once after their duration */
    animate(this: MethodCaller, _selector: string, _keyframes: unknown[], duration: number, callback?: () => void) {
      if (typeof callback === 'function') appTimeout(app, callback, Math.max(0, Number(duration) || 0), 'animate callback');
    },
    clearAnimation(this: MethodCaller, _selector: string, options?: unknown, callback?: () => void) {
      const cb = typeof options === 'function' ? options : callback;
      if (typeof cb === 'function') appTimeout(app, cb as () => void, 0, 'clearAnimation callback');
    },
    applyAnimatedStyle() {},
    clearAnimatedStyle(this: MethodCaller, _selector: string, _styles: unknown, callback?: () => void) {
      if (typeof callback === 'function') appTimeout(app, callback, 0, 'clearAnimatedStyle callback');
    },
    getOpenerEventChannel(this: MethodCaller) {
      let channel = openerChannels.get(this) ?? pendingChannels.get(app);
      if (!channel) channel = new EventChannel(app); // not opened by navigateTo: a channel with nobody on the other end
      openerChannels.set(this, channel);
      return channel;
    },
    getPageId(this: MethodCaller) {
      return `pageId:${this.__simPageId ?? app.top()?.id ?? 0}`;
    },
    groupSetData(this: MethodCaller, fn: () => void) {
      if (typeof fn === 'function') fn.call(this);
    },
    getTabBar() {
      return null;
    },
    getAppBar() {
      return null;
    },
    setUpdatePerformanceListener() {},
    setInitialRenderingCache() {},
    getPassiveEvent(this: MethodCaller, cb?: (v: unknown) => void) {
      if (typeof cb === 'function') cb({});
    },
    setPassiveEvent() {},
  };
}
