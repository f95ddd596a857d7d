import { startSandbox } from '../../sandbox';
import { NOTIFY_SCHEDULES_MS } from '../../sandbox/notifier';
import { createProviderHandlers } from '../../sandbox/simulator-handler';
import { verifySign, withSign } from '../../common/sign';
import type { PayParams } from '../../typings/provider';
import { check, createOrder, fakeEndpoint, getJson, json, MERCHANT_ID, MERCHANT_KEY, postForm, postJson, sleep, startStack, type Stack } from './helpers';

interface Attempt {
  at: number;
  status: number;
  accepted: boolean;
  badSign: boolean;
}

async function attempts(stack: Pick<Stack, 'sandboxUrl'>, outTradeNo: string): Promise<Attempt[]> {
  const { orders } = json<{ orders: { notifyAttempts: Attempt[] }[] }>(
    await getJson(`${stack.sandboxUrl}/orders?out_trade_no=${outTradeNo}`),
  );
  return orders[0]?.notifyAttempts ?? [];
}

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(20);
  }
}

describe('sandbox /pay and scenarios, against the real backend', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ providerQueryAfterMs: 60_000 });
  });
  afterAll(() => stack.close());

  it('validates fields and sign like the provider', async () => {
    const order = await createOrder(stack.serverUrl);
    const tampered = await postJson(`${stack.sandboxUrl}/pay`, { ...order.payParams, total_fee: 1 });
    expect(tampered.status).toBe(400);
    expect(json(tampered)).toHaveProperty('error.code', 'bad_sign');
    const longBody = withSign({ ...order.payParams, body: 'x'.repeat(33) }, MERCHANT_KEY);
    expect((await postJson(`${stack.sandboxUrl}/pay`, longBody)).status).toBe(400);
    const stranger = withSign({ ...order.payParams, mchid: 'stranger' }, MERCHANT_KEY);
    expect(json(await postJson(`${stack.sandboxUrl}/pay`, stranger))).toHaveProperty('error.code', 'unknown_mchid');
    const { nonce: _nonce, ...noNonce } = order.payParams;
    expect((await postJson(`${stack.sandboxUrl}/pay`, noNonce)).status).toBe(400);
    expect((await check(stack.serverUrl, order)).status).toBe('pending');
  });

  it('paid: answers success with the provider order id and notifies the backend', async () => {
    await postJson(`${stack.sandboxUrl}/scenario`, { outcome: 'paid' });
    const order = await createOrder(stack.serverUrl);
    const back = json<Record<string, unknown>>(await postJson(`${stack.sandboxUrl}/pay`, order.payParams));
    expect(back).toEqual({ success: true, resultCode: 'SUCCESS', msg: expect.any(String), payjsOrderId: expect.any(String) });
    expect((await check(stack.serverUrl, order, { waitMs: 3000 })).status).toBe('paid');
    const again = await postJson(`${stack.sandboxUrl}/pay`, order.payParams);
    expect(again.status).toBe(409);
  });

  it('cancelled: success false with a cancel message, no notify, order stays pending', async () => {
    await postJson(`${stack.sandboxUrl}/scenario`, { outcome: 'cancelled' });
    const order = await createOrder(stack.serverUrl);
    const back = json<Record<string, unknown>>(await postJson(`${stack.sandboxUrl}/pay`, order.payParams));
    expect(back).toMatchObject({ success: false, resultCode: 'CANCEL', msg: expect.stringContaining('取消') });
    await sleep(100);
    expect(await attempts(stack, order.outTradeNo)).toEqual([]);
    expect((await check(stack.serverUrl, order)).status).toBe('pending');
  });

  it('failed: success false, and the backend learns it from a "not paid" notify', async () => {
    await postJson(`${stack.sandboxUrl}/scenario`, { outcome: 'failed' });
    const order = await createOrder(stack.serverUrl);
    expect(json(await postJson(`${stack.sandboxUrl}/pay`, order.payParams))).toMatchObject({ success: false });
    expect((await check(stack.serverUrl, order, { waitMs: 3000 })).status).toBe('failed');
  });

  it('back: empty extraData, the payment still goes through', async () => {
    await postJson(`${stack.sandboxUrl}/scenario`, { outcome: 'back' });
    const order = await createOrder(stack.serverUrl);
    expect(json(await postJson(`${stack.sandboxUrl}/pay`, order.payParams))).toEqual({});
    expect((await check(stack.serverUrl, order, { waitMs: 3000 })).status).toBe('paid');
  });

  it('notifyDelayMs delays the first notify', async () => {
    await postJson(`${stack.sandboxUrl}/scenario`, { outcome: 'paid', notifyDelayMs: 400 });
    const order = await createOrder(stack.serverUrl);
    const started = Date.now();
    await postJson(`${stack.sandboxUrl}/pay`, order.payParams);
    expect((await check(stack.serverUrl, order, { waitMs: 3000 })).status).toBe('paid');
    expect(Date.now() - started).toBeGreaterThanOrEqual(380);
  });

  it('repeat: the backend accepts both deliveries', async () => {
    await postJson(`${stack.sandboxUrl}/scenario`, { outcome: 'paid', notify: 'repeat' });
    const order = await createOrder(stack.serverUrl);
    await postJson(`${stack.sandboxUrl}/pay`, order.payParams);
    const seen = await until(async () => {
      const list = await attempts(stack, order.outTradeNo);
      return list.length >= 2 ? list : undefined;
    });
    expect(seen.map((a) => a.accepted)).toEqual([true, true]);
    expect((await check(stack.serverUrl, order)).status).toBe('paid');
  });

  it('bad-sign: every delivery is refused and the order stays pending', async () => {
    await postJson(`${stack.sandboxUrl}/scenario`, { outcome: 'paid', notify: 'bad-sign' });
    const order = await createOrder(stack.serverUrl);
    await postJson(`${stack.sandboxUrl}/pay`, order.payParams);
    const seen = await until(async () => {
      const list = await attempts(stack, order.outTradeNo);
      return list.length >= 3 ? list : undefined;
    });
    for (const attempt of seen) expect(attempt).toMatchObject({ status: 400, accepted: false, badSign: true });
    expect((await check(stack.serverUrl, order)).status).toBe('pending');
  });

  it('refuses an unknown scenario with a message naming the allowed values', async () => {
    const answer = await postJson(`${stack.sandboxUrl}/scenario`, { outcome: 'refund' });
    expect(answer.status).toBe(400);
    expect(json(answer)).toHaveProperty('error.message', expect.stringContaining('paid'));
  });
});

