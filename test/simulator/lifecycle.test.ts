// Lifecycles in WeChat's order, routing with query strings, the user-tap rule of navigateToMiniProgram and the
// trip through another mini program, and the Sim domain (hide/show, cold restart, offline).
import automator from 'miniprogram-automator';
import type MiniProgram from 'miniprogram-automator/out/MiniProgram';
import { openSession, relaunch, textOf, waitFor, events, clearEvents, send, INDEX, type Session, SESSION_TIMEOUT_MS } from './helpers';

declare const __sim: {
  appHide(): unknown;
  appShow(o: object): unknown;
  restart(o: object): Promise<unknown>;
  setNetwork(o: object): unknown;
  idle(): Promise<void>;
};
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the app's wx, reached through evaluate
declare const wx: any;
declare const getApp: () => { globalData: { launches: number } };
declare const getCurrentPages: () => { route: string }[];

let session: Session;
beforeAll(async () => {
  session = await openSession();
}, SESSION_TIMEOUT_MS);
afterAll(() => session.close());

describe('lifecycles and routing', () => {
  it('launches in WeChat order: app, components attached, page load/show, components ready, page ready', async () => {
    const log = await events(session.miniProgram);
    expect(log.slice(0, 9)).toEqual([
      'app.onLaunch {"scene":1001,"path":"pages/index/index","query":{}}',
      'app.onShow {"scene":1001,"path":"pages/index/index","referrerInfo":{}}',
      'wx.onAppShow {"scene":1001,"referrerInfo":{}}',
      'card.attached',
      'index.onLoad {}',
      'index.onShow',
      'card.pageShow',
      'card.ready',
      'index.onReady',
    ]);
  });

  it('navigateTo with a query, navigateBack, redirectTo, reLaunch', async () => {
    const mp = session.miniProgram;
    await relaunch(mp);
    await clearEvents(mp);
    await mp.callWxMethod('navigateTo', { url: '../detail/detail?from=test&n=5' });
    const detail = await mp.currentPage();
    expect(detail!.path).toBe('pages/detail/detail');
    expect(detail!.query).toEqual({ from: 'test', n: '5' });
    expect(await textOf(detail!, '#from')).toBe('test');
    expect((await mp.pageStack()).map((p: { path: string }) => p.path)).toEqual([INDEX, 'pages/detail/detail']);
    await (await detail!.$('#back'))!.tap();
    await waitFor(async () => (await mp.currentPage())!.path, (p) => p === INDEX, 'navigateBack');
    expect(await events(mp)).toEqual([
      'index.onHide', 'card.pageHide', 'detail.onLoad {"from":"test","n":"5"}', 'detail.onShow', 'detail.onReady',
      'detail.onUnload', 'index.onShow', 'card.pageShow',
    ]);
    await mp.callWxMethod('navigateTo', { url: '/pages/detail/detail' });
    await clearEvents(mp);
    await mp.callWxMethod('redirectTo', { url: '/pages/detail/detail?from=redirect' });
    expect((await mp.pageStack()).length).toBe(2);
    expect(await events(mp)).toEqual(['detail.onUnload', 'detail.onLoad {"from":"redirect"}', 'detail.onShow', 'detail.onReady']);
    await mp.callWxMethod('switchTab', { url: '/pages/tab/tab' });
    expect((await mp.pageStack()).map((p: { path: string }) => p.path)).toEqual(['pages/tab/tab']);
  });

  it('routing failures carry WeChat errMsgs', async () => {
    const mp = session.miniProgram;
    await relaunch(mp);
    await expect(mp.callWxMethod('navigateTo', { url: '/pages/nope/nope' })).rejects.toThrow('navigateTo:fail page "pages/nope/nope" is not found');
    await expect(mp.callWxMethod('navigateTo', { url: '/pages/tab/tab' })).rejects.toThrow('navigateTo:fail can not navigateTo a tabbar page');
    await expect(mp.callWxMethod('switchTab', { url: '/pages/detail/detail' })).rejects.toThrow('switchTab:fail can not switch to no-tabBar page');
    await expect(mp.callWxMethod('navigateBack')).rejects.toThrow('navigateBack:fail cannot navigate back at first page.');
    await expect(mp.callWxMethod('noSuchApi', {})).rejects.toThrow('wx.noSuchApi is not a function (miniprogram-api-typings declares no such API)');
  });

  it('a <navigator url> tap opens the page', async () => {
    const mp = session.miniProgram;
    const page = await relaunch(mp);
    await (await page.$('#nav-detail'))!.tap();
    const detail = await waitFor(() => mp.currentPage(), (p) => p?.path === 'pages/detail/detail', 'the detail page');
    expect(detail!.query).toEqual({ from: 'index', n: '2' });
  });
});

