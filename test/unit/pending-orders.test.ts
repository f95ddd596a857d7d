// Pending orders on the phone: kept per outTradeNo, the most recent jump resumed, the rest checked once, and one long
// past its expiry checked once and dropped.
import { LEGACY_PENDING_ORDER_KEY, PENDING_ORDERS_KEY, STALE_AFTER_MS } from '../../miniprogram/lib/config';
import { createPendingStore, isStale, type PendingOrder } from '../../miniprogram/lib/pending-store';
import { createFakeWx } from '../fixtures/fake-wx';
import { launch, settle, storedOrder, storedOrderList } from './harness';

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

const DAY = 24 * 3600 * 1000;

/** A user opens the checkout page and taps pay; the app is then killed (nothing else happens in this launch). */
async function payOnce(mp: ReturnType<typeof launch>) {
  const page = mp.openCheckout();
  await settle();
  mp.tap(page, 'onPayTap');
  await settle();
  return page;
}

test('a second pending order is stored beside the first, not over it', async () => {
  const mp = launch();
  const first = await payOnce(mp);
  mp.unload(first);
  await payOnce(mp); // the user starts over on a new page: a new order, a new jump
  expect(storedOrderList(mp).map((o) => o.outTradeNo)).toEqual(['T000002', 'T000001']);
  expect(storedOrder(mp, 'T000001').settled).toBeUndefined();
});

test('the next launch resumes the most recent jump and checks the other one once without waiting', async () => {
  const before = launch();
  const first = await payOnce(before);
  before.unload(first);
  await settle(1000);
  await payOnce(before);
  before.backend.setStatus('T000001', 'paid'); // the first one was paid after all

  const mp = launch({ fake: before.fake, backend: before.backend });
  const page = mp.openCheckout();
  expect(page.data.statusText).toBe('正在确认支付结果…');
  await settle();
  const checks = before.backend.checks.map((c) => c.data);
  expect(checks).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ outTradeNo: 'T000002', waitMs: 25000 }),
      expect.objectContaining({ outTradeNo: 'T000001', waitMs: 0 }),
    ]),
  );
  expect(checks).toHaveLength(2);
  expect(storedOrder(mp, 'T000001').settled).toBe('paid');
  before.backend.setStatus('T000002', 'paid');
  await settle();
  expect(page.data.statusText).toBe('支付成功');
  expect(storedOrder(mp, 'T000002').settled).toBe('paid');
});

test('an order long past its expiry is checked once, then dropped, and never resumed', async () => {
  const before = launch();
  await payOnce(before);
  // a year later (by the phone's clock): the order expired long ago
  jest.setSystemTime(Date.now() + 365 * DAY);
  const mp = launch({ fake: before.fake, backend: before.backend });
  const page = mp.openCheckout();
  expect(page.data.statusText).toBe('正在创建订单…');
  await settle();
  expect(page.data.statusText).toBe('待支付');
  const checks = before.backend.checks.map((c) => c.data);
  expect(checks).toEqual([expect.objectContaining({ outTradeNo: 'T000001', waitMs: 0 })]);
  expect(storedOrderList(mp).map((o) => o.outTradeNo)).toEqual([]);

  // and it stays dropped: the next launch neither checks nor resumes it
  const again = launch({ fake: before.fake, backend: before.backend });
  again.openCheckout();
  await settle();
  expect(before.backend.checks).toHaveLength(1);
});

test('an order just past its expiry is still resumed: the backend may find it paid at the provider', async () => {
  const before = launch();
  await payOnce(before);
  jest.setSystemTime(Date.now() + 20 * 60000); // past the 15 min lifetime, well within a day
  const mp = launch({ fake: before.fake, backend: before.backend });
  const page = mp.openCheckout();
  expect(page.data.statusText).toBe('正在确认支付结果…');
});

