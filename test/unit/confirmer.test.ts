import { createApiClient } from '../../miniprogram/lib/api';
import { createConfirmer } from '../../miniprogram/lib/confirmer';
import { createConnectivity } from '../../miniprogram/lib/connectivity';
import { createCancelSource } from '../../miniprogram/lib/cancel';
import { createVisibility } from '../../miniprogram/lib/visibility';
import { createHostClock } from '../../miniprogram/lib/clock';
import type { Clock } from '../../miniprogram/lib/ports';
import { createFakeBackend, createFakeWx } from '../fixtures/fake-wx';

/** The app's own clock (app.ts), on jest's fake timers and fake Date. */
const appClock = (): Clock =>
  createHostClock({
    wallNow: () => Date.now(),
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  });

let clock: Clock;
beforeEach(() => {
  jest.useFakeTimers();
  clock = appClock();
});
afterEach(() => jest.useRealTimers());

async function setup(opts: { random?: number } = {}) {
  const backend = createFakeBackend();
  const fake = createFakeWx({ handler: backend.handler });
  const confirmer = createConfirmer({
    request: fake.wx,
    baseUrl: 'http://127.0.0.1:3000',
    clock,
    random: () => (opts.random === undefined ? 0.5 : opts.random),
  });
  // create an order the way the page does
  const order = await new Promise<{ outTradeNo: string; orderToken: string }>((resolve, reject) =>
    fake.wx.request({ url: 'http://127.0.0.1:3000/api/orders', method: 'POST', data: { sku: 'vip-month' }, success: (r) => resolve(r.data as never), fail: reject }),
  );
  const target = { outTradeNo: order.outTradeNo, orderToken: order.orderToken };
  fake.requests.length = 0;
  backend.checks.length = 0;
  return { backend, fake, confirmer, target, t0: Date.now() };
}

const offsets = (checks: { at: number }[], t0: number) => checks.map((c) => c.at - t0);

test('long-polls with waitMs and a request timeout above it; resolves with the backend verdict', async () => {
  const { backend, confirmer, target } = await setup();
  const result = confirmer.confirm(target);
  await jest.advanceTimersByTimeAsync(10);
  expect(backend.checks[0].data).toEqual({ ...target, waitMs: 25000 });
  expect(backend.checks[0].timeout).toBe(30000);
  backend.setStatus(target.outTradeNo, 'paid');
  await expect(result).resolves.toMatchObject({ outcome: 'final', status: 'paid', requests: 1 });
  expect(confirmer.stats.requests).toBe(1);
});

test('backs off exponentially with jitter on network errors and 5xx, then carries on', async () => {
  const { backend, fake, confirmer, target, t0 } = await setup({ random: 0.5 });
  backend.failNext(2, { fail: 'net::ERR_CONNECTION_REFUSED' });
  backend.failNext(2, { statusCode: 502, data: 'Bad Gateway' });
  const result = confirmer.confirm(target);
  await jest.advanceTimersByTimeAsync(10000);
  // random 0.5: delay = 3/4 of base*2^(n-1): 375, 750, 1500, 3000 ms after each failure; after a failure the next
  // check does not wait (waitMs 0), and once it answers the long-poll resumes at once
  expect(offsets(backend.checks, t0)).toEqual([0, 375, 1125, 2625, 5625, 5625]);
  expect(backend.checks.map((c) => c.data!.waitMs)).toEqual([25000, 0, 0, 0, 0, 25000]);
  expect(confirmer.backoffDelay(1, 0)).toBe(250);
  expect(confirmer.backoffDelay(1, 0.999)).toBe(500);
  expect(confirmer.backoffDelay(10, 1)).toBe(8000); // capped
  expect(confirmer.backoffDelay(10, 1, 'network')).toBe(1000); // an unreachable backend: about once a second
  backend.setStatus(target.outTradeNo, 'paid');
  await expect(result).resolves.toMatchObject({ outcome: 'final', status: 'paid', requests: 6 });
  expect(confirmer.stats.errors).toBe(4);
  expect(fake.requests.every((r) => r.path === '/api/pay/check')).toBe(true);
});

