// The live preview, used as a person uses it: a real browser (Chromium through playwright-core) opens the preview,
// clicks 确认支付, sees the stand-in 小微聚付 page, clicks 立即支付, and is back in the app, which says 支付成功.
import http from 'node:http';
import path from 'node:path';
import type { BrowserContext, Page as Tab } from 'playwright-core';
import automator from 'miniprogram-automator';
import { launchChromium, type LaunchedChromium } from '../../simulator/render/browser/chromium';
import { startSimulator } from '../../simulator';
import { startAppStack, type AppStack } from '../../scripts/app-stack';
import { requireChromium } from './helpers';

/** the app's wx, inside functions sent with evaluate() */
declare const wx: any; // eslint-disable-line @typescript-eslint/no-explicit-any

const PROVIDER_APP_ID = 'wx959c8c1fb2d89988';
let chromium: LaunchedChromium;

beforeAll(async () => {
  requireChromium();
  chromium = await launchChromium({ purpose: 'the preview test', viewport: { width: 900, height: 760 } });
}, 30000);

afterAll(async () => {
  await chromium?.close();
});

async function openPreview(context: BrowserContext, url: string): Promise<Tab> {
  const tab = await context.newPage();
  await tab.goto(url);
  return tab;
}

const shownPage = (tab: Tab) => tab.frameLocator('iframe.page-frame.shown');

async function text(tab: Tab, selector: string): Promise<string> {
  return ((await shownPage(tab).locator(selector).textContent({ timeout: 10000 })) ?? '').trim();
}

async function waitForText(tab: Tab, selector: string, pattern: RegExp, timeoutMs = 15000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    last = await text(tab, selector).catch(() => '');
    if (pattern.test(last)) return last;
    await tab.waitForTimeout(50);
  }
  throw new Error(`${selector} still says "${last}" after ${timeoutMs} ms (wanted ${pattern})`);
}

describe('the payment app in the preview', () => {
  let stack: AppStack;
  let tab: Tab;

  beforeAll(async () => {
    stack = await startAppStack({ preview: { port: 0 } });
    tab = await openPreview(chromium.context, stack.simulator!.previewUrl!);
  }, 60000);

  afterAll(async () => {
    await tab?.close();
    await stack?.close();
  });

  it('pays as a person would: 确认支付, the stand-in pay page, 立即支付, back to 支付成功', async () => {
    await waitForText(tab, '#pay-status', /待支付/);
    expect(await text(tab, '#order-amount')).toBe('¥19.90');
    expect((await tab.locator('#nav-title').textContent())?.trim()).toBe('收银台');

    await shownPage(tab).locator('#pay-button').click();
    const payPage = tab.locator('#foreign');
    await payPage.locator('text=立即支付').waitFor({ timeout: 10000 });
    const shown = (await payPage.innerText()).replace(/\s+/g, ' ');
    expect(shown).toContain('¥19.90');
    expect(shown).toContain('会员月卡');
    expect(shown).toContain('取消支付');
    expect((await tab.locator('#nav-title').textContent())?.trim()).toBe('小微聚付');
    expect(await tab.locator('#nav-back').isVisible()).toBe(true);

    await payPage.locator('text=立即支付').click();
    await waitForText(tab, '#pay-status', /支付成功/);
    expect(await payPage.isVisible()).toBe(false);
    expect((await tab.locator('#nav-title').textContent())?.trim()).toBe('收银台');

    // the app came back the way WeChat brings it back from the pay mini program
    const enter = await stack.miniProgram.callWxMethod('getEnterOptionsSync');
    expect(enter.scene).toBe(1038);
    expect(enter.referrerInfo.appId).toBe(PROVIDER_APP_ID);
    expect(enter.referrerInfo.extraData.success).toBe(true);
    const jumps = await stack.miniProgram.evaluate(() => __sim.jumps());
    expect(jumps).toHaveLength(1);
  }, 60000);

  it('relaunches the app on its first page when the preview is reloaded', async () => {
    // the previous test left the app on 支付成功; a reload starts it afresh on a new order
    expect(await text(tab, '#pay-status')).toBe('支付成功');
    await stack.miniProgram.callWxMethod('setStorageSync', 'relaunch-probe', 'kept');
    await tab.reload();
    await waitForText(tab, '#pay-status', /待支付/);
    const after = (await stack.miniProgram.currentPage())!;
    expect(after.path).toBe('pages/checkout/checkout');
    expect(await stack.miniProgram.evaluate(() => getCurrentPages().length)).toBe(1);
    // a cold start keeps storage, as on a phone
    expect(await stack.miniProgram.callWxMethod('getStorageSync', 'relaunch-probe')).toBe('kept');
    expect((await stack.miniProgram.callWxMethod('getEnterOptionsSync')).scene).toBe(1001);
  }, 30000);

  it('comes back without paying through the navigation bar\'s back on the pay page', async () => {
    await waitForText(tab, '#pay-status', /待支付/);
    await shownPage(tab).locator('#pay-button').click();
    await tab.locator('#foreign >> text=取消支付').waitFor({ timeout: 10000 });
    await tab.locator('#nav-back').click();
    await waitForText(tab, '#pay-status', /正在确认|尚未支付/);
    const enter = await stack.miniProgram.callWxMethod('getEnterOptionsSync');
    expect(enter.scene).toBe(1038);
    expect(enter.referrerInfo).toEqual({ appId: PROVIDER_APP_ID, extraData: {} });
  }, 30000);
});

