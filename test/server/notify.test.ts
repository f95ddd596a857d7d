import { withSign } from '../../common/sign';
import type { CreateOrderResponse } from '../../typings/api';
import {
  check,
  createOrder,
  json,
  MERCHANT_ID,
  MERCHANT_KEY,
  postBody,
  postForm,
  postJson,
  rawOrderRow,
  sleep,
  startStack,
  xwjfNotify,
  type Stack,
} from './helpers';

describe('notify (小微聚付 dialect)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({}, false);
  });
  afterAll(() => stack.close());

  it('accepts a signed form notify, answers success well within 3 s, and the order is paid with the provider ids', async () => {
    const order = await createOrder(stack.serverUrl);
    const notify = xwjfNotify(order);
    const started = Date.now();
    const answer = await postForm(`${stack.serverUrl}/api/pay/notify`, notify);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(answer.status).toBe(200);
    expect(answer.text).toBe('success');
    const status = await check(stack.serverUrl, order);
    expect(status).toMatchObject({ status: 'paid', paySuccess: true });
    expect(Date.parse(status.paidAt as string)).toBeGreaterThanOrEqual(started - 1000);
    const row = await rawOrderRow(stack, order.outTradeNo);
    expect(row).toMatchObject({ provider_order_id: notify.order_no, transaction_id: notify.transaction_id, paid_after_expiry: 0 });
  });

  it('accepts the same notify as JSON with numbers', async () => {
    const order = await createOrder(stack.serverUrl, 'coin-100');
    const fields = withSign({ status: 1, total_fee: 100, out_trade_no: order.outTradeNo, order_no: 'X1', mchid: MERCHANT_ID }, MERCHANT_KEY);
    const answer = await postJson(`${stack.serverUrl}/api/pay/notify`, fields);
    expect(answer.text).toBe('success');
    expect((await check(stack.serverUrl, order)).status).toBe('paid');
  });

  it('answers success to a repeated notify and changes nothing', async () => {
    const order = await createOrder(stack.serverUrl);
    const notify = xwjfNotify(order);
    await postForm(`${stack.serverUrl}/api/pay/notify`, notify);
    const first = await check(stack.serverUrl, order);
    await sleep(20);
    const again = await postForm(`${stack.serverUrl}/api/pay/notify`, xwjfNotify(order, { transaction_id: 'another' }));
    expect(again.status).toBe(200);
    expect(again.text).toBe('success');
    expect(await check(stack.serverUrl, order)).toEqual(first);
    expect(await rawOrderRow(stack, order.outTradeNo)).toMatchObject({ transaction_id: notify.transaction_id });
  });

  describe('rejects, logs why and changes nothing', () => {
    let order: CreateOrderResponse;
    beforeAll(async () => {
      order = await createOrder(stack.serverUrl);
    });
    afterEach(async () => {
      expect(await check(stack.serverUrl, order)).toEqual({ outTradeNo: order.outTradeNo, status: 'pending', paySuccess: false });
      expect(await rawOrderRow(stack, order.outTradeNo)).toMatchObject({ status: 'pending', provider_order_id: null, transaction_id: null });
    });

    const cases: [string, () => Promise<{ status: number; text: string }>, number, string][] = [
      ['a bad sign', () => postForm(`${stack.serverUrl}/api/pay/notify`, xwjfNotify(order, {}, 'wrong key')), 400, 'bad_sign'],
      [
        'a field changed after signing',
        () => postForm(`${stack.serverUrl}/api/pay/notify`, { ...xwjfNotify(order), total_fee: '1' }),
        400,
        'bad_sign',
      ],
      [
        'an unknown order',
        () => postForm(`${stack.serverUrl}/api/pay/notify`, xwjfNotify({ outTradeNo: 'NOPE0000000000000000', totalFee: 1990 })),
        404,
        'unknown_order',
      ],
      ['a wrong mchid', () => postForm(`${stack.serverUrl}/api/pay/notify`, xwjfNotify(order, { mchid: 'other-mch' })), 400, 'wrong_mchid'],
      ['a wrong amount', () => postForm(`${stack.serverUrl}/api/pay/notify`, xwjfNotify(order, { total_fee: '1' })), 400, 'wrong_amount'],
      [
        'a missing field',
        () => postForm(`${stack.serverUrl}/api/pay/notify`, withSign({ out_trade_no: order.outTradeNo, total_fee: 1990, mchid: MERCHANT_ID }, MERCHANT_KEY)),
        400,
        'invalid_request',
      ],
      [
        'a malformed JSON body',
        () => postBody(`${stack.serverUrl}/api/pay/notify`, '{"status":"1",', 'application/json'),
        400,
        'bad_request',
      ],
      [
        'a nested value',
        () => postJson(`${stack.serverUrl}/api/pay/notify`, { ...xwjfNotify(order), attach: { a: 1 } }),
        400,
        'invalid_request',
      ],
    ];
    it.each(cases)('%s', async (_name, send, status, code) => {
      const answer = await send();
      expect(answer.status).toBe(status);
      expect(json(answer as never)).toHaveProperty('error.code', code);
      expect(answer.text).not.toContain('success');
    });
  });

  it('records a "not paid" notify as failed, and a later paid notify still wins', async () => {
    const order = await createOrder(stack.serverUrl);
    expect((await postForm(`${stack.serverUrl}/api/pay/notify`, xwjfNotify(order, { status: '0' }))).text).toBe('success');
    expect((await check(stack.serverUrl, order)).status).toBe('failed');
    expect((await postForm(`${stack.serverUrl}/api/pay/notify`, xwjfNotify(order))).text).toBe('success');
    expect((await check(stack.serverUrl, order)).status).toBe('paid');
    // and "not paid" never un-pays
    await postForm(`${stack.serverUrl}/api/pay/notify`, xwjfNotify(order, { status: '0' }));
    expect((await check(stack.serverUrl, order)).status).toBe('paid');
  });
});