test('jitter spreads retries: a different random gives different delays', async () => {
  const a = await setup({ random: 0 });
  a.backend.failNext(1, { fail: 'timeout' });
  void a.confirmer.confirm(a.target);
  await jest.advanceTimersByTimeAsync(1000);
  expect(offsets(a.backend.checks, a.t0)).toEqual([0, 250, 250]);
});

test('stops at the overall deadline with outcome timeout (still pending: never "failed")', async () => {
  const { backend, confirmer, target, t0 } = await setup();
  let settled: unknown;
  void confirmer.confirm(target).then((r) => (settled = r));
  await jest.advanceTimersByTimeAsync(59999);
  expect(settled).toBeUndefined();
  await jest.advanceTimersByTimeAsync(2);
  expect(settled).toMatchObject({ outcome: 'timeout', requests: 3 });
  // 25 s + 25 s + the remaining 10 s: the last poll is trimmed to the deadline
  expect(offsets(backend.checks, t0)).toEqual([0, 25000, 50000]);
  expect(backend.checks[2].data).toMatchObject({ waitMs: 10000 });
  await jest.advanceTimersByTimeAsync(120000);
  expect(backend.checks).toHaveLength(3);
});

test('a backend that ignores waitMs is not hammered: at most one check per minCheckIntervalMs', async () => {
  const { backend, target } = await setup();
  const instant = backend.handler;
  const fakeHandler = (req: Parameters<typeof instant>[0], s: Parameters<typeof instant>[1]) => instant({ ...req, data: { ...req.data, waitMs: 0 } }, s);
  const fake2 = createFakeWx({ handler: fakeHandler });
  const c2 = createConfirmer({ request: fake2.wx, baseUrl: 'http://x', clock });
  void c2.confirm(target);
  await jest.advanceTimersByTimeAsync(10000);
  expect(fake2.requests.length).toBeGreaterThanOrEqual(9);
  expect(fake2.requests.length).toBeLessThanOrEqual(11);
  expect(c2.stats.pendingAnswers).toBe(fake2.requests.length);
});

test('a 4xx that does not speak of the order (a proxy page mid-deploy) is retried, and the payment still confirmed', async () => {
  const { backend, confirmer, target } = await setup();
  backend.failNext(2, { statusCode: 404, data: '<html>Not Found</html>' });
  const result = confirmer.confirm(target);
  await jest.advanceTimersByTimeAsync(3000);
  expect(backend.checks).toHaveLength(4); // the long-poll, two refused checks, one answered at once, the long-poll again
  backend.setStatus(target.outTradeNo, 'paid');
  await jest.advanceTimersByTimeAsync(10);
  await expect(result).resolves.toMatchObject({ outcome: 'final', status: 'paid' });
});

test('order_not_found is final for the loop: rejected, no retry', async () => {
  const { backend, confirmer, target } = await setup();
  const result = await Promise.all([confirmer.confirm({ ...target, orderToken: 'guessed' }), jest.advanceTimersByTimeAsync(10)]);
  expect(result[0]).toMatchObject({ outcome: 'rejected', error: { status: 404, code: 'order_not_found', message: 'POST /api/pay/check answered HTTP 404 order_not_found: 订单不存在或无权查询' } });
  await jest.advanceTimersByTimeAsync(60000);
  expect(backend.checks).toHaveLength(1);
});

test('cancel aborts the in-flight long-poll and sends nothing more', async () => {
  const { backend, confirmer, target } = await setup();
  const source = createCancelSource();
  const result = confirmer.confirm(target, { signal: source.signal });
  await jest.advanceTimersByTimeAsync(1000);
  source.cancel();
  await expect(result).resolves.toMatchObject({ outcome: 'cancelled' });
  await jest.advanceTimersByTimeAsync(120000);
  expect(backend.checks).toHaveLength(1);
});

test('cancel during a backoff pause ends it at once', async () => {
  const { backend, confirmer, target } = await setup();
  backend.failNext(1, { statusCode: 500, data: { error: { code: 'INTERNAL', message: 'boom' } } });
  const source = createCancelSource();
  const result = confirmer.confirm(target, { signal: source.signal });
  await jest.advanceTimersByTimeAsync(100);
  source.cancel();
  await expect(result).resolves.toMatchObject({ outcome: 'cancelled', requests: 1 });
});

