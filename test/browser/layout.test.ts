// Browser render mode through the official automator client: sizes, offsets and computed styles come from real
// layout of the page's wxss (compiled by wcsc: rpx, @import, component style isolation) and WeChat's component
// styles; page size and scrolling are real; a screenshot is a PNG of the phone's screen.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import automator from 'miniprogram-automator';
import type MiniProgram from 'miniprogram-automator/out/MiniProgram';
import type Page from 'miniprogram-automator/out/Page';
import { startSimulator, type RunningSimulator } from '../../simulator';
import type { BrowserRenderer } from '../../simulator/render/browser';
import { decodePng, pixel, requireChromium } from './helpers';

/** the app's wx, inside functions sent with evaluate() */
declare const wx: any; // eslint-disable-line @typescript-eslint/no-explicit-any

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'render-app');
let sim: RunningSimulator;
let miniProgram: MiniProgram;
let page: Page;

beforeAll(async () => {
  requireChromium();
  sim = await startSimulator({ projectPath: FIXTURE, port: 0, render: 'browser' });
  miniProgram = await automator.connect({ wsEndpoint: sim.wsEndpoint });
  page = (await miniProgram.currentPage())!;
}, 30000);

afterAll(async () => {
  miniProgram?.disconnect();
  await sim?.close();
});

async function el(selector: string) {
  const found = await page.$(selector);
  if (!found) throw new Error(`${selector} is not on the page`);
  return found;
}

it('lays out rpx at 375 px (750rpx = 375 px, 1rpx = 0.5 px), @import included', async () => {
  expect(await (await el('#full')).size()).toEqual({ width: 375, height: 50 });
  // 375rpx -> 187.5 -> 187 (WeChat floors); the inline style's 60rpx -> 30 px
  expect(await (await el('#half')).size()).toEqual({ width: 187, height: 30 });
  expect(await (await el('#half')).offset()).toEqual({ left: 0, top: 50 });
  expect(await (await el('#title')).style('font-size')).toBe('20px');
});

it('keeps a component\'s styles and the page\'s apart (style isolation) and applies shared ones', async () => {
  // the page's .label is green, the badge component's .label purple: neither leaks into the other
  expect(await (await el('#page-label')).style('color')).toBe('rgb(0, 128, 0)');
  const badgeLabel = await (await el('#badge')).$('#badge-label');
  expect(await badgeLabel!.style('color')).toBe('rgb(128, 0, 128)');
  expect((await badgeLabel!.size()).width).toBe(100);
  // apply-shared: app.wxss's .shared-red reaches into the component
  const shared = await (await el('#shared-badge')).$('#shared-inner');
  expect(await shared!.style('color')).toBe('rgb(255, 0, 0)');
});

it('styles WeChat\'s button as WeChat does: 184 px wide and centred, primary green, mini inline', async () => {
  const primary = await el('#primary');
  expect(await primary.size()).toEqual({ width: 184, height: 48 });
  expect((await primary.offset()).left).toBeCloseTo((375 - 184) / 2, 0);
  expect(await primary.style('background-color')).toBe('rgb(7, 193, 96)');
  expect(await primary.style('color')).toBe('rgb(255, 255, 255)');
  const mini = await el('#mini');
  expect(await mini.style('display')).toBe('inline-block');
  expect((await mini.size()).width).toBeLessThan(184);
  expect(await (await el('#ok-icon')).size()).toEqual({ width: 40, height: 40 });
});

it('follows setData, including attributes that change no jsdom node (disabled, hidden)', async () => {
  await page.setData({ disabled: true, title: 'A title long enough to wrap onto a second line at twenty pixels' });
  expect(await (await el('#toggled')).style('color')).toBe('rgba(0, 0, 0, 0.18)');
  expect((await (await el('#title')).size()).height).toBeGreaterThan(40);
  await page.setData({ hide: true });
  expect(await (await el('#hideable')).size()).toEqual({ width: 0, height: 0 });
  await page.setData({ disabled: false, hide: false, title: 'Hello' });
  expect(await (await el('#toggled')).style('color')).toBe('rgb(255, 255, 255)');
  expect(await (await el('#hideable')).size()).toEqual({ width: 375, height: 50 });
});

it('answers the page size and scrolls with wx.pageScrollTo', async () => {
  const size = await page.size();
  expect(size.width).toBe(375);
  expect(size.height).toBeGreaterThan(1000); // a 2000rpx spacer
  await miniProgram.pageScrollTo(300);
  expect(await page.scrollTop()).toBe(300);
  await miniProgram.pageScrollTo(0);
  expect(await page.scrollTop()).toBe(0);
});