it('turns a person\'s typing into input events and shows the setData it causes', async () => {
  const sim = await startSimulator({ projectPath: path.join(__dirname, '..', 'fixtures', 'render-app'), port: 0, preview: { port: 0 } });
  const miniProgram = await automator.connect({ wsEndpoint: sim.wsEndpoint });
  const tab = await openPreview(chromium.context, sim.previewUrl!);
  try {
    await shownPage(tab).locator('#name input').waitFor({ timeout: 10000 });
    await shownPage(tab).locator('#name input').click();
    await tab.keyboard.type('微信');
    await waitForText(tab, '#taps', /taps 0 微信/);
    const page = (await miniProgram.currentPage())!;
    expect(await page.data('name')).toBe('微信');
    await shownPage(tab).locator('#primary').click();
    await waitForText(tab, '#taps', /taps 1 微信/);
  } finally {
    await tab.close();
    miniProgram.disconnect();
    await sim.close();
  }
}, 30000);

it('lets only its own page drive the app: JSON actions to 127.0.0.1 or localhost', async () => {
  const sim = await startSimulator({ projectPath: path.join(__dirname, '..', 'fixtures', 'render-app'), port: 0, preview: { port: 0 } });
  const ask = (headers: Record<string, string>, body = '{"type":"back"}') =>
    new Promise<number>((resolve, reject) => {
      const req = http.request(`${sim.previewUrl}action`, { method: 'POST', headers, agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end(body);
    });
  try {
    // another site's form (text/plain), a rebound host name, a cross-site fetch: refused before anything happens
    expect(await ask({ 'content-type': 'text/plain' })).toBe(415);
    expect(await ask({ 'content-type': 'application/json', host: 'evil.example:3002' })).toBe(403);
    expect(await ask({ 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' })).toBe(403);
    // the page's own request reaches the app (which answers that it cannot go back from its first page)
    expect(await ask({ 'content-type': 'application/json' })).toBe(409);
  } finally {
    await sim.close();
  }
}, 30000);

it('shows the phone as the app has it: its theme whatever the browser\'s, hover-class while pressed, a modal a click answers', async () => {
  const sim = await startSimulator({ projectPath: path.join(__dirname, '..', 'fixtures', 'render-app'), port: 0, preview: { port: 0 } });
  const miniProgram = await automator.connect({ wsEndpoint: sim.wsEndpoint });
  const tab = await openPreview(chromium.context, sim.previewUrl!);
  const colour = (selector: string) => shownPage(tab).locator(selector).evaluate((e) => getComputedStyle(e).color);
  const until = async (probe: () => Promise<string>, want: string) => {
    let last = '';
    for (const deadline = Date.now() + 10000; Date.now() < deadline; await tab.waitForTimeout(50)) if ((last = await probe()) === want) return;
    throw new Error(`still ${last}, wanted ${want}`);
  };
  try {
    await shownPage(tab).locator('#page-label').waitFor({ timeout: 10000 });
    // the person's browser in dark mode does not make a light phone dark
    await tab.emulateMedia({ colorScheme: 'dark' });
    expect(await colour('#page-label')).toBe('rgb(0, 128, 0)');
    await tab.emulateMedia({ colorScheme: 'light' });
    // the phone switching to dark mode does, in a light browser
    await miniProgram.evaluate(() => __sim.setTheme('dark'));
    await until(() => colour('#page-label'), 'rgb(0, 200, 0)');
    expect(await tab.locator('#phone').getAttribute('data-theme')).toBe('dark');
    await miniProgram.evaluate(() => __sim.setTheme('light'));
    await until(() => colour('#page-label'), 'rgb(0, 128, 0)');

    // hover-class while the finger (the mouse button) is down
    const box = shownPage(tab).locator('#hover');
    await box.hover();
    await tab.mouse.down();
    await until(() => box.evaluate((e) => getComputedStyle(e).backgroundColor), 'rgb(255, 0, 255)');
    await tab.mouse.up();
    await until(() => box.evaluate((e) => e.className), 'box');

    // a modal the app shows is drawn, and a click on 确定 is the user's answer
    const answered = miniProgram.evaluate(() => new Promise((resolve) => wx.showModal({ title: '确认', content: '删除这条记录？', success: resolve })));
    await tab.locator('#modal-confirm').waitFor({ state: 'visible', timeout: 10000 });
    expect((await tab.locator('#modal').innerText()).replace(/\s+/g, ' ')).toContain('删除这条记录？');
    await tab.locator('#modal-confirm').click();
    expect(await answered).toMatchObject({ confirm: true, cancel: false });
    await tab.locator('#modal').waitFor({ state: 'hidden', timeout: 10000 });
  } finally {
    await tab.close();
    miniProgram.disconnect();
    await sim.close();
  }
}, 30000);

it('draws an action sheet the app shows: a click on an item picks it, 取消 cancels it', async () => {
  const sim = await startSimulator({ projectPath: path.join(__dirname, '..', 'fixtures', 'render-app'), port: 0, preview: { port: 0 } });
  const miniProgram = await automator.connect({ wsEndpoint: sim.wsEndpoint });
  const tab = await openPreview(chromium.context, sim.previewUrl!);
  const show = () => miniProgram.evaluate(() => new Promise((resolve) => wx.showActionSheet({ alertText: '选择支付方式', itemList: ['微信支付', '小微聚付'], success: resolve, fail: resolve })));
  try {
    await shownPage(tab).locator('#page-label').waitFor({ timeout: 10000 });
    const picked = show();
    const item = tab.locator('#sheet-items .sheet-item', { hasText: '小微聚付' });
    await item.waitFor({ state: 'visible', timeout: 10000 });
    expect(await tab.locator('#sheet-alert').innerText()).toBe('选择支付方式');
    await item.click();
    expect(await picked).toEqual({ tapIndex: 1, errMsg: 'showActionSheet:ok' });
    await tab.locator('#action-sheet').waitFor({ state: 'hidden', timeout: 10000 });
    expect(await miniProgram.evaluate(() => __sim.actionSheet())).toBeNull();

    const cancelled = show();
    await tab.locator('#sheet-cancel').waitFor({ state: 'visible', timeout: 10000 });
    await tab.locator('#sheet-cancel').click();
    expect(await cancelled).toEqual({ errMsg: 'showActionSheet:fail cancel' });
    await tab.locator('#action-sheet').waitFor({ state: 'hidden', timeout: 10000 });
  } finally {
    await tab.close();
    miniProgram.disconnect();
    await sim.close();
  }
}, 30000);