test('an AbortController signal works too (the Node benchmark passes one)', async () => {
  const { confirmer, target } = await setup();
  const controller = new AbortController();
  const result = confirmer.confirm(target, { signal: controller.signal });
  await jest.advanceTimersByTimeAsync(10);
  controller.abort();
  await expect(result).resolves.toMatchObject({ outcome: 'cancelled' });
});

test('pauses while hidden (aborting the poll in flight), and the deadline does not run meanwhile', async () => {
  const { backend, confirmer, target, t0 } = await setup();
  const visibility = createVisibility();
  let settled: unknown;
  void confirmer.confirm(target, { visibility }).then((r) => (settled = r));
  await jest.advanceTimersByTimeAsync(5000);
  visibility.hide();
  await jest.advanceTimersByTimeAsync(300000);
  expect(backend.checks).toHaveLength(1);
  expect(settled).toBeUndefined();
  visibility.show();
  await jest.advanceTimersByTimeAsync(10);
  expect(offsets(backend.checks, t0)).toEqual([0, 305000]);
  // 5 s were used before hiding: 55 s remain
  await jest.advanceTimersByTimeAsync(54900);
  expect(settled).toBeUndefined();
  await jest.advanceTimersByTimeAsync(200);
  expect(settled).toMatchObject({ outcome: 'timeout' });
});

test('backend unreachable: retried about once a second past the deadline, so its return is seen at once', async () => {
  const { backend, confirmer, target, t0 } = await setup();
  backend.failNext(1000, { fail: 'net::ERR_CONNECTION_REFUSED' });
  let settled: unknown;
  void confirmer.confirm(target).then((r) => (settled = r));
  await jest.advanceTimersByTimeAsync(90000);
  expect(settled).toBeUndefined(); // the deadline ends only a confirmation the backend keeps answering
  const gaps = offsets(backend.checks, t0).slice(1).map((t, i, all) => t - (i ? all[i - 1] : 0));
  expect(Math.max(...gaps.slice(2))).toBeLessThanOrEqual(1000);
  expect(backend.checks.length).toBeLessThan(130); // not hammered either: 90 s at 0.5-1 s
  // the backend comes back: the next check (no wait) answers, and the deadline, long past, ends it as not paid yet
  backend.clearFaults();
  await jest.advanceTimersByTimeAsync(1000);
  expect(settled).toMatchObject({ outcome: 'timeout' });
  expect((settled as { lastError?: unknown }).lastError).toBeUndefined();
});

test('backend unreachable for maxOutageMs: stops with the last error so the page can say so', async () => {
  const { backend, confirmer, target } = await setup();
  backend.failNext(1000, { fail: 'net::ERR_CONNECTION_REFUSED' });
  const result = confirmer.confirm(target);
  await jest.advanceTimersByTimeAsync(5 * 60000 + 2000);
  await expect(result).resolves.toMatchObject({ outcome: 'timeout', lastError: { kind: 'network' } });
  const sent = backend.checks.length;
  await jest.advanceTimersByTimeAsync(60000);
  expect(backend.checks).toHaveLength(sent);
});

test('a backend answering 5xx is backed off to 8 s (it is up, and struggling)', async () => {
  const { backend, confirmer, target, t0 } = await setup({ random: 0.5 });
  backend.failNext(100, { statusCode: 503, data: { error: { code: 'store_unavailable', message: 'x' } } });
  void confirmer.confirm(target);
  await jest.advanceTimersByTimeAsync(60000);
  const gaps = offsets(backend.checks, t0).slice(1).map((t, i, all) => t - (i ? all[i - 1] : 0));
  expect(gaps.slice(-3)).toEqual([6000, 6000, 6000]); // 3/4 of the 8 s cap with random 0.5
});

