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
import { decodePng, pixel, requireChromium } from './helpers';

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
  const dark = await startSimulator({ projectPath: FIXTURE, port: 0, render: 'browser', browser: { theme: 'dark' } });
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