describe('tab pages stay alive, as in WeChat', () => {
  const TAB = 'pages/tab/tab';
  const DETAIL = 'pages/detail/detail';
  const idOf = (page: unknown) => (page as { id: number }).id;
  const stackOf = async (mp: MiniProgram) => (await mp.pageStack()).map((p: { path: string }) => p.path);
  const currentPages = (mp: MiniProgram) => mp.evaluate(() => getCurrentPages().map((p) => p.route));

  it('switchTab A -> B -> A -> B: each tab loads once, hides and shows again with its data; the stack holds only the tab', async () => {
    const mp = session.miniProgram;
    const index = await relaunch(mp);
    await index.setData({ title: 'kept' });
    await clearEvents(mp);
    await mp.callWxMethod('switchTab', { url: '/pages/tab/tab' });
    const tab = (await mp.currentPage())!;
    expect(tab.path).toBe(TAB);
    expect(await stackOf(mp)).toEqual([TAB]);
    expect(await currentPages(mp)).toEqual([TAB]);
    await mp.callWxMethod('switchTab', { url: `/${INDEX}` });
    const indexAgain = (await mp.currentPage())!;
    expect(idOf(indexAgain)).toBe(idOf(index));
    expect(await textOf(indexAgain, '#title')).toBe('kept');
    expect(await stackOf(mp)).toEqual([INDEX]);
    // the hidden tab's automator handle still reads it
    expect(await tab.data('shows')).toBe(1);
    await mp.callWxMethod('switchTab', { url: '/pages/tab/tab' });
    const tabAgain = (await mp.currentPage())!;
    expect(idOf(tabAgain)).toBe(idOf(tab));
    expect(await textOf(tabAgain, '#shows')).toBe('2');
    // the tab alone on screen: switching to it again does nothing
    await mp.callWxMethod('switchTab', { url: '/pages/tab/tab' });
    expect(await events(mp)).toEqual([
      'index.onHide', 'card.pageHide', 'tab.onLoad {}', 'tab.onShow', 'tab.onReady',
      'tab.onHide', 'index.onShow', 'card.pageShow',
      'index.onHide', 'card.pageHide', 'tab.onShow',
    ]);
  });

  it('switchTab closes the pages above the tab (top first), not the tab left hidden under them', async () => {
    const mp = session.miniProgram;
    const index = await relaunch(mp);
    await mp.callWxMethod('navigateTo', { url: '/pages/detail/detail?n=1' });
    await mp.callWxMethod('navigateTo', { url: '/pages/detail/detail?n=2' });
    await clearEvents(mp);
    await mp.callWxMethod('switchTab', { url: '/pages/tab/tab' });
    expect(await stackOf(mp)).toEqual([TAB]);
    expect(await events(mp)).toEqual(['detail.onUnload', 'detail.onUnload', 'tab.onLoad {}', 'tab.onShow', 'tab.onReady']);
    await mp.callWxMethod('switchTab', { url: `/${INDEX}` });
    await mp.callWxMethod('navigateTo', { url: '/pages/detail/detail' });
    await clearEvents(mp);
    await mp.callWxMethod('switchTab', { url: `/${INDEX}` });
    expect(await events(mp)).toEqual(['detail.onUnload', 'index.onShow', 'card.pageShow']);
    expect(idOf(await mp.currentPage())).toBe(idOf(index));
    expect(await currentPages(mp)).toEqual([INDEX]);
  });

  it('reLaunch unloads every page, the tabs kept off the stack too; the tabs load anew afterwards', async () => {
    const mp = session.miniProgram;
    await relaunch(mp);
    await mp.callWxMethod('switchTab', { url: '/pages/tab/tab' });
    await mp.callWxMethod('switchTab', { url: `/${INDEX}` });
    await mp.callWxMethod('navigateTo', { url: '/pages/detail/detail' });
    await clearEvents(mp);
    await mp.callWxMethod('reLaunch', { url: '/pages/detail/detail?from=relaunch' });
    expect(await events(mp)).toEqual([
      'detail.onUnload', 'index.onUnload', 'card.detached', 'tab.onUnload',
      'detail.onLoad {"from":"relaunch"}', 'detail.onShow', 'detail.onReady',
    ]);
    expect(await stackOf(mp)).toEqual([DETAIL]);
    await clearEvents(mp);
    await mp.callWxMethod('switchTab', { url: '/pages/tab/tab' });
    expect(await events(mp)).toEqual(['detail.onUnload', 'tab.onLoad {}', 'tab.onShow', 'tab.onReady']);
    expect(await textOf((await mp.currentPage())!, '#shows')).toBe('1');
  });

  it('redirectTo from a tab closes that tab only; another kept tab shows again without loading', async () => {
    const mp = session.miniProgram;
    await relaunch(mp);
    await mp.callWxMethod('switchTab', { url: '/pages/tab/tab' });
    await clearEvents(mp);
    await mp.callWxMethod('redirectTo', { url: '/pages/detail/detail' });
    await mp.callWxMethod('switchTab', { url: `/${INDEX}` });
    expect(await events(mp)).toEqual([
      'tab.onUnload', 'detail.onLoad {}', 'detail.onShow', 'detail.onReady',
      'detail.onUnload', 'index.onShow', 'card.pageShow',
    ]);
  });

  it('navigateBack onto a tab shows the kept instance with its data', async () => {
    const mp = session.miniProgram;
    await relaunch(mp);
    await mp.callWxMethod('switchTab', { url: '/pages/tab/tab' });
    const tab = (await mp.currentPage())!;
    await mp.callWxMethod('switchTab', { url: `/${INDEX}` });
    await mp.callWxMethod('switchTab', { url: '/pages/tab/tab' });
    await mp.callWxMethod('navigateTo', { url: '/pages/detail/detail' });
    expect(await stackOf(mp)).toEqual([TAB, DETAIL]);
    await clearEvents(mp);
    await mp.callWxMethod('navigateBack');
    expect(await events(mp)).toEqual(['detail.onUnload', 'tab.onShow']);
    const back = (await mp.currentPage())!;
    expect(idOf(back)).toBe(idOf(tab));
    expect(await textOf(back, '#shows')).toBe('3');
    expect(await stackOf(mp)).toEqual([TAB]);
  });
});