test('offline (WeChat says so): nothing is sent until the network returns, then a check goes out at once', async () => {
  const backend = createFakeBackend();
  const fake = createFakeWx({ handler: backend.handler });
  const connectivity = createConnectivity(fake.wx);
  const api = createApiClient({ request: fake.wx, baseUrl: 'http://127.0.0.1:3000', connectivity });
  const confirmer = createConfirmer({ api, clock, random: () => 0.5 });
  const order = await api.createOrder('vip-month');
  fake.setOnline(false);
  const progress: string[] = [];
  let settled: unknown;
  void confirmer
    .confirm({ outTradeNo: order.outTradeNo, orderToken: order.orderToken }, { connectivity, onProgress: (p) => progress.push(p.state === 'retrying' ? p.error.kind : p.state) })
    .then((r) => (settled = r));
  await jest.advanceTimersByTimeAsync(5000);
  expect(progress).toEqual(['offline']);
  expect(fake.requests.filter((r) => r.path === '/api/pay/check')).toHaveLength(1);
  fake.setOnline(true);
  await jest.advanceTimersByTimeAsync(10);
  expect(progress).toEqual(['offline', 'waiting']);
  expect(backend.checks.map((c) => c.data!.waitMs)).toEqual([0, 25000]);
  backend.setStatus(order.outTradeNo, 'paid');
  await jest.advanceTimersByTimeAsync(10);
  expect(settled).toMatchObject({ outcome: 'final', status: 'paid' });
});

test('polling schedules for the benchmark: fixed 1 s, and 0.5 s doubling to a cap (checkIntervalGrowth)', async () => {
  const fixed = await setup();
  const c1 = createConfirmer({ request: fixed.fake.wx, baseUrl: 'http://127.0.0.1:3000', clock, config: { waitMs: 0, minCheckIntervalMs: 1000 } });
  void c1.confirm(fixed.target);
  await jest.advanceTimersByTimeAsync(4500);
  expect(fixed.backend.checks.map((c) => c.data?.waitMs)).toEqual([0, 0, 0, 0, 0]);
  expect(offsets(fixed.backend.checks, fixed.t0)).toEqual([0, 1000, 2000, 3000, 4000]);

  const grow = await setup();
  const c2 = createConfirmer({
    request: grow.fake.wx,
    baseUrl: 'http://127.0.0.1:3000',
    clock,
    config: { waitMs: 0, minCheckIntervalMs: 500, checkIntervalGrowth: 2, maxCheckIntervalMs: 4000 },
  });
  const result = c2.confirm(grow.target);
  await jest.advanceTimersByTimeAsync(20000);
  expect(offsets(grow.backend.checks, grow.t0)).toEqual([0, 500, 1500, 3500, 7500, 11500, 15500, 19500]);
  grow.backend.setStatus(grow.target.outTradeNo, 'paid');
  await jest.advanceTimersByTimeAsync(4000);
  await expect(result).resolves.toMatchObject({ outcome: 'final', status: 'paid', requests: 9 });
});

test('maxChecks 1 is a single check (a manual "check again" tap): pending ends as timeout at once', async () => {
  const { backend, target } = await setup();
  const fake = createFakeWx({ handler: backend.handler });
  const single = createConfirmer({ request: fake.wx, baseUrl: 'http://127.0.0.1:3000', clock, config: { waitMs: 0, maxChecks: 1 } });
  const result = single.confirm(target);
  await jest.advanceTimersByTimeAsync(10);
  await expect(result).resolves.toEqual({ outcome: 'timeout', requests: 1 });
  await jest.advanceTimersByTimeAsync(60000);
  expect(backend.checks).toHaveLength(1);
  backend.setStatus(target.outTradeNo, 'paid');
  const again = single.confirm(target);
  await jest.advanceTimersByTimeAsync(10);
  await expect(again).resolves.toMatchObject({ outcome: 'final', status: 'paid', requests: 1 });
});

