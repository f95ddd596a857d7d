// Device, window, app and launch information, canIUse, the theme and its change events, small base APIs
// (nextTick, idle callbacks, base64, performance, log managers, the update manager).
import type { Simulation } from '../simulation';
import { SDK_VERSION } from '../types';
import { windowConfigOf } from '../project';
import { capsuleRect, windowSizeOf } from '../window';
import { CATALOG, availableIn, wxEntry } from './catalog';
import { clone, emit, type WxDefinitions, type WxHost } from './core';
import { deviceOf, parseTheme, type Theme } from './device';

/** The base library the project asks for (project.config.json libVersion), else the simulator's. */
export function sdkVersionOf(sim: Simulation): string {
  const v = (sim.project as { libVersion?: string }).libVersion;
  return typeof v === 'string' && /^\d+\.\d+\.\d+$/.test(v) ? v : SDK_VERSION;
}

/** The window the top page gets (runtime/window.ts). */
function windowSize(app: WxHost): { windowWidth: number; windowHeight: number } {
  return windowSizeOf(app.sim.project, app.top(), app.sim.device);
}

export function windowInfo(app: WxHost) {
  const { width, height, pixelRatio, statusBarHeight, safeBottom } = app.sim.device;
  return {
    pixelRatio,
    screenWidth: width,
    screenHeight: height,
    ...windowSize(app),
    statusBarHeight,
    safeArea: { top: statusBarHeight, left: 0, right: width, bottom: height - safeBottom, width, height: height - statusBarHeight - safeBottom },
    screenTop: 0,
  };
}

function deviceInfo(sim: Simulation) {
  return { abi: 'arm64', deviceAbi: 'arm64-v8a', benchmarkLevel: 1, brand: 'devtools', model: sim.device.model, system: 'iOS 15.0', platform: 'devtools', cpuType: 'unknown', memorySize: '4096' };
}

function appBaseInfo(sim: Simulation) {
  return { SDKVersion: sdkVersionOf(sim), enableDebug: false, host: { env: 'WeChat', appId: '' }, language: 'zh_CN', version: '8.0.5', theme: deviceOf(sim).theme, fontSizeSetting: 16, fontSizeScaleFactor: 1 };
}

function systemSetting() {
  return { bluetoothEnabled: false, locationEnabled: true, wifiEnabled: true, deviceOrientation: 'portrait' };
}

function appAuthorizeSetting() {
  const yes = 'authorized';
  return { albumAuthorized: yes, bluetoothAuthorized: yes, cameraAuthorized: yes, locationAuthorized: yes, locationReducedAccuracy: false, microphoneAuthorized: yes, notificationAuthorized: yes, notificationAlertAuthorized: yes, notificationBadgeAuthorized: yes, notificationSoundAuthorized: yes, phoneCalendarAuthorized: yes };
}

export function systemInfo(app: WxHost) {
  return { ...deviceInfo(app.sim), ...windowInfo(app), ...appBaseInfo(app.sim), ...systemSetting(), ...appAuthorizeSetting(), fontSizeSetting: 16, wifiEnabled: true };
}

const BUILTIN_COMPONENTS = new Set(('view scroll-view swiper swiper-item movable-area movable-view cover-view cover-image icon text rich-text progress button checkbox checkbox-group editor form input label picker picker-view picker-view-column radio radio-group slider switch textarea navigator functional-page-navigator audio camera image video live-player live-pusher map canvas open-data web-view ad official-account page-meta navigation-bar match-media page-container share-element grid-view list-view sticky-header sticky-section root-portal channel-live channel-video voip-room keyboard-accessory').split(' '));

/** canIUse: `${api}[.object|.return|.success...]` from the API table and the project's base library, builtin components by name. */
export function canIUse(sim: Simulation, schema: unknown): boolean {
  if (typeof schema !== 'string' || !schema) return false;
  const head = schema.split('.')[0];
  if (wxEntry(head)) return availableIn(head, sdkVersionOf(sim));
  return BUILTIN_COMPONENTS.has(head);
}