describe('navigateToMiniProgram', () => {
  it('in the tap handler: success, then onHide, the handler, onShow with scene 1038 and referrerInfo', async () => {
    const mp = session.miniProgram;
    const page = await relaunch(mp);
    await clearEvents(mp);
    session.jumps.length = 0;
    await (await page.$('#pay-sync'))!.tap();
    await mp.evaluate(() => __sim.idle());
    expect(await textOf(page, '#jump')).toBe('navigateToMiniProgram:ok');
    expect(await textOf(page, '#returned')).toBe('{"paid":true,"amount":100}');
    expect(session.jumps).toEqual([{ appId: 'wxprovider', path: 'pages/pay/pay', extraData: { amount: 100 } }]);
    const referrer = '{"appId":"wxprovider","extraData":{"paid":true,"amount":100}}';
    expect(await events(mp)).toEqual([
      'app.onHide', 'index.onHide', 'card.pageHide', 'wx.onAppHide',
      `app.onShow {"scene":1038,"path":"pages/index/index","referrerInfo":${referrer}}`,
      `wx.onAppShow {"scene":1038,"referrerInfo":${referrer}}`,
      'index.onShow', 'card.pageShow',
    ]);
    expect(await mp.callWxMethod('getEnterOptionsSync')).toMatchObject({ scene: 1038, referrerInfo: { appId: 'wxprovider' } });
  });

  it('after setTimeout or await it fails with the user-gesture errMsg and nothing happens', async () => {
    const mp = session.miniProgram;
    const page = await relaunch(mp);
    session.jumps.length = 0;
    await clearEvents(mp);
    await (await page.$('#pay-late'))!.tap();
    const msg = 'navigateToMiniProgram:fail can only be invoked by user TAP gesture';
    expect(await waitFor(() => textOf(page, '#jump'), (t) => t !== '', 'the late jump result')).toBe(msg);
    await page.setData({ jump: '' });
    await (await page.$('#pay-await'))!.tap();
    expect(await waitFor(() => textOf(page, '#jump'), (t) => t !== '', 'the awaited jump result')).toBe(msg);
    await expect(mp.callWxMethod('navigateToMiniProgram', { appId: 'wxprovider' })).rejects.toThrow(msg);
    expect(session.jumps).toEqual([]);
    expect(await events(mp)).toEqual([]);
  });

  it('<navigator target="miniProgram"> takes the same path and fires bindsuccess', async () => {
    const mp = session.miniProgram;
    const page = await relaunch(mp);
    session.jumps.length = 0;
    await (await page.$('#nav-mp'))!.tap();
    await mp.evaluate(() => __sim.idle());
    expect(await textOf(page, '#jump')).toBe('navigator navigateToMiniProgram:ok');
    expect(session.jumps).toEqual([{ appId: 'wxprovider', path: 'pages/pay/pay', extraData: { amount: 100, note: 'from navigator' }, envVersion: 'develop' }]);
    expect(await textOf(page, '#returned')).toBe('{"paid":true,"amount":100}');
  });

  it('to an appId without a handler: succeeds and opens nothing, as DevTools does, and the log says why', async () => {
    const mp = session.miniProgram;
    const page = await relaunch(mp);
    const warnings: unknown[][] = [];
    mp.on('console', (m: { type: string; args: unknown[] }) => m.type === 'warn' && warnings.push(m.args));
    await send(mp, 'App.enableLog', {});
    await clearEvents(mp);
    session.jumps.length = 0;
    session.logs.length = 0;
    await (await page.$('#nav-unknown'))!.tap();
    expect(await waitFor(() => textOf(page, '#jump'), (t) => t !== '', 'the jump result')).toBe('navigator navigateToMiniProgram:ok');
    await mp.evaluate(() => __sim.idle());
    expect(await events(mp)).toEqual([]); // the app never left the foreground
    expect(session.jumps).toEqual([]);
    expect((await send(mp, 'Sim.getJumps', {})).jumps.slice(-1)).toEqual([{ appId: 'wxnobody', noHandler: true }]);
    const why = /wx\.navigateToMiniProgram to wxnobody: no handler for this appId \(add one to simulator\.handlers\.js .*the app stays in the foreground/;
    expect(session.logs.join('\n')).toMatch(why);
    expect(warnings.map((args) => String(args[0]))).toEqual([expect.stringMatching(/^\[simulator\] /)]);
    expect(String(warnings[0][0])).toMatch(why);
  });

  it('a mock decides the outcome: fail cancel keeps the app in the foreground', async () => {
    const mp = session.miniProgram;
    const page = await relaunch(mp);
    session.jumps.length = 0;
    await mp.mockWxMethod('navigateToMiniProgram', { errMsg: 'navigateToMiniProgram:fail cancel' });
    await clearEvents(mp);
    await (await page.$('#pay-sync'))!.tap();
    expect(await waitFor(() => textOf(page, '#jump'), (t) => t !== '', 'the jump result')).toBe('navigateToMiniProgram:fail cancel');
    expect(session.jumps).toEqual([]);
    expect(await events(mp)).toEqual([]);
    // a function mock that hands over to the real method keeps the tap's user gesture
    await mp.mockWxMethod('navigateToMiniProgram', function (this: { origin(o: object): Promise<unknown> }, options: object) {
      return this.origin(options);
    });
    await page.setData({ jump: '' });
    await (await page.$('#pay-sync'))!.tap();
    await mp.evaluate(() => __sim.idle());
    expect(await textOf(page, '#jump')).toBe('navigateToMiniProgram:ok');
    expect(session.jumps.length).toBe(1);
    await mp.restoreWxMethod('navigateToMiniProgram');
  });
});

describe('Sim domain', () => {
  it('appHide / appShow with any scene and referrerInfo, via __sim and via the protocol', async () => {
    const mp = session.miniProgram;
    const page = await relaunch(mp);
    await clearEvents(mp);
    await mp.evaluate(() => __sim.appHide());
    await mp.evaluate(() => __sim.appShow({ scene: 1038, referrerInfo: { appId: 'wxprovider', extraData: { via: 'sim' } } }));
    expect(await textOf(page, '#returned')).toBe('{"via":"sim"}');
    expect((await events(mp)).slice(0, 5)).toEqual([
      'app.onHide', 'index.onHide', 'card.pageHide', 'wx.onAppHide',
      'app.onShow {"scene":1038,"path":"pages/index/index","referrerInfo":{"appId":"wxprovider","extraData":{"via":"sim"}}}',
    ]);
    await send(mp, 'Sim.appHide', {});
    const shown = await send(mp, 'Sim.appShow', { scene: 1007, query: { a: '1' } });
    expect(shown.enterOptions).toEqual({ scene: 1007, path: INDEX, query: { a: '1' }, referrerInfo: {} });
    expect(await mp.callWxMethod('getLaunchOptionsSync')).toMatchObject({ scene: 1001 });
  });

  it('restart is a cold start that keeps storage and passes the launch options to onLaunch and onShow', async () => {
    const mp = session.miniProgram;
    await relaunch(mp);
    await mp.callWxMethod('setStorageSync', 'pending', { order: 'A1' });
    const before = await mp.evaluate(() => getApp().globalData.launches);
    const restarted = await mp.evaluate(() =>
      __sim.restart({ scene: 1038, path: 'pages/detail/detail', query: { from: 'restart' }, referrerInfo: { appId: 'wxprovider', extraData: { k: 1 } } }));
    expect(restarted).toMatchObject({ path: 'pages/detail/detail' });
    const page = await mp.currentPage();
    expect(page!.path).toBe('pages/detail/detail');
    expect(await textOf(page!, '#from')).toBe('restart');
    expect(await mp.evaluate(() => getApp().globalData.launches)).toBe(1); // a fresh App, not the old one
    expect(before).toBeGreaterThanOrEqual(1);
    expect((await events(mp)).slice(0, 3)).toEqual([
      'app.onLaunch {"scene":1038,"path":"pages/detail/detail","query":{"from":"restart"}}',
      'app.onShow {"scene":1038,"path":"pages/detail/detail","referrerInfo":{"appId":"wxprovider","extraData":{"k":1}}}',
      'wx.onAppShow {"scene":1038,"referrerInfo":{"appId":"wxprovider","extraData":{"k":1}}}',
    ]);
    expect(await mp.callWxMethod('getStorageSync', 'pending')).toEqual({ order: 'A1' });
    expect(await mp.callWxMethod('getLaunchOptionsSync')).toMatchObject({ scene: 1038, query: { from: 'restart' } });
  });

  it('setNetwork offline makes wx.request fail with request:fail', async () => {
    const mp = session.miniProgram;
    await mp.evaluate(() => __sim.setNetwork({ online: false }));
    const res = await mp.evaluate(() =>
      new Promise((resolve) => wx.request({ url: 'http://127.0.0.1:9/x', fail: resolve, success: resolve })));
    expect((res as { errMsg: string }).errMsg).toMatch(/^request:fail .*offline/);
    expect(await mp.callWxMethod('getNetworkType')).toMatchObject({ networkType: 'none' });
    await mp.evaluate(() => __sim.setNetwork({ online: true }));
    expect(await mp.callWxMethod('getNetworkType')).toMatchObject({ networkType: 'wifi' });
  });
});

describe('connect', () => {
  it('refuses a wrong endpoint with the client\'s own message', async () => {
    await expect(automator.connect({ wsEndpoint: 'ws://127.0.0.1:9' })).rejects.toThrow(/Failed connecting to ws:\/\/127.0.0.1:9/);
  });
});