it('takes a screenshot of the phone: a 375 px wide PNG with the page and WeChat\'s navigation bar', async () => {
  const data = (await miniProgram.screenshot()) as string;
  const png = decodePng(Buffer.from(data, 'base64'));
  expect([png.width, png.height]).toEqual([375, 667]);
  // the primary button is green where layout put it (under the 20 px status bar and 44 px navigation bar)
  const offset = await (await el('#primary')).offset();
  expect(pixel(png, offset.left + 20, 64 + offset.top + 10)).toEqual([7, 193, 96]);
  // the navigation bar has app.json's white background
  expect(pixel(png, 10, 40)).toEqual([255, 255, 255]);

  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'shot-')), 'phone.png');
  await miniProgram.screenshot({ path: file });
  expect(decodePng(fs.readFileSync(file)).width).toBe(375);
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
});

it('shows the page on top after a navigation, with its own navigation bar colours', async () => {
  await miniProgram.callWxMethod('navigateTo', { url: '/pages/second/second' });
  const second = (await miniProgram.currentPage())!;
  expect(second.path).toBe('pages/second/second');
  const box = await second.$('#second');
  expect(await box!.size()).toEqual({ width: 375, height: 100 });
  const png = decodePng(Buffer.from((await miniProgram.screenshot()) as string, 'base64'));
  expect(pixel(png, 10, 40)).toEqual([7, 193, 96]); // second.json: navigationBarBackgroundColor #07c160
  await miniProgram.callWxMethod('navigateBack');
  const png2 = decodePng(Buffer.from((await miniProgram.screenshot()) as string, 'base64'));
  expect(pixel(png2, 10, 40)).toEqual([255, 255, 255]);
});

it('follows the system theme in wxss (@media prefers-color-scheme) when started dark', async () => {
  const dark = await startSimulator({ projectPath: FIXTURE, port: 0, render: 'browser', theme: 'dark' });
  const darkProgram = await automator.connect({ wsEndpoint: dark.wsEndpoint });
  try {
    const darkPage = (await darkProgram.currentPage())!;
    expect(await (await darkPage.$('#page-label'))!.style('color')).toBe('rgb(0, 200, 0)');
    // the light simulator beside it is unchanged
    expect(await (await el('#page-label')).style('color')).toBe('rgb(0, 128, 0)');
  } finally {
    darkProgram.disconnect();
    await dark.close();
  }
}, 30000);

describe('one phone: what getSystemInfoSync says is the screen Chromium lays out and shows', () => {
  it('375 x 667 at 2x with a 20 px status bar and a 44 px navigation bar: the window is 603 px, or 667 without the bar', async () => {
    await miniProgram.callWxMethod('reLaunch', { url: '/pages/layout/layout' });
    const info = await miniProgram.callWxMethod('getSystemInfoSync');
    expect(info).toMatchObject({ screenWidth: 375, screenHeight: 667, pixelRatio: 2, statusBarHeight: 20, windowWidth: 375, windowHeight: 603 });
    expect(await miniProgram.callWxMethod('getMenuButtonBoundingClientRect')).toEqual({ width: 87, height: 32, top: 26, right: 368, bottom: 58, left: 281 });
    const png = decodePng(Buffer.from((await miniProgram.screenshot()) as string, 'base64'));
    expect([png.width, png.height]).toEqual([info.screenWidth, info.screenHeight]);

    await miniProgram.callWxMethod('navigateTo', { url: '/pages/custom/custom' });
    const custom = (await miniProgram.currentPage())!;
    expect(custom.path).toBe('pages/custom/custom');
    expect((await miniProgram.callWxMethod('getSystemInfoSync')).windowHeight).toBe(667);
    // 100vh is the window the page gets: the whole screen, with the status bar drawn over it
    const screen = (await custom.$('#screen'))!;
    expect(await screen.size()).toEqual({ width: 375, height: 667 });
    expect(await custom.size()).toEqual({ width: 375, height: 667 });
    const shot = decodePng(Buffer.from((await miniProgram.screenshot()) as string, 'base64'));
    expect(pixel(shot, 187, 40)).toEqual([255, 200, 0]); // where the navigation bar would be: the page
    // the viewport of a selector query is that window too
    const viewport = await miniProgram.evaluate(() => new Promise((resolve) => wx.createSelectorQuery().selectViewport().boundingClientRect(resolve).exec()));
    expect(viewport).toMatchObject({ width: 375, height: 667 });
    await miniProgram.callWxMethod('navigateBack');
    page = (await miniProgram.currentPage())!;
  });
});

