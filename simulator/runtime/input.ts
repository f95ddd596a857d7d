// A finger on the screen: exparser events through the real bindings, taps inside WeChat's user-gesture window (the
// only time navigateToMiniProgram may run), and what a tapped <navigator> does.
import type { Element as ExElement } from './exparser';
import { exparser } from './dom-env';
import { attributesOf, composedParent, tagOf } from './tree';
import type { AppInstance } from './app-instance';

export interface DispatchOptions {
  bubbles?: boolean;
  composed?: boolean;
  touches?: unknown[];
  changedTouches?: unknown[];
}

type Settled = { errMsg: string };

const NAVIGATOR_METHODS: Record<string, string> = {
  navigate: 'navigateTo',
  redirect: 'redirectTo',
  switchTab: 'switchTab',
  reLaunch: 'reLaunch',
  navigateBack: 'navigateBack',
  exit: 'exitMiniProgram',
};

export class Input {
  /** > 0 only while a tap event is being dispatched synchronously: WeChat's user-gesture window */
  private tapDepth = 0;

  constructor(private readonly app: AppInstance) {}

  inUserTap(): boolean {
    return this.tapDepth > 0;
  }

  dispatch(node: ExElement, type: string, detail: unknown, extra: DispatchOptions = {}): void {
    const ex = exparser();
    const event = ex.Event.create(type, detail ?? {}, {
      bubbles: extra.bubbles ?? true,
      composed: extra.composed ?? true,
      extraFields: { touches: extra.touches ?? [], changedTouches: extra.changedTouches ?? [] },
    });
    try {
      ex.Event.dispatchEvent(node, event);
    } catch (err) {
      this.app.sim.reportException(err, `${type} handler`, this.app);
    }
  }

  /** A user tap: touchstart, touchend, tap — the tap inside WeChat's user-gesture window — then navigators act. */
  tap(node: ExElement, touch = { x: 0, y: 0 }): void {
    const touches = [{ identifier: 0, pageX: touch.x, pageY: touch.y, clientX: touch.x, clientY: touch.y }];
    this.dispatch(node, 'touchstart', {}, { touches, changedTouches: touches });
    this.dispatch(node, 'touchend', {}, { touches: [], changedTouches: touches });
    this.userTap(() => this.dispatch(node, 'tap', { x: touch.x, y: touch.y }, { touches: [], changedTouches: touches }));
    this.activateNavigator(node);
  }

  userTap(fn: () => void): void {
    this.tapDepth++;
    try {
      fn();
    } finally {
      this.tapDepth--;
    }
  }

  private activateNavigator(node: ExElement): void {
    let nav: ExElement | undefined;
    for (let n: ExElement | undefined = node; n; n = composedParent(n)) {
      if (tagOf(n) === 'navigator' && !n.__virtual) {
        nav = n;
        break;
      }
    }
    if (!nav || !nav._vt) return;
    const target = nav;
    const attrs = attributesOf(target);
    const fire = (type: 'success' | 'fail' | 'complete', detail: Settled) =>
      this.dispatch(target, type, detail, { bubbles: false, composed: false });
    const report = (outcome: unknown) => {
      if (!outcome || typeof (outcome as Promise<Settled>).then !== 'function') return;
      (outcome as Promise<Settled>).then(
        (res) => {
          fire('success', res);
          fire('complete', res);
        },
        (res: Settled) => {
          fire('fail', res);
          fire('complete', res);
        },
      );
    };
    const { wx } = this.app;
    if (attrs.target === 'miniProgram') {
      this.userTap(() =>
        report(wx.navigateToMiniProgram({
          appId: attrs['app-id'],
          path: attrs.path,
          extraData: attrs['extra-data'],
          envVersion: attrs.version,
        })));
      return;
    }
    const method = NAVIGATOR_METHODS[String(attrs['open-type'] || 'navigate')];
    if (!method) return;
    report(wx[method](method === 'navigateBack' ? { delta: Number(attrs.delta) || 1 } : { url: attrs.url }));
  }
}