/** Fires App.onThemeChange, wx.onThemeChange listeners and every open page's onThemeChange. */
export function setTheme(sim: Simulation, theme: unknown): { theme: Theme } {
  const next = parseTheme(theme, '__sim.setTheme(theme)');
  const device = deviceOf(sim);
  if (device.theme === next) return { theme: next };
  device.theme = next;
  // the screen (browser mode, preview) paints in the new theme
  sim.renderer.setTheme?.(next);
  const app = sim.app;
  if (app?.alive) {
    // window settings written as @variables follow the theme; the screen shows the top page again with them
    for (const page of app.livePages()) page.windowConfig = windowConfigOf(sim.project, page.route, next);
    if (app.visible) app.router.syncScreen(true);
    app.hook(app.appDef, 'onThemeChange', [{ theme: next }]);
    emit(app, 'themeChange', { theme: next });
    for (const page of app.livePages()) if (page.alive) app.hook(page.caller, 'onThemeChange', [{ theme: next }]);
  }
  return { theme: next };
}

function toBase64(buffer: unknown): string {
  if (buffer instanceof ArrayBuffer) return Buffer.from(buffer).toString('base64');
  if (ArrayBuffer.isView(buffer)) return Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength).toString('base64');
  throw new TypeError('arrayBufferToBase64 expects an ArrayBuffer');
}

function fromBase64(text: unknown): ArrayBuffer {
  const buf = Buffer.from(String(text), 'base64');
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}

/** setTimeout owned by the app: cancelled with it on a cold restart, errors reported as the app's. */
export function appTimeout(app: WxHost, fn: () => void, ms: number, where: string): NodeJS.Timeout {
  const t = setTimeout(() => {
    app.timers.delete(t);
    if (app.alive) app.guard(fn, where);
  }, ms);
  app.timers.add(t);
  return t;
}

