import type { CreateOrderResponse, ProductsResponse } from '../../typings/api';
import { verifySign } from '../../common/sign';
import { createOrder, getJson, json, MERCHANT_ID, MERCHANT_KEY, postBody, postJson, startStack, type Stack } from './helpers';

describe('catalog and order creation', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({}, false);
  });
  afterAll(() => stack.close());

  it('answers /healthz and lists the catalog, with the mini program default sku', async () => {
    expect((await getJson(`${stack.serverUrl}/healthz`)).status).toBe(200);
    const { products } = json<ProductsResponse>(await getJson(`${stack.serverUrl}/api/products`));
    expect(products).toContainEqual({ sku: 'vip-month', title: '会员月卡', totalFee: 1990 });
    expect(products.length).toBeGreaterThanOrEqual(2);
  });

  it('prices from its own catalog and signs payParams with the merchant key', async () => {
    const order = await createOrder(stack.serverUrl, 'vip-month', 2);
    expect(order.totalFee).toBe(3980);
    expect(order.body).toBe('会员月卡 x2');
    const p = order.payParams;
    expect(p).toMatchObject({ mchid: MERCHANT_ID, total_fee: 3980, out_trade_no: order.outTradeNo, body: '会员月卡 x2' });
    expect(p.notify_url).toBe(`${stack.serverUrl}/api/pay/notify`);
    expect(p.nonce.length).toBeGreaterThan(0);
    expect(verifySign(p as unknown as Record<string, string>, MERCHANT_KEY)).toBe(true);
    expect(order.provider).toMatchObject({ appId: 'wx959c8c1fb2d89988', path: 'pages/pay' });
    expect(new Date(order.expiresAt).getTime()).toBeGreaterThan(Date.now());
    expect(JSON.stringify(order)).not.toContain(MERCHANT_KEY);
  });

  it('makes out_trade_no unique and at most 32 characters, tokens long and distinct, body <= 32, attach <= 128', async () => {
    const orders: CreateOrderResponse[] = [];
    for (let i = 0; i < 40; i++) orders.push(await createOrder(stack.serverUrl, i % 2 ? 'vip-year' : 'coin-100', 99));
    expect(new Set(orders.map((o) => o.outTradeNo)).size).toBe(40);
    expect(new Set(orders.map((o) => o.orderToken)).size).toBe(40);
    for (const o of orders) {
      expect(o.outTradeNo.length).toBeLessThanOrEqual(32);
      expect(o.orderToken.length).toBeGreaterThanOrEqual(32);
      expect(Array.from(o.payParams.body ?? '').length).toBeLessThanOrEqual(32);
      expect((o.payParams.attach ?? '').length).toBeLessThanOrEqual(128);
    }
  });

  it('refuses an unknown sku with an error that names it', async () => {
    const answer = await postJson(`${stack.serverUrl}/api/orders`, { sku: 'gold-bar' });
    expect(answer.status).toBe(400);
    expect(json(answer)).toEqual({ error: { code: 'unknown_sku', message: expect.stringContaining('gold-bar') } });
  });

  it.each([
    [{}, /sku/],
    [{ sku: 'vip-month', quantity: 0 }, /quantity/],
    [{ sku: 'vip-month', totalFee: 1 }, /unexpected field "totalFee"/],
  ])('refuses a malformed order %j with a message saying what to fix', async (body, pattern) => {
    const answer = await postJson(`${stack.serverUrl}/api/orders`, body);
    expect(answer.status).toBe(400);
    const { error } = json<{ error: { code: string; message: string } }>(answer);
    expect(error.code).toBe('invalid_request');
    expect(error.message).toMatch(pattern);
  });

  it('answers errors as data: bad JSON, oversized body, unknown route', async () => {
    const bad = await postBody(`${stack.serverUrl}/api/orders`, '{"sku":', 'application/json');
    expect(bad.status).toBe(400);
    expect(json(bad)).toHaveProperty('error.code');
    expect(bad.text).not.toMatch(/at .*\.(ts|js):\d+/);
    const big = await postJson(`${stack.serverUrl}/api/orders`, { sku: 'x'.repeat(20_000) });
    expect(big.status).toBe(413);
    expect(json(big)).toHaveProperty('error.code', 'payload_too_large');
    const missing = await getJson(`${stack.serverUrl}/api/nothing`);
    expect(missing.status).toBe(404);
    expect(json(missing)).toHaveProperty('error.code', 'not_found');
  });

  it('requires the order token on a check', async () => {
    const order = await createOrder(stack.serverUrl);
    const wrong = await postJson(`${stack.serverUrl}/api/pay/check`, { outTradeNo: order.outTradeNo, orderToken: 'guess' });
    expect(wrong.status).toBe(404);
    expect(json(wrong)).toHaveProperty('error.code', 'order_not_found');
    // an unknown order answers exactly like a wrong token: the client treats this code as "order gone"
    const unknown = await postJson(`${stack.serverUrl}/api/pay/check`, { outTradeNo: 'NO-SUCH-ORDER', orderToken: order.orderToken });
    expect(unknown.status).toBe(404);
    expect(json(unknown)).toEqual({ error: { code: 'order_not_found', message: expect.stringMatching(/NO-SUCH-ORDER/) } });
    const none = await postJson(`${stack.serverUrl}/api/pay/check`, { outTradeNo: order.outTradeNo });
    expect(none.status).toBe(400);
    const right = await postJson(`${stack.serverUrl}/api/pay/check`, { outTradeNo: order.outTradeNo, orderToken: order.orderToken });
    expect(json(right)).toEqual({ outTradeNo: order.outTradeNo, status: 'pending', paySuccess: false });
  });
});

describe('order creation rate limit', () => {
  it('answers 429 with a retry hint after the per-minute limit', async () => {
    const stack = await startStack({ orderRateLimitPerMinute: 3 }, false);
    try {
      for (let i = 0; i < 3; i++) expect((await postJson(`${stack.serverUrl}/api/orders`, { sku: 'vip-month' })).status).toBe(201);
      const limited = await postJson(`${stack.serverUrl}/api/orders`, { sku: 'vip-month' });
      expect(limited.status).toBe(429);
      expect(json(limited)).toEqual({ error: { code: 'rate_limited', message: expect.stringMatching(/retry in \d+ s/) } });
    } finally {
      await stack.close();
    }
  });
});