describe('the phone\'s theme, switched while the app runs', () => {
  afterEach(async () => {
    await miniProgram.evaluate(() => __sim.setTheme('light'));
  });

  it('__sim.setTheme switches Chromium\'s prefers-color-scheme and the frame, as the phone switching to dark mode', async () => {
    const renderer = sim.renderer as BrowserRenderer;
    expect((await renderer.phone()).theme).toBe('light');
    await miniProgram.evaluate(() => __sim.setTheme('dark'));
    expect(await (await el('#page-label')).style('color')).toBe('rgb(0, 200, 0)');
    expect((await renderer.phone()).theme).toBe('dark');
    await miniProgram.evaluate(() => __sim.setTheme('light'));
    expect(await (await el('#page-label')).style('color')).toBe('rgb(0, 128, 0)');
  });
});

/** The phone's overlays are drawn a moment after the app asks for them (in order, but not within evaluate). */
async function waitForPhone(renderer: BrowserRenderer, ok: (phone: Awaited<ReturnType<BrowserRenderer['phone']>>) => boolean): Promise<void> {
  for (const deadline = Date.now() + 10000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 20))) {
    if (ok(await renderer.phone())) return;
  }
  throw new Error(`the phone still shows ${JSON.stringify(await renderer.phone())}`);
}

describe('what WeChat draws over the page', () => {
  it('the navigation bar title from setNavigationBarTitle, a toast, and a modal until it is answered', async () => {
    const renderer = sim.renderer as BrowserRenderer;
    await miniProgram.callWxMethod('setNavigationBarTitle', { title: '新标题' });
    expect((await renderer.phone()).title).toBe('新标题');
    await miniProgram.callWxMethod('showToast', { title: '已保存', duration: 60000 });
    expect((await renderer.phone()).toast).toBe('已保存');
    await miniProgram.callWxMethod('hideToast');
    expect((await renderer.phone()).toast).toBeNull();

    // the modal waits for its answer: asked from inside the app, answered as the user would
    await miniProgram.evaluate(() => void wx.showModal({ title: '确认', content: '删除这条记录？' }));
    expect((await renderer.phone()).modal).toEqual({ title: '确认', content: '删除这条记录？' });
    const png = decodePng(Buffer.from((await miniProgram.screenshot()) as string, 'base64'));
    const [r] = pixel(png, 10, 600);
    expect(r).toBeLessThan(120); // the page under the modal's dark mask (it is #f7f7f7 without it)
    await miniProgram.evaluate(() => __sim.answerModal(true));
    expect((await renderer.phone()).modal).toBeNull();

    // an action sheet: a bottom sheet (alertText, items in itemColor, a gap, 取消) over the dark mask, light and
    // dark like the modal; it waits for the user's pick
    const picked = miniProgram.evaluate(() => new Promise((resolve) => wx.showActionSheet({ alertText: '删除后不可恢复', itemList: ['删除', '移到别处'], itemColor: '#fa5151', success: resolve, fail: resolve })));
    await waitForPhone(renderer, (p) => p.actionSheet !== null);
    expect((await renderer.phone()).actionSheet).toEqual({ alertText: '删除后不可恢复', items: ['删除', '移到别处'] });
    const sheet = await renderer.evaluate(() => {
      const rect = (id: string) => document.getElementById(id)!.getBoundingClientRect();
      const item = document.querySelector('#sheet-items .sheet-item')!;
      return { alert: rect('sheet-alert').top, item: rect('sheet-items').top, cancel: rect('sheet-cancel').top, bottom: rect('sheet-cancel').bottom, gap: rect('sheet-cancel').top - rect('sheet-items').bottom, color: getComputedStyle(item).color };
    }, undefined);
    expect(sheet.bottom).toBe(667); // at the bottom of the screen
    expect(sheet.alert).toBeLessThan(sheet.item);
    expect(sheet.item).toBeLessThan(sheet.cancel);
    expect(sheet.gap).toBe(8);
    expect(sheet.color).toBe('rgb(250, 81, 81)');
    let shot = decodePng(Buffer.from((await miniProgram.screenshot()) as string, 'base64'));
    expect(pixel(shot, 10, 300)[0]).toBeLessThan(120); // the page under the mask
    expect(pixel(shot, 10, 650)).toEqual([255, 255, 255]); // 取消's white row
    await miniProgram.evaluate(() => __sim.setTheme('dark'));
    shot = decodePng(Buffer.from((await miniProgram.screenshot()) as string, 'base64'));
    expect(pixel(shot, 10, 650)[0]).toBeLessThan(60); // the same row, dark
    await miniProgram.evaluate(() => __sim.setTheme('light'));
    expect(await miniProgram.evaluate(() => __sim.answerActionSheet(1))).toEqual({ tapIndex: 1 });
    expect(await picked).toEqual({ tapIndex: 1, errMsg: 'showActionSheet:ok' });
    expect((await renderer.phone()).actionSheet).toBeNull();
    // 取消 (no index) fails it, as WeChat does
    const cancelled = miniProgram.evaluate(() => new Promise((resolve) => wx.showActionSheet({ itemList: ['A'], success: resolve, fail: resolve })));
    await waitForPhone(renderer, (p) => p.actionSheet !== null);
    expect((await renderer.phone()).actionSheet).toEqual({ alertText: null, items: ['A'] });
    await miniProgram.evaluate(() => __sim.answerActionSheet());
    expect(await cancelled).toEqual({ errMsg: 'showActionSheet:fail cancel' });

    // a title set in a new page's onLoad is that page's; the page below keeps its own
    await miniProgram.callWxMethod('navigateTo', { url: '/pages/second/second' });
    expect((await renderer.phone()).title).toBe('第二页 · 已加载');
    await miniProgram.callWxMethod('navigateBack');
    expect((await renderer.phone()).title).toBe('新标题');
    page = (await miniProgram.currentPage())!;
  });
});