export function defineSystem(d: WxDefinitions): void {
  const app = d.app;
  const sim = app.sim;

  d.sync('getSystemInfoSync', 'supported', () => systemInfo(app), 'an iPhone 6/7/8 (375 x 667, runtime/window.ts); windowHeight follows the top page\'s navigation bar and tab bar; theme follows __sim.setTheme');
  d.async('getSystemInfo', 'supported', () => systemInfo(app));
  d.async('getSystemInfoAsync', 'supported', () => systemInfo(app));
  d.sync('getWindowInfo', 'supported', () => windowInfo(app));
  d.sync('getDeviceInfo', 'supported', () => deviceInfo(d.app.sim));
  d.sync('getAppBaseInfo', 'supported', () => appBaseInfo(sim));
  d.sync('getSystemSetting', 'supported', () => systemSetting());
  d.sync('getAppAuthorizeSetting', 'supported', () => appAuthorizeSetting(), 'WeChat itself holds every system permission');
  d.sync('getSkylineInfoSync', 'supported', () => ({ isSupported: false, reason: 'the simulator renders with WebView only' }));
  d.async('getSkylineInfo', 'supported', () => ({ isSupported: false, reason: 'the simulator renders with WebView only' }));
  d.async('getRendererUserAgent', 'supported', () => ({ userAgent: `Mozilla/5.0 (iPhone; CPU iPhone OS 15_0 like Mac OS X) miniProgram wechatdevtools simulator` }));
  d.sync('getMenuButtonBoundingClientRect', 'supported', () => capsuleRect(d.app.sim.device));
  d.sync('getBatteryInfoSync', 'supported', () => ({ level: 100, isCharging: true, isLowPowerMode: false }));
  d.async('getBatteryInfo', 'supported', () => ({ level: 100, isCharging: true, isLowPowerMode: false }));
  d.async('getScreenBrightness', 'supported', () => ({ value: deviceOf(sim).screenBrightness }));
  d.async('setScreenBrightness', 'supported', (o) => {
    deviceOf(sim).screenBrightness = Math.min(1, Math.max(0, Number(o.value)));
    return {};
  });
  d.async('setKeepScreenOn', 'supported', (o) => {
    deviceOf(sim).keepScreenOn = !!o.keepScreenOn;
    return {};
  });
  d.async('getScreenRecordingState', 'supported', () => ({ state: 'off' }));
  d.async('setVisualEffectOnCapture', 'stubbed', () => ({}), 'nothing captures the simulator\'s screen');

  d.sync('canIUse', 'supported', (schema: unknown) => canIUse(sim, schema), `from the API table (${Object.keys(CATALOG.functions).length} functions of miniprogram-api-typings ${CATALOG.typingsVersion}) and the project's libVersion`);
  d.sync('nextTick', 'supported', (fn: () => void) => void Promise.resolve().then(() => app.alive && app.guard(fn, 'nextTick')));
  const idle = new Map<number, NodeJS.Timeout>();
  let idleSeq = 0;
  d.sync('requestIdleCallback', 'supported', (fn: (deadline: unknown) => void, opts?: { timeout?: number }) => {
    const id = ++idleSeq;
    const start = Date.now();
    idle.set(id, appTimeout(app, () => {
      idle.delete(id);
      fn({ didTimeout: false, timeRemaining: () => Math.max(0, 50 - (Date.now() - start)) });
    }, Math.min(1, Number(opts?.timeout) || 1), 'requestIdleCallback'));
    return id;
  });
  d.sync('cancelIdleCallback', 'supported', (id: number) => {
    const t = idle.get(id);
    if (t) clearTimeout(t);
    idle.delete(id);
  });
  d.sync('arrayBufferToBase64', 'supported', toBase64);
  d.sync('base64ToArrayBuffer', 'supported', fromBase64);
  d.async('getRandomValues', 'supported', (o) => ({ randomValues: fromBase64(require('node:crypto').randomBytes(Number(o.length) || 0).toString('base64')) }));

  // ---- launch and account ---------------------------------------------------------------------------
  d.sync('getLaunchOptionsSync', 'supported', () => clone(app.launchOptions));
  d.sync('getEnterOptionsSync', 'supported', () => clone(app.enterOptions));
  d.sync('getApiCategory', 'supported', () => app.enterOptions?.apiCategory ?? 'default');
  d.sync('getAccountInfoSync', 'supported', () => ({ miniProgram: { appId: sim.project.appId, envVersion: 'develop', version: '' } }));
  d.sync('getExptInfoSync', 'supported', () => ({}), 'no experiment is running: an empty object, as WeChat answers outside experiments');
  d.sync('getExtConfigSync', 'supported', () => clone(sim.project.extConfig ?? {}), 'ext.json\'s extJson when the project has one');
  d.async('getExtConfig', 'supported', () => ({ extConfig: clone(sim.project.extConfig ?? {}) }));
  d.value('env', 'supported', { USER_DATA_PATH: 'http://usr' });

  // ---- theme -------------------------------------------------------------------------------------------
  d.listener('onThemeChange', 'supported', 'fires on __sim.setTheme / Sim.setTheme, with App.onThemeChange and page onThemeChange');

  // ---- app lifecycle events ---------------------------------------------------------------------------
  d.listener('onAppShow', 'supported');
  d.listener('onAppHide', 'supported');
  d.listener('onError', 'supported', 'errors thrown by app code, as App.onError');
  d.listener('onUnhandledRejection', 'supported');
  d.listener('onPageNotFound', 'supported');
  d.listener('onNetworkStatusChange', 'supported', 'fires on __sim.setNetwork');

  // ---- logs and reporting ---------------------------------------------------------------------------
  const appConsole = sim.makeConsole();
  const logTo = (type: string) => (...args: unknown[]) => appConsole[type]?.(...args);
  const logManager = () => ({ debug: logTo('debug'), info: logTo('info'), log: logTo('log'), warn: logTo('warn') });
  const realtimeLogManager = () => ({
    info: logTo('info'), warn: logTo('warn'), error: logTo('error'), setFilterMsg: () => undefined, addFilterMsg: () => undefined,
    in: () => undefined, getCurrentState: () => null, tag: () => ({ info: logTo('info'), warn: logTo('warn'), error: logTo('error'), setFilterMsg: () => undefined, addFilterMsg: () => undefined }),
  });
  d.sync('getLogManager', 'supported', logManager, 'writes to the app\'s console (console events, --verbose)');
  d.sync('getRealtimeLogManager', 'supported', realtimeLogManager, 'writes to the app\'s console (console events, --verbose)');
  for (const name of ['reportAnalytics', 'reportEvent', 'reportMonitor', 'reportPerformance']) {
    d.sync(name, 'stubbed', () => undefined, 'accepted; nothing is sent to WeChat\'s statistics');
  }
  d.sync('getPerformance', 'supported', () => {
    const entries: unknown[] = [];
    return {
      now: () => performance.now() * 1000,
      getEntries: () => entries.slice(),
      getEntriesByName: () => [],
      getEntriesByType: () => [],
      setBufferSize: () => undefined,
      createObserver: () => ({ observe: () => undefined, disconnect: () => undefined }),
    };
  }, 'now() in µs; no navigation/render entries are recorded');
}
