// Strict wire types: nothing is coerced. Each case is a shape Fastify's default validation would have turned into a
// valid value (an array of one, a boolean, a numeric string, hex); each must be refused with a 400 that names the
// field, and change nothing.

import { withSign } from '../../common/sign';
import type { CreateOrderResponse } from '../../typings/api';
import {
  check,
  createOrder,
  json,
  MERCHANT_KEY,
  postBody,
  postJson,
  storedRows,
  startStack,
  xwjfNotify,
  type Stack,
} from './helpers';

describe('strict wire types', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({}, false);
  });
  afterAll(() => stack.close());

  const orderCount = async (): Promise<number> => Number((await storedRows(stack, 'SELECT COUNT(*) AS n FROM orders'))[0].n);

  it.each([
    [{ sku: 'vip-month', quantity: [2] }, /body\.quantity must be integer/],
    [{ sku: 'vip-month', quantity: true }, /body\.quantity must be integer/],
    [{ sku: 'vip-month', quantity: '2' }, /body\.quantity must be integer/],
    [{ sku: 'vip-month', quantity: 2.5 }, /body\.quantity must be integer/],
    [{ sku: ['vip-month'] }, /body\.sku must be string/],
    [{ sku: 7 }, /body\.sku must be string/],
    [{ sku: null }, /body\.sku must be string/],
  ])('order creation refuses %j, names the field and creates no order', async (body, pattern) => {
    const before = await orderCount();
    const answer = await postJson(`${stack.serverUrl}/api/orders`, body);
    expect(answer.status).toBe(400);
    expect(json(answer)).toEqual({ error: { code: 'invalid_request', message: expect.stringMatching(pattern) } });
    expect(await orderCount()).toBe(before);
  });

  it('a check refuses an out_trade_no array, a waitMs string and a boolean token, and the order stays as it was', async () => {
    const order = await createOrder(stack.serverUrl);
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ outTradeNo: [order.outTradeNo], orderToken: order.orderToken }, /body\.outTradeNo must be string/],
      [{ outTradeNo: order.outTradeNo, orderToken: order.orderToken, waitMs: '5000' }, /body\.waitMs must be integer/],
      [{ outTradeNo: order.outTradeNo, orderToken: true }, /body\.orderToken must be string/],
      [{ outTradeNo: order.outTradeNo, orderToken: order.orderToken, payjsOrderId: ['P1'] }, /body\.payjsOrderId must be string/],
    ];
    for (const [body, pattern] of cases) {
      const answer = await postJson(`${stack.serverUrl}/api/pay/check`, body);
      expect(answer.status).toBe(400);
      expect(json(answer)).toHaveProperty('error.message', expect.stringMatching(pattern));
    }
    expect(await storedRows(stack, 'SELECT first_check_at, provider_order_id_hint FROM orders WHERE out_trade_no = ?', order.outTradeNo))
      .toEqual([{ first_check_at: null, provider_order_id_hint: null }]);
  });

  describe('a notify, even correctly signed, whose fields are not plain text of the right form', () => {
    let order: CreateOrderResponse;
    beforeAll(async () => {
      order = await createOrder(stack.serverUrl);
    });
    afterEach(async () => {
      expect(await check(stack.serverUrl, order)).toEqual({ outTradeNo: order.outTradeNo, status: 'pending', paySuccess: false });
      expect(await storedRows(stack, 'SELECT status, repeat_count FROM orders WHERE out_trade_no = ?', order.outTradeNo))
        .toEqual([{ status: 'pending', repeat_count: 0 }]);
    });

    const form = (fields: [string, string][]): Promise<{ status: number; text: string }> =>
      postBody(`${stack.serverUrl}/api/pay/notify`, new URLSearchParams(fields).toString(), 'application/x-www-form-urlencoded');

    it.each(['0x7C6', '1990.0', '+1990', ' 1990', '01990', '1.99e3', '-1990', ''])(
      'total_fee %j is refused with 400 naming total_fee',
      async (totalFee) => {
        const answer = await form(Object.entries(xwjfNotify(order, { total_fee: totalFee })));
        expect(answer.status).toBe(400);
        expect(json(answer as never)).toEqual({
          error: { code: 'invalid_request', message: expect.stringMatching(/total_fee/) },
        });
      },
    );

    it.each(['01', ' 1', '1.0', 'true', 'PAID'])('status %j is refused (a paid flag is exactly "1")', async (status) => {
      const answer = await form(Object.entries(xwjfNotify(order, { status })));
      expect(answer.status).toBe(400);
      expect(json(answer as never)).toHaveProperty('error.message', expect.stringMatching(/body\.status/));
    });

    it('an out_trade_no sent twice (an array) is refused', async () => {
      const fields = Object.entries(xwjfNotify(order));
      const answer = await form([...fields, ['out_trade_no', order.outTradeNo]]);
      expect(answer.status).toBe(400);
      expect(json(answer as never)).toHaveProperty('error.message', expect.stringMatching(/body\.out_trade_no must be string/));
    });

    it.each([
      ['a boolean status', { status: true }],
      ['a fractional total_fee', { total_fee: 1990.5 }],
      ['an array out_trade_no', { out_trade_no: ['x'] }],
      ['a null mchid', { mchid: null }],
    ])('a JSON notify with %s is refused', async (_name, change) => {
      const answer = await postJson(`${stack.serverUrl}/api/pay/notify`, { ...withSign(xwjfNotify(order), MERCHANT_KEY), ...change });
      expect(answer.status).toBe(400);
      expect(json(answer)).toHaveProperty('error.code', 'invalid_request');
    });
  });
});