describe('tab pages: the screen shows the page switchTab brings, a tab it left keeps its document off screen', () => {
  const SIM_APP = path.join(__dirname, '..', 'fixtures', 'sim-app');

  it('switchTab, navigateTo and reLaunch: one page visible, the tab bar\'s item and back arrow follow, titles stay each page\'s', async () => {
    const tabs = await startSimulator({ projectPath: SIM_APP, port: 0, render: 'browser' });
    const mp = await automator.connect({ wsEndpoint: tabs.wsEndpoint });
    const idOf = async () => ((await mp.currentPage()) as unknown as { id: number }).id;
    try {
      const renderer = tabs.renderer as BrowserRenderer;
      const index = await idOf();
      expect(await renderer.phone()).toMatchObject({ page: index, tab: 'pages/index/index', back: false, visiblePages: [index], pages: [index] });

      await mp.callWxMethod('switchTab', { url: '/pages/tab/tab' });
      const tab = await idOf();
      expect(await renderer.phone()).toMatchObject({ page: tab, tab: 'pages/tab/tab', back: false, visiblePages: [tab], pages: [index, tab] });

      // back on the first tab (the tab left is the last page attached): its own document and title
      await mp.callWxMethod('switchTab', { url: '/pages/index/index' });
      expect(await idOf()).toBe(index);
      expect(await renderer.phone()).toMatchObject({ page: index, tab: 'pages/index/index', visiblePages: [index], pages: [index, tab] });
      await mp.callWxMethod('setNavigationBarTitle', { title: '首页' });
      expect((await renderer.phone()).title).toBe('首页');

      await mp.callWxMethod('navigateTo', { url: '/pages/detail/detail' });
      const detail = await idOf();
      expect(await renderer.phone()).toMatchObject({ page: detail, tab: null, back: true, visiblePages: [detail], pages: [index, tab, detail] });

      await mp.callWxMethod('switchTab', { url: '/pages/tab/tab' });
      expect(await renderer.phone()).toMatchObject({ page: tab, tab: 'pages/tab/tab', back: false, title: 'sim-app', visiblePages: [tab], pages: [index, tab] });
      await mp.callWxMethod('switchTab', { url: '/pages/index/index' });
      expect((await renderer.phone()).title).toBe('首页');

      await mp.callWxMethod('reLaunch', { url: '/pages/detail/detail' });
      const fresh = await idOf();
      expect(await renderer.phone()).toMatchObject({ page: fresh, back: false, tab: null, visiblePages: [fresh], pages: [fresh] });
    } finally {
      mp.disconnect();
      await tabs.close();
    }
  }, 30000);
});