test('an unreachable backend does not keep a stale order: it is dropped after its one attempt', async () => {
  const before = launch();
  await payOnce(before);
  jest.setSystemTime(Date.now() + 2 * DAY);
  before.fake.setOnline(false);
  const mp = launch({ fake: before.fake, backend: before.backend });
  mp.openCheckout();
  await settle();
  expect(storedOrderList(mp)).toEqual([]);
});

describe('the store', () => {
  const order = (outTradeNo: string, jumpedAt: number, expiresAt = new Date(jumpedAt + 15 * 60000).toISOString()): PendingOrder => ({
    outTradeNo,
    orderToken: `tok-${outTradeNo}`,
    totalFee: 1990,
    body: '会员月卡',
    expiresAt,
    payParams: { mchid: '1', total_fee: 1990, out_trade_no: outTradeNo, nonce: 'n', sign: 'S' },
    provider: { appId: 'wx959c8c1fb2d89988', path: 'pages/pay' },
    jumpedAt,
  });

  test('keeps orders per outTradeNo, newest jump first; update and settle touch only their order', () => {
    const fake = createFakeWx();
    const store = createPendingStore(fake.wx);
    store.save(order('A', 1000));
    store.save(order('B', 2000));
    store.save({ ...order('A', 3000) });
    expect(store.all().map((o) => [o.outTradeNo, o.jumpedAt])).toEqual([['A', 3000], ['B', 2000]]);
    store.update('B', { payjsOrderId: 'P2' });
    store.settle('A', 'paid');
    expect(store.get('B')!.payjsOrderId).toBe('P2');
    expect(store.unsettled().map((o) => o.outTradeNo)).toEqual(['B']);
    store.remove('B');
    expect(store.all().map((o) => o.outTradeNo)).toEqual(['A']);
  });

  test('bounded: past the limit the oldest settled record goes first', () => {
    const fake = createFakeWx();
    const store = createPendingStore(fake.wx);
    for (let i = 0; i < 10; i++) store.save(order(`O${i}`, 1000 + i));
    store.settle('O5', 'paid');
    store.save(order('NEW', 5000));
    expect(store.all()).toHaveLength(10);
    expect(store.get('O5')).toBeNull();
    expect(store.get('O0')).not.toBeNull();
  });

  test('the first release\'s single pending order is carried over once', () => {
    const fake = createFakeWx();
    fake.wx.setStorageSync(LEGACY_PENDING_ORDER_KEY, order('OLD', 1000));
    const store = createPendingStore(fake.wx);
    expect(store.unsettled().map((o) => o.outTradeNo)).toEqual(['OLD']);
    expect(fake.wx.getStorageSync(LEGACY_PENDING_ORDER_KEY)).toBe('');
    expect(Object.keys(fake.storageSnapshot())).toEqual([PENDING_ORDERS_KEY]);
  });

  test('garbage in storage reads as no orders', () => {
    const fake = createFakeWx();
    fake.wx.setStorageSync(PENDING_ORDERS_KEY, { orders: [{ outTradeNo: 1 }, 'x', null] });
    expect(createPendingStore(fake.wx).all()).toEqual([]);
    fake.wx.setStorageSync(PENDING_ORDERS_KEY, 'PAID');
    expect(createPendingStore(fake.wx).all()).toEqual([]);
  });

  test('stale needs both the expiry and the last jump a day past (a phone clock ahead of the backend is not enough)', () => {
    const now = Date.UTC(2025, 0, 10);
    expect(isStale(order('A', now - 2 * DAY), now)).toBe(true);
    expect(isStale(order('A', now - 60000), now)).toBe(false);
    // the backend's expiry long past by this phone's clock, but the user jumped a minute ago
    expect(isStale(order('A', now - 60000, new Date(now - 3 * DAY).toISOString()), now)).toBe(false);
    expect(isStale(order('A', now - STALE_AFTER_MS - 1, 'not a date'), now)).toBe(true);
  });
});