describe('notify retry schedule', () => {
  it.each([
    ['xiaoweijufu', 0.005],
    ['payjs', 0.005],
  ] as const)('%s: retries on the provider schedule (x timeScale) until success', async (dialect, timeScale) => {
    const failures = 3;
    const endpoint = await fakeEndpoint(({ index }) => (index < failures ? { status: 500, body: 'fail' } : { status: 200, body: 'success' }));
    const sandbox = await startSandbox({ port: 0, timeScale, dialect });
    try {
      const params = withSign(
        { mchid: MERCHANT_ID, total_fee: 1990, out_trade_no: `RETRY${dialect}`, notify_url: `${endpoint.url}/notify`, nonce: 'n1' },
        MERCHANT_KEY,
      ) as unknown as PayParams;
      await postJson(`${sandbox.url}/pay`, params);
      await until(async () => (endpoint.requests.length > failures ? true : undefined), 10_000);
      await sleep(100);
      expect(endpoint.requests).toHaveLength(failures + 1);
      const schedule = NOTIFY_SCHEDULES_MS[dialect];
      for (let i = 1; i <= failures; i++) {
        const gap = endpoint.requests[i].at - endpoint.requests[i - 1].at;
        expect(gap).toBeGreaterThanOrEqual(schedule[i] * timeScale - 5);
        // the lower bound pins the schedule; this one catches a stalled retry, with slack for timer lag under load
        expect(gap).toBeLessThan(schedule[i] * timeScale + 500);
      }
      const fields = Object.fromEntries(new URLSearchParams(endpoint.requests[0].body));
      expect(verifySign(fields, MERCHANT_KEY)).toBe(true);
      expect(fields).toMatchObject(dialect === 'payjs' ? { return_code: '1' } : { status: '1' });
      expect(fields.out_trade_no).toBe(`RETRY${dialect}`);
    } finally {
      await sandbox.close();
      await endpoint.close();
    }
  });

  it('has the published schedules', () => {
    expect(NOTIFY_SCHEDULES_MS.xiaoweijufu.map((ms) => ms / 1000)).toEqual([0, 10, 60, 180, 900, 3600, 7200, 21600, 54000]);
    expect(NOTIFY_SCHEDULES_MS.payjs.map((ms) => ms / 1000)).toEqual([0, 15, 30, 180, 1800, 3600]);
  });
});