describe('expiry', () => {
  it('expires an unpaid order, wakes a waiting check, and still records a late paid notify as paid (flagged)', async () => {
    const stack = await startStack({ orderTtlMs: 400 }, false);
    try {
      // counted from before the order exists: its lifetime starts on the server, after this
      const started = Date.now();
      const order = await createOrder(stack.serverUrl);
      const status = await check(stack.serverUrl, order, { waitMs: 5000 });
      const waited = Date.now() - started;
      expect(status.status).toBe('expired');
      expect(waited).toBeGreaterThanOrEqual(390);
      // woken at expiry, not at the end of its 5 s wait
      expect(waited).toBeLessThan(3000);
      const answer = await postForm(`${stack.serverUrl}/api/pay/notify`, xwjfNotify(order));
      expect(answer.text).toBe('success');
      expect(await check(stack.serverUrl, order)).toMatchObject({ status: 'paid', paySuccess: true });
      expect(await rawOrderRow(stack, order.outTradeNo)).toMatchObject({ paid_after_expiry: 1 });
    } finally {
      await stack.close();
    }
  });
});

describe('notify (PayJS dialect)', () => {
  it('accepts a PayJS notify and rejects one in the 小微聚付 dialect', async () => {
    const stack = await startStack({ provider: 'payjs' }, false);
    try {
      const order = await createOrder(stack.serverUrl);
      expect(order.provider.appId).toBe('wx959c8c1fb2d877b5');
      const wrongDialect = await postForm(`${stack.serverUrl}/api/pay/notify`, xwjfNotify(order));
      expect(wrongDialect.status).toBe(400);
      expect((await check(stack.serverUrl, order)).status).toBe('pending');
      const notify = withSign(
        {
          return_code: '1',
          total_fee: String(order.totalFee),
          out_trade_no: order.outTradeNo,
          payjs_order_id: 'PJ123',
          transaction_id: 'T1',
          time_end: '2026-01-01 12:00:00',
          openid: 'o1',
          mchid: MERCHANT_ID,
        },
        MERCHANT_KEY,
      );
      expect((await postForm(`${stack.serverUrl}/api/pay/notify`, notify)).text).toBe('success');
      expect((await check(stack.serverUrl, order)).status).toBe('paid');
    } finally {
      await stack.close();
    }
  });
});
