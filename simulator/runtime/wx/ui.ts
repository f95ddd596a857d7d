// Interface APIs: toasts, loading, modals and action sheets, navigation and tab bars, pull-down refresh. What the
// user would see is recorded (__sim.ui()); modals and action sheets wait for an answer (native().confirmModal(),
// __sim.answerModal, __sim.answerActionSheet).
import { ApiFailure, fail } from '../errors';
import type { WxDefinitions } from './core';
import type { UiEvent } from '../simulation';

export function defineUi(d: WxDefinitions): void {
  const app = d.app;
  const sim = app.sim;
  const record = (type: string, options: unknown) => {
    // every recorded call is kept, also those (tab bar, share menu...) UiEvent's type does not list
    const event: UiEvent = { type: type as UiEvent['type'], options: JSON.parse(JSON.stringify(options ?? {}, (_k, v) => (typeof v === 'function' ? undefined : v))) as Record<string, unknown>, at: Date.now() };
    sim.ui.push(event);
    // a renderer with a screen draws it (browser mode, preview), on the page the call speaks of: the top of the stack
    sim.renderer.ui?.({ ...event, page: app.top() });
  };
  const recorded = 'recorded in __sim.ui()';
  const drawn = 'recorded in __sim.ui(); drawn on the phone in browser mode and the live preview';

  d.async('showToast', 'supported', (o) => void record('toast', o), drawn);
  d.async('hideToast', 'supported', (o) => void record('hideToast', o), drawn);
  d.async('showLoading', 'supported', (o) => void record('loading', o), drawn);
  d.async('hideLoading', 'supported', (o) => void record('hideLoading', o), drawn);
  d.async('showModal', 'supported', (o) => {
    record('modal', o);
    if (sim.modal) fail('another modal is showing');
    return new Promise((resolve) => {
      sim.modal = {
        options: { ...o, success: undefined, fail: undefined, complete: undefined },
        answer: (res) => {
          sim.renderer.ui?.({ type: 'hideModal', options: {} });
          resolve(res);
        },
      };
    });
  }, 'waits for native().confirmModal()/cancelModal() or __sim.answerModal(confirm); drawn on the phone in browser mode and the live preview, where a click answers it');
  d.async('showActionSheet', 'supported', (o) => {
    // WeChat's own checks, before anything shows
    const itemList: unknown = o.itemList;
    if (!Array.isArray(itemList)) fail(`parameter error: parameter.itemList should be Array instead of ${typeName(itemList)};`);
    if (itemList.length > 6) fail('parameter error: itemList should not be large than 6');
    // refused before it is recorded, so the phone keeps drawing the sheet that waits for the answer
    if (sim.actionSheet) fail('another action sheet is showing');
    record('actionSheet', o);
    return new Promise((resolve, reject) => {
      sim.actionSheet = {
        options: { ...o, success: undefined, fail: undefined, complete: undefined },
        answer: (tapIndex) => {
          sim.renderer.ui?.({ type: 'hideActionSheet', options: {} });
          if (tapIndex === null) reject(new ApiFailure('cancel'));
          else resolve({ tapIndex });
        },
      };
    });
  }, 'waits for __sim.answerActionSheet(tapIndex) (null: 取消, which fails "cancel"); drawn on the phone in browser mode and the live preview, where a click on an item or 取消 answers it');

  // ---- navigation bar ----------------------------------------------------------------------------------
  d.async('setNavigationBarTitle', 'supported', (o) => void record('navigationBarTitle', o), drawn);
  d.async('setNavigationBarColor', 'supported', (o) => void record('navigationBarColor', o), drawn);
  for (const name of ['showNavigationBarLoading', 'hideNavigationBarLoading']) d.async(name, 'supported', (o) => void record(name, o), drawn);
  for (const name of ['hideHomeButton', 'setBackgroundColor', 'setBackgroundTextStyle', 'setTopBarText']) {
    d.async(name, 'supported', (o) => void record(name, o), recorded);
  }

  // ---- tab bar: only while a tab page is on top, as WeChat -------------------------------------------
  const onTabPage = () => {
    const top = app.top();
    if (!top || !sim.project.tabPages.includes(top.route)) fail('not TabBar page');
  };
  for (const name of ['setTabBarBadge', 'removeTabBarBadge', 'showTabBarRedDot', 'hideTabBarRedDot', 'setTabBarStyle', 'setTabBarItem', 'showTabBar', 'hideTabBar']) {
    d.async(name, 'supported', (o) => {
      onTabPage();
      record(name, o);
      return {};
    }, `${recorded}; fails "not TabBar page" elsewhere`);
  }

  // ---- share menu, pull-down, keyboard, fonts ------------------------------------------------------------
  for (const name of ['showShareMenu', 'hideShareMenu', 'updateShareMenu']) d.async(name, 'supported', (o) => void record(name, o), recorded);
  d.async('startPullDownRefresh', 'supported', () => {
    const top = app.top();
    if (top) setImmediate(() => app.alive && top.alive && app.hook(top.caller, 'onPullDownRefresh'));
    return {};
  }, 'calls the page\'s onPullDownRefresh');
  d.async('stopPullDownRefresh', 'supported', () => ({}));
  d.async('hideKeyboard', 'supported', () => ({}));
  d.async('loadFontFace', 'stubbed', () => ({}), 'accepted; no fonts are loaded headless');
  d.async('loadBuiltInFontFace', 'stubbed', () => ({}), 'accepted; no fonts are loaded headless');
  d.async('enableAlertBeforeUnload', 'stubbed', () => ({}), 'accepted; navigateBack does not ask');
  d.async('disableAlertBeforeUnload', 'supported', () => ({}));
  d.async('setEnableDebug', 'stubbed', () => ({}), 'vConsole does not exist headless');
}

/** WeChat's parameter errors name the type as Object.prototype.toString does: Undefined, Null, String, Object... */
function typeName(v: unknown): string {
  return Object.prototype.toString.call(v).slice(8, -1);
}