describe('sandbox order queries', () => {
  it('answer signed, for both dialects, and refuse a bad query sign', async () => {
    const sandbox = await startSandbox({ port: 0, timeScale: 0.001 });
    try {
      const params = withSign({ mchid: MERCHANT_ID, total_fee: 100, out_trade_no: 'Q1', nonce: 'n' }, MERCHANT_KEY);
      const { payjsOrderId } = json<{ payjsOrderId: string }>(await postJson(`${sandbox.url}/pay`, params));
      const info = await postForm(`${sandbox.url}/order/info`, withSign({ order_no: payjsOrderId, access_key: MERCHANT_ID }, MERCHANT_KEY));
      const infoBody = json<Record<string, string>>(info);
      expect(verifySign(infoBody, MERCHANT_KEY)).toBe(true);
      expect(infoBody).toMatchObject({ status: 1, out_trade_no: 'Q1', total_fee: 100, order_no: payjsOrderId });
      const pj = json<Record<string, string>>(await postForm(`${sandbox.url}/api/check`, withSign({ payjs_order_id: payjsOrderId }, MERCHANT_KEY)));
      expect(verifySign(pj, MERCHANT_KEY)).toBe(true);
      expect(pj).toMatchObject({ return_code: 1, status: 1, out_trade_no: 'Q1', total_fee: 100 });
      const bad = await postForm(`${sandbox.url}/order/info`, { order_no: payjsOrderId, access_key: MERCHANT_ID, sign: '0'.repeat(32) });
      expect(bad.status).toBe(400);
      const unknown = await postForm(`${sandbox.url}/order/info`, withSign({ order_no: 'nope', access_key: MERCHANT_ID }, MERCHANT_KEY));
      expect(unknown.status).toBe(404);
    } finally {
      await sandbox.close();
    }
  });
});

describe('simulator handler', () => {
  it('is keyed by both provider appIds and hands back the /pay answer as extraData', async () => {
    const sandbox = await startSandbox({ port: 0, timeScale: 0.001 });
    try {
      const handlers = createProviderHandlers(sandbox.url);
      expect(Object.keys(handlers).sort()).toEqual(['wx959c8c1fb2d877b5', 'wx959c8c1fb2d89988']);
      const extraData = withSign({ mchid: MERCHANT_ID, total_fee: 100, out_trade_no: 'H1', nonce: 'n' }, MERCHANT_KEY);
      const paid = await handlers.wx959c8c1fb2d89988({ appId: 'wx959c8c1fb2d89988', path: 'pages/pay', extraData });
      expect(paid.extraData).toMatchObject({ success: true, payjsOrderId: expect.any(String) });
      await postJson(`${sandbox.url}/scenario`, { outcome: 'back' });
      const back = await handlers.wx959c8c1fb2d877b5({ appId: 'wx959c8c1fb2d877b5', extraData: { ...extraData, out_trade_no: 'H2', sign: withSign({ ...extraData, out_trade_no: 'H2' }, MERCHANT_KEY).sign } });
      expect(back.extraData).toEqual({});
      const refused = await handlers.wx959c8c1fb2d89988({ appId: 'wx959c8c1fb2d89988', extraData: { ...extraData, total_fee: 1 } });
      expect(refused.extraData).toMatchObject({ success: false, resultCode: 'bad_sign' });
    } finally {
      await sandbox.close();
    }
  });
});