describe('the phone\'s clock is set an hour back or forward mid-confirmation (waits run on the monotonic clock)', () => {
  const HOUR = 3600 * 1000;

  test('an hour back while a check is in flight: the next check comes after the check interval, not an hour later', async () => {
    const { backend, target } = await setup();
    // a backend that ignores waitMs and answers pending after 200 ms: the confirmer paces itself (minCheckIntervalMs 1 s)
    const instant = backend.handler;
    const slow = createFakeWx({
      handler: (req, s) => new Promise((resolve) => setTimeout(() => resolve(instant({ ...req, data: { ...req.data, waitMs: 0 } }, s)), 200)),
    });
    const confirmer = createConfirmer({ request: slow.wx, baseUrl: 'http://x', clock });
    void confirmer.confirm(target);
    await jest.advanceTimersByTimeAsync(100);
    expect(slow.requests).toHaveLength(1);
    jest.setSystemTime(Date.now() - HOUR); // while the first check is in flight
    await jest.advanceTimersByTimeAsync(1500);
    expect(slow.requests).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(3000);
    expect(slow.requests.length).toBeGreaterThanOrEqual(4);
  });

  test('an hour forward during a backoff pause: the retry still goes out, the confirmation does not end', async () => {
    const { backend, confirmer, target } = await setup({ random: 0.5 });
    backend.failNext(1, { fail: 'net::ERR_CONNECTION_REFUSED' });
    let settled: unknown;
    void confirmer.confirm(target).then((r) => (settled = r));
    await jest.advanceTimersByTimeAsync(100);
    jest.setSystemTime(Date.now() + HOUR);
    await jest.advanceTimersByTimeAsync(1000);
    expect(backend.checks.map((c) => c.data!.waitMs)).toEqual([25000, 0, 25000]);
    expect(settled).toBeUndefined();
  });

  test('an hour back: the deadline still ends the confirmation 60 s after it started, not an hour later', async () => {
    const { confirmer, target } = await setup();
    let settled: unknown;
    void confirmer.confirm(target).then((r) => (settled = r));
    await jest.advanceTimersByTimeAsync(5000);
    jest.setSystemTime(Date.now() - HOUR);
    await jest.advanceTimersByTimeAsync(50000);
    expect(settled).toBeUndefined();
    await jest.advanceTimersByTimeAsync(8000);
    expect(settled).toMatchObject({ outcome: 'timeout' });
  });

  test('an hour forward: the confirmation does not end at once; it runs to its 60 s deadline', async () => {
    const { backend, confirmer, target } = await setup();
    let settled: unknown;
    void confirmer.confirm(target).then((r) => (settled = r));
    await jest.advanceTimersByTimeAsync(5000);
    jest.setSystemTime(Date.now() + HOUR);
    await jest.advanceTimersByTimeAsync(25000); // the first long-poll answers pending at 25 s
    expect(settled).toBeUndefined();
    expect(backend.checks).toHaveLength(2);
    expect(backend.checks[1].data).toMatchObject({ waitMs: 25000 });
    await jest.advanceTimersByTimeAsync(27000);
    expect(settled).toBeUndefined();
    backend.setStatus(target.outTradeNo, 'paid');
    await jest.advanceTimersByTimeAsync(10);
    expect(settled).toMatchObject({ outcome: 'final', status: 'paid' });
  });
});

describe('only a well-formed verdict about this order counts', () => {
  const bogus: [string, unknown][] = [
    ['an empty object', {}],
    ['the string "PAID"', 'PAID'],
    ['another order\'s paid', { outTradeNo: 'T999999', status: 'paid', paySuccess: true }],
    ['an unknown status', { outTradeNo: 'T000001', status: 'PAID', paySuccess: true }],
    ['paySuccess without status paid', { outTradeNo: 'T000001', status: 'pending', paySuccess: true }],
    ['status paid without paySuccess', { outTradeNo: 'T000001', status: 'paid', paySuccess: false }],
    ['an array', [{ outTradeNo: 'T000001', status: 'paid', paySuccess: true }]],
    ['null', null],
  ];

  test.each(bogus)('%s is retried with backoff like a network error, never a verdict', async (_name, data) => {
    const { backend, confirmer, target, t0 } = await setup({ random: 0.5 });
    expect(target.outTradeNo).toBe('T000001');
    backend.failNext(2, { statusCode: 200, data });
    const progress: string[] = [];
    let settled: unknown;
    void confirmer.confirm(target, { onProgress: (p) => progress.push(p.state === 'retrying' ? `retrying:${p.error.kind}` : p.state) }).then((r) => (settled = r));
    await jest.advanceTimersByTimeAsync(2000);
    expect(settled).toBeUndefined();
    expect(backend.checks.map((c) => c.data!.waitMs)).toEqual([25000, 0, 0, 25000]); // two bogus answers, one at once, then the long-poll
    expect(backend.checks[1].at - t0).toBeGreaterThanOrEqual(250); // backed off, not hammered
    expect(progress.slice(0, 2)).toEqual(['retrying:bad-response', 'retrying:bad-response']);
    backend.setStatus(target.outTradeNo, 'paid');
    await jest.advanceTimersByTimeAsync(10);
    expect(settled).toMatchObject({ outcome: 'final', status: 'paid' });
  });
});
