import { consoleWarnings, launch, returnFromProvider, settle, storedOrder, PROVIDER_APP_ID } from './harness';
import { PENDING_ORDERS_KEY } from '../../miniprogram/lib/pending-store';
import { MESSAGES } from '../../miniprogram/lib/messages';
import { createFakeBackend, createFakeWx, TAP_RULE_ERRMSG } from '../fixtures/fake-wx';

beforeEach(() => {
  jest.useFakeTimers();
});
afterEach(() => {
  jest.useRealTimers();
});

async function readyCheckout() {
  const mp = launch();
  const page = mp.openCheckout({ sku: 'vip-month' });
  await settle();
  expect(page.data.statusText).toBe('待支付');
  return { mp, page };
}

describe('checkout page: order', () => {
  test('shows 正在创建订单… with a disabled pay button until the signed order is back, then ¥19.90 and 待支付', async () => {
    const mp = launch();
    const page = mp.openCheckout({ sku: 'vip-month' });
    expect(page.data.statusText).toBe('正在创建订单…');
    expect(page.data.payEnabled).toBe(false);
    await settle();
    expect(page.data.amountText).toBe('¥19.90');
    expect(page.data.title).toBe('会员月卡');
    expect(page.data.payEnabled).toBe(true);
    expect(mp.fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /api/orders']);
    expect(mp.fake.requests[0].data).toEqual({ sku: 'vip-month' });
  });

  test('a failed order creation is visible and recoverable with 重试', async () => {
    const mp = launch();
    mp.backend.failNextOrder({ statusCode: 503, data: { error: { code: 'UNAVAILABLE', message: '服务暂不可用，请稍后重试' } } });
    const page = mp.openCheckout();
    await settle();
    expect(page.data.statusText).toBe('订单创建失败');
    expect(page.data.messageText).toBe(MESSAGES['order.unavailable'].text);
    expect(page.data.showRetry).toBe(true);
    expect(page.data.payEnabled).toBe(false);
    mp.tap(page, 'onRetryTap');
    await settle();
    expect(page.data.statusText).toBe('待支付');
    expect(page.data.payEnabled).toBe(true);
    expect(page.data.showRetry).toBe(false);
  });

  test('setData carries only what the view shows: never the order token or the signed params outside the fallback', async () => {
    const { mp, page } = await readyCheckout();
    mp.tap(page, 'onPayTap');
    await settle();
    const sent = JSON.stringify(page.patches);
    expect(sent).not.toContain('tok-');
    expect(sent).not.toContain('"sign"');
  });
});

describe('checkout page: the jump', () => {
  test('tap → navigateToMiniProgram in the same turn, with the provider target and payParams, pending order stored first, no request in between', async () => {
    const { mp, page } = await readyCheckout();
    const requestsBefore = mp.fake.requests.length;
    mp.tap(page, 'onPayTap');
    expect(mp.fake.jumps).toHaveLength(1);
    const jump = mp.fake.jumps[0];
    expect(jump.inTap).toBe(true);
    expect(jump.requestsAtCall).toBe(requestsBefore);
    expect(jump.options.appId).toBe(PROVIDER_APP_ID);
    expect(jump.options.path).toBe('pages/pay');
    expect(jump.options.extraData).toMatchObject({ out_trade_no: 'T000001', total_fee: 1990, mchid: '1230000109', sign: 'A'.repeat(32) });
    const stored = (jump.storageAtCall[PENDING_ORDERS_KEY] as { orders: Record<string, unknown>[] }).orders[0];
    expect(stored).toMatchObject({ outTradeNo: 'T000001', orderToken: 'tok-1-secret', provider: { appId: PROVIDER_APP_ID } });
    expect(typeof stored.jumpedAt).toBe('number');
    await settle();
    expect(page.data.statusText).toBe('等待支付结果…');
  });

  test('double tap makes one jump', async () => {
    const { mp, page } = await readyCheckout();
    mp.tap(page, 'onPayTap');
    mp.tap(page, 'onPayTap');
    await settle();
    mp.tap(page, 'onPayTap');
    expect(mp.fake.jumps).toHaveLength(1);
  });

  test('refused for the tap rule → <navigator target="miniProgram"> fallback carrying the same target and data', async () => {
    const { mp, page } = await readyCheckout();
    page.call('onPayTap'); // not inside a tap: WeChat refuses
    await settle();
    expect(mp.fake.jumps).toHaveLength(1);
    expect(page.data.fallback).toEqual({
      appId: PROVIDER_APP_ID,
      path: 'pages/pay',
      extraData: mp.fake.jumps[0].options.extraData,
      version: 'release',
    });
    expect(page.data.showPay).toBe(false);
    // the navigator's own success: the return is then awaited for that order
    page.call('onNavigatorSuccess', { detail: { errMsg: 'navigateToMiniProgram:ok' } });
    expect(page.data.statusText).toBe('等待支付结果…');
    mp.backend.setStatus('T000001', 'paid');
    mp.fake.appShow(returnFromProvider({ success: true }));
    await settle();
    expect(page.data.statusText).toBe('支付成功');
    expect(TAP_RULE_ERRMSG).toContain('TAP gesture');
  });

  test('fail cancel leaves the order payable: 待支付, pay enabled, same order on the next tap, a later 1038 is not a return', async () => {
    const { mp, page } = await readyCheckout();
    mp.fake.answerJumpDialog('cancel');
    mp.tap(page, 'onPayTap');
    await settle();
    expect(page.data.statusText).toBe('待支付');
    expect(page.data.payEnabled).toBe(true);
    expect(page.data.messageText).toBe(MESSAGES['jump.cancelled'].text);
    expect(page.data.messageTone).toBe('note');
    mp.fake.appShow(returnFromProvider({}));
    await settle();
    expect(mp.backend.checks).toHaveLength(0);
    mp.fake.answerJumpDialog('confirm');
    mp.tap(page, 'onPayTap');
    expect(mp.fake.jumps).toHaveLength(2);
    expect(mp.fake.jumps[1].options.extraData).toEqual(mp.fake.jumps[0].options.extraData);
    expect(mp.fake.requests.filter((r) => r.path === '/api/orders')).toHaveLength(1);
  });
});

describe('checkout page: the return', () => {
  async function jumped() {
    const r = await readyCheckout();
    r.mp.tap(r.page, 'onPayTap');
    await settle();
    return r;
  }

  test('a forged extraData success:true never shows 支付成功 while the backend says pending', async () => {
    const { mp, page } = await jumped();
    mp.fake.appShow(returnFromProvider({ success: true, resultCode: 'SUCCESS', msg: '支付成功', payjsOrderId: 'P123' }));
    await settle();
    expect(page.data.statusText).toBe('正在确认支付结果…');
    for (let t = 0; t < 70; t++) {
      await settle(1000);
      expect(page.data.statusText).not.toBe('支付成功');
    }
    expect(page.data.statusText).toBe('尚未支付');
    expect(page.data.showRecheck).toBe(true);
    expect(page.data.showRepay).toBe(true);
    // the hint is passed on to the backend as the provider order id, and kept in globalData as the docs do
    expect(mp.backend.checks[0].data).toMatchObject({ outTradeNo: 'T000001', orderToken: 'tok-1-secret', payjsOrderId: 'P123', waitMs: 25000 });
    expect(mp.backend.checks[0].data).not.toHaveProperty('success');
    expect(mp.app.globalData).toMatchObject({ paySuccess: true, resultCode: 'SUCCESS', msg: '支付成功', payjsOrderId: 'P123' });
  });

  test('only the backend says paid: confirming, then 支付成功 when the backend flips', async () => {
    const { mp, page } = await jumped();
    mp.fake.appShow(returnFromProvider({ success: false }));
    await settle();
    expect(page.data.statusText).toBe('正在确认支付结果…');
    await settle(3000);
    mp.backend.setStatus('T000001', 'paid');
    await settle();
    expect(page.data.statusText).toBe('支付成功');
    expect(mp.backend.checks).toHaveLength(1); // one long-poll answered it
    expect(storedOrder(mp, 'T000001').settled).toBe('paid');
  });

  test('back key (no extraData) and missing referrerInfo still count as a return', async () => {
    const a = await jumped();
    a.mp.fake.appShow(returnFromProvider(undefined));
    await settle();
    expect(a.page.data.statusText).toBe('正在确认支付结果…');

    const b = await jumped();
    b.mp.fake.appShow({ scene: 1038, path: 'pages/checkout/checkout', query: {} });
    await settle();
    expect(b.page.data.statusText).toBe('正在确认支付结果…');
    expect(b.mp.backend.checks).toHaveLength(1);
  });

  test('a return from another appId is ignored', async () => {
    const { mp, page } = await jumped();
    mp.fake.appShow(returnFromProvider({ success: true }, 'wx0000000000000000'));
    await settle(5000);
    expect(mp.backend.checks).toHaveLength(0);
    expect(page.data.statusText).toBe('等待支付结果…');
  });

  test('a scene 1038 whose referrer appId is empty is not the provider\'s return', async () => {
    const { mp, page } = await jumped();
    mp.fake.appShow(returnFromProvider({ success: true }, ''));
    await settle(5000);
    expect(mp.backend.checks).toHaveLength(0);
    expect(page.data.statusText).toBe('等待支付结果…');
  });

  test('the newest provider order id is the one sent: a second jump\'s return replaces the first one\'s id', async () => {
    const { mp, page } = await jumped();
    mp.fake.appShow(returnFromProvider({ success: false, payjsOrderId: 'P1' }));
    await settle(61000);
    expect(page.data.statusText).toBe('尚未支付');
    expect(mp.backend.checks.every((c) => c.data!.payjsOrderId === 'P1')).toBe(true);
    mp.tap(page, 'onRepayTap'); // the user pays again: the provider makes a new order of its own
    await settle();
    mp.fake.appShow(returnFromProvider({ success: true, payjsOrderId: 'P2' }));
    await settle();
    const last = mp.backend.checks[mp.backend.checks.length - 1];
    expect(last.data).toMatchObject({ outTradeNo: 'T000001', payjsOrderId: 'P2' });
    expect(storedOrder(mp, 'T000001').payjsOrderId).toBe('P2');
    // a later return without an id (back key) keeps the newest one known
    await settle(61000);
    mp.tap(page, 'onRepayTap');
    await settle();
    mp.fake.appShow(returnFromProvider({}));
    await settle();
    expect(mp.backend.checks[mp.backend.checks.length - 1].data).toMatchObject({ payjsOrderId: 'P2' });
    // and a cold start resumes with it
    const next = launch({ fake: mp.fake, backend: mp.backend });
    next.openCheckout();
    await settle();
    expect(mp.backend.checks[mp.backend.checks.length - 1].data).toMatchObject({ payjsOrderId: 'P2' });
  });

  test('the same return is processed once: App.onShow and wx.onAppShow, and a stale referrer on later onShows', async () => {
    const { mp, page } = await jumped();
    const show = returnFromProvider({});
    mp.fake.appShow(show);
    await settle();
    mp.backend.setStatus('T000001', 'failed');
    await settle();
    expect(page.data.statusText).toBe('支付失败');
    expect(mp.backend.checks).toHaveLength(1); // App.onShow + wx.onAppShow of one show → one confirmation
    mp.fake.appHide();
    mp.fake.appShow(show); // Android's stale referrerInfo
    await settle(5000);
    expect(mp.backend.checks).toHaveLength(1);
    expect(page.data.statusText).toBe('支付失败');
  });

  test.each(['expired', 'failed'] as const)('a %s order offers 重新支付, which creates a new order without jumping', async (status) => {
    const { mp, page } = await jumped();
    mp.backend.setStatus('T000001', status);
    mp.fake.appShow(returnFromProvider({}));
    await settle();
    expect(page.data.statusText).toBe(status === 'expired' ? '订单已过期' : '支付失败');
    expect(page.data.showRepay).toBe(true);
    expect(page.data.showRecheck).toBe(false);
    mp.tap(page, 'onRepayTap');
    expect(mp.fake.jumps).toHaveLength(1); // a dead order is never sent to the provider again
    await settle();
    expect(page.data.statusText).toBe('待支付');
    expect(mp.backend.orders.size).toBe(2);
  });

  test('while the backend cannot be reached, the page says so (not the payer\'s network) with 我已支付，重新查询, and clears it within a second of the backend answering', async () => {
    const { mp, page } = await jumped();
    mp.backend.failNext(1000, { fail: 'net::ERR_CONNECTION_REFUSED' });
    mp.fake.appShow(returnFromProvider({}));
    await settle();
    expect(page.data.statusText).toBe('暂时无法确认支付结果');
    expect(page.data.messageText).toBe(MESSAGES['check.unreachable'].text);
    expect(page.data.messageText).toContain('无法连接服务器');
    expect(page.data.messageText).not.toContain('网络');
    expect(page.data.showRecheck).toBe(true);
    expect(page.data.showRepay).toBe(true);
    await settle(90000); // down for a minute and a half: past the deadline, still trying
    expect(page.data.statusText).toBe('暂时无法确认支付结果');
    mp.backend.clearFaults(); // the backend is back
    await settle(1000);
    // its first answer: still pending, and the deadline passed meanwhile: the problem is gone, 尚未支付 says what is left
    expect(page.data.statusText).toBe('尚未支付');
    expect(page.data.messageText).toBe(MESSAGES['confirm.timeout'].text);
    expect(page.data.messageTone).toBe('note');
    expect(page.data.showRecheck).toBe(true);
    mp.tap(page, 'onRecheckTap');
    expect(page.data.statusText).toBe('正在确认支付结果…');
    expect(page.data.showRecheck).toBe(false);
    mp.backend.setStatus('T000001', 'paid');
    await settle();
    expect(page.data.statusText).toBe('支付成功');
  });

  test('尚未支付 → 我已支付，重新查询 asks again; 重新支付 jumps again with the same order', async () => {
    const { mp, page } = await jumped();
    mp.fake.appShow(returnFromProvider({}));
    await settle(61000);
    expect(page.data.statusText).toBe('尚未支付');
    const checks = mp.backend.checks.length;
    mp.tap(page, 'onRecheckTap');
    expect(page.data.statusText).toBe('正在确认支付结果…');
    mp.backend.setStatus('T000001', 'paid');
    await settle();
    expect(mp.backend.checks.length).toBe(checks + 1);
    expect(page.data.statusText).toBe('支付成功');
  });

  test('重新支付 from 尚未支付 jumps synchronously with the same payParams', async () => {
    const { mp, page } = await jumped();
    mp.fake.appShow(returnFromProvider({}));
    await settle(61000);
    mp.tap(page, 'onRepayTap');
    expect(mp.fake.jumps).toHaveLength(2);
    expect(mp.fake.jumps[1].inTap).toBe(true);
    expect(mp.fake.jumps[1].options.extraData).toEqual(mp.fake.jumps[0].options.extraData);
  });

  test('leaving the page stops the confirmation: the in-flight check is aborted and no more are sent', async () => {
    const { mp, page } = await jumped();
    mp.fake.appShow(returnFromProvider({}));
    await settle(1000);
    expect(mp.backend.checks).toHaveLength(1);
    mp.unload(page);
    await settle(120000);
    expect(mp.backend.checks).toHaveLength(1);
  });
});

describe('cold start resume', () => {
  async function killedWhilePaying() {
    const { mp, page } = await readyCheckout();
    mp.tap(page, 'onPayTap');
    await settle();
    return mp;
  }

  test('WeChat killed the app while the user paid: a cold start with scene 1038 resumes the stored order, once', async () => {
    const before = await killedWhilePaying();
    before.backend.setStatus('T000001', 'paid');
    // the same phone storage, a fresh JS context
    const mp = launch({ fake: before.fake, backend: before.backend, launch: returnFromProvider({ success: true, payjsOrderId: 'P9' }) });
    const page = mp.openCheckout({ sku: 'vip-month' });
    expect(page.data.statusText).toBe('正在确认支付结果…');
    expect(page.data.amountText).toBe('¥19.90');
    await settle();
    expect(page.data.statusText).toBe('支付成功');
    expect(before.backend.checks).toHaveLength(1);
    // the launch's 1038 was taken as the return of the stored order: its provider order id reached the check
    expect(before.backend.checks[0].data).toMatchObject({ outTradeNo: 'T000001', payjsOrderId: 'P9' });
    expect(mp.app.globalData.payjsOrderId).toBe('P9');
    expect(before.fake.requests.filter((r) => r.path === '/api/orders')).toHaveLength(1); // no new order
  });

  test('any later launch (scene 1001) resumes it too, and a final order is not resumed again', async () => {
    const before = await killedWhilePaying();
    const mp = launch({ fake: before.fake, backend: before.backend, launch: { scene: 1001, path: 'pages/checkout/checkout', query: {} } });
    const page = mp.openCheckout();
    expect(page.data.statusText).toBe('正在确认支付结果…');
    before.backend.setStatus('T000001', 'paid');
    await settle();
    expect(page.data.statusText).toBe('支付成功');

    const again = launch({ fake: before.fake, backend: before.backend });
    const next = again.openCheckout();
    expect(next.data.statusText).toBe('正在创建订单…');
  });
});

test('resuming is per launch: a later checkout page in the same launch (reLaunch) starts a new order', async () => {
  const before = await killedWhilePayingOnce();
  const mp = launch({ fake: before.fake, backend: before.backend });
  const first = mp.openCheckout();
  expect(first.data.statusText).toBe('正在确认支付结果…');
  mp.unload(first);
  const second = mp.openCheckout();
  await settle();
  expect(second.data.statusText).toBe('待支付');
  expect(before.backend.orders.size).toBe(2);
});

async function killedWhilePayingOnce() {
  const mp = launch();
  const page = mp.openCheckout();
  await settle();
  mp.tap(page, 'onPayTap');
  await settle();
  return mp;
}

describe('app hidden', () => {
  test('no check is sent while the app is in the background; it resumes on show', async () => {
    const { mp, page } = await readyCheckout();
    mp.tap(page, 'onPayTap');
    await settle();
    mp.fake.appShow(returnFromProvider({}));
    await settle(100);
    expect(mp.backend.checks).toHaveLength(1);
    mp.fake.appHide();
    await settle(120000);
    expect(mp.backend.checks).toHaveLength(1);
    expect(page.data.statusText).toBe('正在确认支付结果…');
    mp.backend.setStatus('T000001', 'paid');
    mp.fake.appShow({ scene: 1001, path: 'pages/checkout/checkout', query: {} });
    await settle();
    expect(mp.backend.checks).toHaveLength(2);
    expect(page.data.statusText).toBe('支付成功');
  });
});

describe('checkout page: ways out of every state', () => {
  async function jumpedAndBack() {
    const r = await readyCheckout();
    r.mp.tap(r.page, 'onPayTap');
    await settle();
    r.mp.fake.appShow(returnFromProvider({}));
    await settle();
    return r;
  }

  test('a failed order creation shows 重试 only: no disabled pay button that serves no purpose', async () => {
    const mp = launch();
    mp.backend.failNextOrder({ fail: 'request:fail -106:net::ERR_INTERNET_DISCONNECTED' });
    const page = mp.openCheckout();
    await settle();
    expect(page.data.statusText).toBe('订单创建失败');
    expect(page.data.showPay).toBe(false);
    expect(page.data.showRetry).toBe(true);
  });

  test('after the backend disowns the order, only 重新下单 is offered (a recheck would have nothing to ask)', async () => {
    const { mp, page } = await jumpedAndBack();
    expect(page.data.statusText).toBe('正在确认支付结果…');
    mp.backend.orders.delete('T000001');
    mp.unload(page);
    const again = mp.openCheckout();
    await settle();
    // a fresh page resumes nothing here (resume is once per launch); act out the disowning on a confirming page instead
    expect(again.data.statusText).toBe('待支付');
    mp.tap(again, 'onPayTap');
    await settle();
    mp.backend.orders.delete('T000002');
    mp.fake.appShow(returnFromProvider({}));
    await settle();
    expect(again.data.statusText).toBe('找不到这笔订单');
    expect(again.data.messageText).toBe(MESSAGES['check.order_not_found'].text);
    expect(again.data.showRecheck).toBe(false);
    expect(again.data.showRetry).toBe(true);
    expect(again.data.retryText).toBe('重新下单');
  });

  test('重新支付 while a confirmation runs cancels it; cancelling that jump comes back to 尚未支付, not 待支付', async () => {
    const { mp, page } = await jumpedAndBack();
    mp.backend.failNext(100, { fail: 'net::ERR_CONNECTION_REFUSED' });
    await settle(26000); // the long-poll answers pending; the next checks fail: check-error, confirmation still running
    expect(page.data.statusText).toBe('暂时无法确认支付结果');
    const checks = mp.backend.checks.length;
    mp.fake.answerJumpDialog('cancel');
    mp.tap(page, 'onRepayTap');
    await settle(60000);
    expect(page.data.statusText).toBe('尚未支付');
    expect(page.data.showPay).toBe(false);
    expect(mp.backend.checks.length).toBe(checks); // the replaced confirmation sent nothing more
  });

  test('a provider order id learned while confirming is handed to the backend at once', async () => {
    const { mp } = await jumpedAndBack();
    expect(mp.backend.checks[0].data).not.toHaveProperty('payjsOrderId');
    // WeChat killed the app; the next launch resumes the stored order, then the 1038 show carrying the id arrives
    const next = launch({ fake: mp.fake, backend: mp.backend });
    const resumed = next.openCheckout();
    await settle();
    expect(resumed.data.statusText).toBe('正在确认支付结果…');
    const before = mp.backend.checks.length;
    next.fake.appShow(returnFromProvider({ success: true, payjsOrderId: 'P777' }));
    await settle();
    expect(mp.backend.checks.length).toBe(before + 1);
    expect(mp.backend.checks[mp.backend.checks.length - 1].data).toMatchObject({ payjsOrderId: 'P777' });
    expect(resumed.data.statusText).toBe('正在确认支付结果…');
  });

  test('an order naming a mini program the app was not built for is never opened', async () => {
    const backend = createFakeBackend({ providerAppId: 'wx00000000000000ff' });
    const mp = launch({ backend });
    const page = mp.openCheckout();
    await settle();
    mp.tap(page, 'onPayTap');
    expect(mp.fake.jumps).toHaveLength(0);
    expect(page.data.statusText).toBe('暂时无法支付');
    expect(page.data.messageText).toBe(MESSAGES['jump.not_allowed'].text);
    expect(page.data.showPay).toBe(false); // tapping again cannot help
  });
});

describe('a check answer that is not a well-formed verdict about this order', () => {
  test.each([
    ['{}', {}],
    ['"PAID"', 'PAID'],
    ['another order\'s paid', { outTradeNo: 'T424242', status: 'paid', paySuccess: true }],
  ])('%s never shows 支付成功 and never settles the stored order', async (_name, data) => {
    const { mp, page } = await readyCheckout();
    mp.tap(page, 'onPayTap');
    await settle();
    mp.backend.failNext(3, { statusCode: 200, data });
    mp.fake.appShow(returnFromProvider({ success: true }));
    for (let t = 0; t < 10; t++) {
      await settle(500);
      expect(page.data.statusText).not.toBe('支付成功');
      expect(storedOrder(mp, 'T000001').settled).toBeUndefined();
    }
    // the long-poll and two checks after it got nonsense; one more answered pending (the page is back to confirming)
    // and the long-poll goes on
    expect(mp.backend.checks.map((c) => c.data!.waitMs)).toEqual([25000, 0, 0, 0, 25000]);
    expect(page.data.statusText).toBe('正在确认支付结果…');
    mp.backend.setStatus('T000001', 'paid');
    await settle(1000);
    expect(page.data.statusText).toBe('支付成功');
  });
});

test('a trial version built for development refuses its backend: no request, a message for the payer, no pay button', async () => {
  const backend = createFakeBackend();
  const fake = createFakeWx({ handler: backend.handler, accountEnvVersion: 'trial' });
  const mp = launch({ fake, backend });
  const page = mp.openCheckout();
  await settle(5000);
  expect(fake.requests).toHaveLength(0);
  expect(page.data.messageText).toContain('支付服务配置有误');
  expect(page.data.showPay).toBe(false);
  expect(consoleWarnings.join('\n')).toMatch(/trial version was built for develop/);
});
