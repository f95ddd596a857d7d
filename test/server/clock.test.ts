// Every wait on the server runs on the monotonic clock: a wall clock stepped an hour back or forward (NTP, an
// administrator, a VM resumed) neither holds a check for an hour nor ends it at once, and a lost notify is still
// recovered by the provider query on time, and a client's rate-limit window lasts its minute.

import type { HttpAnswer } from '../../common/http-client';
import { check, createOrder, json, postJson, sleep, startStack, steppableClock } from './helpers';

const HOUR = 3_600_000;

describe('a wall clock stepped an hour during waiting checks', () => {
  it.each([
    ['back', -HOUR],
    ['forward', HOUR],
  ])('stepped %s: checks with waitMs 1000 and 5000 answer after about waitMs', async (_direction, step) => {
    const time = steppableClock();
    // a lifetime longer than the step, so expiry is not what ends the wait; no provider to ask
    const stack = await startStack({ clock: time.clock, orderTtlMs: 3 * HOUR, providerQueryByOutTradeNo: false }, false);
    try {
      const [short, long] = [await createOrder(stack.serverUrl), await createOrder(stack.serverUrl)];
      const sentAt = performance.now();
      const waits = [
        check(stack.serverUrl, short, { waitMs: 1000 }).then((s) => ({ s, after: performance.now() - sentAt })),
        check(stack.serverUrl, long, { waitMs: 5000 }).then((s) => ({ s, after: performance.now() - sentAt })),
      ];
      await sleep(300);
      time.step(step);
      const [a, b] = await Promise.all(waits);
      expect(a.s.status).toBe('pending');
      expect(b.s.status).toBe('pending');
      // not at once, and not an hour later (the upper slack is for a loaded 2-core CI machine)
      expect(a.after).toBeGreaterThanOrEqual(990);
      expect(a.after).toBeLessThan(1000 + 1500);
      expect(b.after).toBeGreaterThanOrEqual(4990);
      expect(b.after).toBeLessThan(5000 + 1500);
    } finally {
      await stack.close();
    }
  }, 20_000);

  it.each([
    ['back', -HOUR],
    ['forward', HOUR],
  ])('stepped %s after the user came back: the provider query still comes PROVIDER_QUERY_AFTER_MS later', async (_d, step) => {
    const time = steppableClock();
    const stack = await startStack({ clock: time.clock, orderTtlMs: 3 * HOUR, providerQueryAfterMs: 1000 });
    try {
      await postJson(`${stack.sandboxUrl}/scenario`, { outcome: 'paid', notify: 'lost' });
      const order = await createOrder(stack.serverUrl);
      const back = json<{ payjsOrderId: string }>(await postJson(`${stack.sandboxUrl}/pay`, order.payParams));
      const sentAt = performance.now();
      const waiting = check(stack.serverUrl, order, { waitMs: 5000, payjsOrderId: back.payjsOrderId });
      await sleep(200);
      time.step(step);
      expect(await waiting).toMatchObject({ status: 'paid', paySuccess: true });
      const after = performance.now() - sentAt;
      expect(after).toBeGreaterThanOrEqual(990);
      // found by the query about 1 s after the first check, not at the end of the 5 s wait, nor an hour later
      expect(after).toBeLessThan(3500);
    } finally {
      await stack.close();
    }
  }, 20_000);

  it('stepped back before the next check: that check still asks the provider on time, not an hour later', async () => {
    const time = steppableClock();
    const stack = await startStack({
      clock: time.clock,
      orderTtlMs: 3 * HOUR,
      providerQueryAfterMs: 1000,
      providerQueryIntervalMs: 1000,
    });
    try {
      await postJson(`${stack.sandboxUrl}/scenario`, { outcome: 'paid', notify: 'lost' });
      const order = await createOrder(stack.serverUrl);
      const back = json<{ payjsOrderId: string }>(await postJson(`${stack.sandboxUrl}/pay`, order.payParams));
      // the user came back: the first check is answered at once, the provider query is due 1 s after it
      expect(await check(stack.serverUrl, order, { payjsOrderId: back.payjsOrderId })).toMatchObject({ status: 'pending' });
      time.step(-HOUR);
      // by the stepped wall clock the query is due in an hour and a second; it comes within about a second instead
      const sentAt = performance.now();
      expect(await check(stack.serverUrl, order, { waitMs: 10_000 })).toMatchObject({ status: 'paid', paySuccess: true });
      expect(performance.now() - sentAt).toBeLessThan(5000);
    } finally {
      await stack.close();
    }
  }, 20_000);
});

describe('the rate limits with the wall clock stepped an hour', () => {
  // the whole process's wall clock (Date.now), as an administrator or NTP would step it
  let offset = 0;
  const wallNow = Date.now.bind(Date);
  beforeEach(() => {
    offset = 0;
    jest.spyOn(Date, 'now').mockImplementation(() => wallNow() + offset);
  });
  afterEach(() => jest.restoreAllMocks());

  it.each([
    ['back', -HOUR],
    ['forward', HOUR],
  ])('stepped %s: a client at its limit stays limited for the rest of its minute, not an hour and not a moment', async (_d, step) => {
    const stack = await startStack({ orderRateLimitPerMinute: 2 }, false);
    const order = () => postJson(`${stack.serverUrl}/api/orders`, { sku: 'vip-month' });
    const retryAfterSeconds = (answer: HttpAnswer): number => {
      expect(answer.status).toBe(429);
      return Number(/retry in (\d+) s/.exec(json<{ error: { message: string } }>(answer).error.message)?.[1]);
    };
    try {
      expect((await order()).status).toBe(201);
      expect((await order()).status).toBe(201);
      expect(retryAfterSeconds(await order())).toBeLessThanOrEqual(60);
      offset += step;
      const seconds = retryAfterSeconds(await order());
      expect(seconds).toBeGreaterThan(0);
      expect(seconds).toBeLessThanOrEqual(60);
    } finally {
      await stack.close();
    }
  });
});
