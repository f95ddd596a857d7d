import { withSign } from '../../common/sign';
import {
  check,
  createOrder,
  fakeEndpoint,
  json,
  MERCHANT_ID,
  MERCHANT_KEY,
  postForm,
  postJson,
  sleep,
  storedRows,
  startStack,
  xwjfNotify,
} from './helpers';

describe('long-poll check', () => {
  it('holds a check until the notify arrives and answers it at once', async () => {
    const stack = await startStack({}, false);
    try {
      const order = await createOrder(stack.serverUrl);
      const waiting = check(stack.serverUrl, order, { waitMs: 10_000 }).then((status) => ({ status, at: Date.now() }));
      await new Promise((resolve) => setTimeout(resolve, 300));
      const notify = await postForm(`${stack.serverUrl}/api/pay/notify`, xwjfNotify(order));
      const acceptedAt = Date.now();
      expect(notify.text).toBe('success');
      const { status, at } = await waiting;
      expect(status).toMatchObject({ status: 'paid', paySuccess: true });
      // woken by the notify, not by its 10 s wait (the slack is for a loaded CI machine)
      expect(at - acceptedAt).toBeLessThan(1000);
    } finally {
      await stack.close();
    }
  });

  it('wakes every check waiting on the order, and only those', async () => {
    const stack = await startStack({}, false);
    try {
      const [a, b] = [await createOrder(stack.serverUrl), await createOrder(stack.serverUrl)];
      const waits = [check(stack.serverUrl, a, { waitMs: 5000 }), check(stack.serverUrl, a, { waitMs: 5000 })];
      const otherSentAt = Date.now();
      const other = check(stack.serverUrl, b, { waitMs: 700 }).then((s) => ({ s, at: Date.now() }));
      await new Promise((resolve) => setTimeout(resolve, 100));
      const started = Date.now();
      await postForm(`${stack.serverUrl}/api/pay/notify`, xwjfNotify(a));
      for (const status of await Promise.all(waits)) expect(status.status).toBe('paid');
      // woken by the notify, not by their 5 s wait
      expect(Date.now() - started).toBeLessThan(2500);
      const { s, at } = await other;
      expect(s.status).toBe('pending');
      // the other order's check ran its whole wait, counted from when it was sent (the server starts it later)
      expect(at - otherSentAt).toBeGreaterThanOrEqual(690);
    } finally {
      await stack.close();
    }
  });

  it('answers pending when the wait is up, and refuses waitMs above 30000', async () => {
    const stack = await startStack({}, false);
    try {
      const order = await createOrder(stack.serverUrl);
      const started = Date.now();
      expect((await check(stack.serverUrl, order, { waitMs: 400 })).status).toBe('pending');
      expect(Date.now() - started).toBeGreaterThanOrEqual(390);
      const tooLong = await postJson(`${stack.serverUrl}/api/pay/check`, { outTradeNo: order.outTradeNo, orderToken: order.orderToken, waitMs: 60_000 });
      expect(tooLong.status).toBe(400);
      expect(json(tooLong)).toHaveProperty('error.message', expect.stringMatching(/waitMs/));
    } finally {
      await stack.close();
    }
  });

  it('a server shutting down answers its waiting checks instead of hanging', async () => {
    const stack = await startStack({}, false);
    const order = await createOrder(stack.serverUrl);
    const waiting = check(stack.serverUrl, order, { waitMs: 20_000 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    await stack.close();
    expect((await waiting).status).toBe('pending');
    // answered at shutdown, not after its 20 s wait
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('provider query fallback', () => {
  it('recovers a lost notify through the provider query, using the provider order id from the return', async () => {
    const stack = await startStack({ providerQueryAfterMs: 300, providerQueryByOutTradeNo: false });
    try {
      await postJson(`${stack.sandboxUrl}/scenario`, { outcome: 'paid', notify: 'lost' });
      const order = await createOrder(stack.serverUrl);
      const back = json<{ success: boolean; payjsOrderId: string }>(await postJson(`${stack.sandboxUrl}/pay`, order.payParams));
      expect(back.success).toBe(true);
      const started = Date.now();
      const status = await check(stack.serverUrl, order, { waitMs: 5000, payjsOrderId: back.payjsOrderId });
      expect(status).toMatchObject({ status: 'paid', paySuccess: true });
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
      // answered right after the query, not at the end of its 5 s wait
      expect(Date.now() - started).toBeLessThan(3500);
    } finally {
      await stack.close();
    }
  });

  it('recovers a lost notify after a back-key return by querying out_trade_no (sandbox extension)', async () => {
    const stack = await startStack({ providerQueryAfterMs: 200 });
    try {
      await postJson(`${stack.sandboxUrl}/scenario`, { outcome: 'back', notify: 'lost' });
      const order = await createOrder(stack.serverUrl);
      expect(json(await postJson(`${stack.sandboxUrl}/pay`, order.payParams))).toEqual({});
      expect((await check(stack.serverUrl, order, { waitMs: 5000 })).status).toBe('paid');
    } finally {
      await stack.close();
    }
  });

  it('recovers through the PayJS /api/check query too', async () => {
    const stack = await startStack({ provider: 'payjs', providerQueryAfterMs: 200, providerQueryByOutTradeNo: false }, { dialect: 'payjs' });
    try {
      await postJson(`${stack.sandboxUrl}/scenario`, { outcome: 'paid', notify: 'lost' });
      const order = await createOrder(stack.serverUrl);
      const back = json<{ payjsOrderId: string }>(await postJson(`${stack.sandboxUrl}/pay`, order.payParams));
      expect((await check(stack.serverUrl, order, { waitMs: 5000, payjsOrderId: back.payjsOrderId })).status).toBe('paid');
    } finally {
      await stack.close();
    }
  });

  it('asks the provider at most once per interval per order, and ignores an answer with a bad sign or about another order', async () => {
    let answerFor = '';
    let badSign = false;
    const provider = await fakeEndpoint(() => {
      const fields = withSign(
        { status: 1, total_fee: 1990, out_trade_no: answerFor, order_no: 'P1', transaction_id: 'T1', mchid: MERCHANT_ID },
        badSign ? 'not the key' : MERCHANT_KEY,
      );
      return { status: 200, body: JSON.stringify(fields), type: 'application/json' };
    });
    const stack = await startStack(
      { providerBaseUrl: provider.url, providerQueryAfterMs: 0, providerQueryIntervalMs: 60_000, providerQueryByOutTradeNo: false },
      false,
    );
    try {
      const order = await createOrder(stack.serverUrl);
      answerFor = 'SOMEONE-ELSES-ORDER';
      const checks = await Promise.all(
        Array.from({ length: 5 }, () => check(stack.serverUrl, order, { waitMs: 300, payjsOrderId: 'P1' })),
      );
      for (const status of checks) expect(status.status).toBe('pending');
      expect(provider.requests).toHaveLength(1);
      const query = new URLSearchParams(provider.requests[0].body);
      expect(provider.requests[0].url).toBe('/order/info');
      expect(query.get('order_no')).toBe('P1');
      expect(query.get('access_key')).toBe(MERCHANT_ID);
      expect(query.get('sign')).toMatch(/^[0-9A-F]{32}$/);
      expect(provider.requests[0].body).not.toContain(MERCHANT_KEY);
      await stack.close();

      // a fresh server (fresh rate limit), the answer names the order but its sign is bad
      const again = await startStack(
        { providerBaseUrl: provider.url, providerQueryAfterMs: 0, providerQueryIntervalMs: 60_000, dataDir: undefined },
        false,
      );
      try {
        const second = await createOrder(again.serverUrl);
        answerFor = second.outTradeNo;
        badSign = true;
        expect((await check(again.serverUrl, second, { waitMs: 200, payjsOrderId: 'P1' })).status).toBe('pending');
        badSign = false;
        const third = await createOrder(again.serverUrl);
        answerFor = third.outTradeNo;
        expect((await check(again.serverUrl, third, { payjsOrderId: 'P1' })).status).toBe('paid');
      } finally {
        await again.close();
      }
    } finally {
      await stack.close().catch(() => undefined);
      await provider.close();
    }
  });
});

describe('provider queries in all', () => {
  it('are capped per second (PROVIDER_QUERIES_PER_SECOND): checks bringing new hints on many orders do not flood the provider', async () => {
    // the provider knows none of these ids, as with hints an attacker makes up
    const provider = await fakeEndpoint(() => ({ status: 404, body: 'no such order' }));
    const stack = await startStack(
      {
        providerBaseUrl: provider.url,
        providerQueryAfterMs: 0,
        providerQueryIntervalMs: 1000,
        providerQueryByOutTradeNo: false,
        providerQueriesPerSecond: 2,
      },
      false,
    );
    try {
      const orders = await Promise.all(Array.from({ length: 6 }, () => createOrder(stack.serverUrl)));
      const statuses = await Promise.all(
        orders.map((order, i) => check(stack.serverUrl, order, { waitMs: 2500, payjsOrderId: `MADE-UP-${i}` })),
      );
      expect(statuses.every((s) => s.status === 'pending')).toBe(true);
      const first = provider.requests[0].at;
      // at most 2 in the first second (6 at once without the cap), the rest postponed, not dropped
      expect(provider.requests.filter((r) => r.at - first < 900).length).toBeLessThanOrEqual(2);
      expect(provider.requests.length).toBeGreaterThanOrEqual(4);
      expect(provider.requests.length).toBeLessThanOrEqual(6);
    } finally {
      await stack.close();
      await provider.close();
    }
  });
});

describe('expiry of an order the user came back to', () => {
  /** A provider whose order query answers "unpaid" for whatever order it is asked about, signed. */
  async function unpaidProvider(): Promise<Awaited<ReturnType<typeof fakeEndpoint>>> {
    return fakeEndpoint(({ body }) => {
      const asked = new URLSearchParams(body);
      const fields = withSign(
        { status: 0, total_fee: 1990, out_trade_no: asked.get('out_trade_no') ?? 'unknown', order_no: 'P1', mchid: MERCHANT_ID },
        MERCHANT_KEY,
      );
      return { status: 200, body: JSON.stringify(fields), type: 'application/json' };
    });
  }

  it('answers paid, not expired, when the provider took the money and the notify is lost (no second charge)', async () => {
    const stack = await startStack({ orderTtlMs: 500 });
    try {
      await postJson(`${stack.sandboxUrl}/scenario`, { outcome: 'paid', notify: 'lost' });
      const order = await createOrder(stack.serverUrl);
      const back = json<{ success: boolean; payjsOrderId: string }>(await postJson(`${stack.sandboxUrl}/pay`, order.payParams));
      expect(back.success).toBe(true);
      // the user is back: the first check, before the regular query is due (3 s after it)
      expect((await check(stack.serverUrl, order, { payjsOrderId: back.payjsOrderId })).status).toBe('pending');
      await sleep(Date.parse(order.expiresAt) - Date.now() + 100);
      expect(await check(stack.serverUrl, order)).toMatchObject({ status: 'paid', paySuccess: true });
    } finally {
      await stack.close();
    }
  });

  it('a check waiting across the lifetime asks the provider then, and answers paid (back key: by out_trade_no)', async () => {
    const stack = await startStack({ orderTtlMs: 500, providerQueryAfterMs: 60_000 });
    try {
      await postJson(`${stack.sandboxUrl}/scenario`, { outcome: 'back', notify: 'lost' });
      const order = await createOrder(stack.serverUrl);
      expect(json(await postJson(`${stack.sandboxUrl}/pay`, order.payParams))).toEqual({});
      const status = await check(stack.serverUrl, order, { waitMs: 5000 });
      expect(status).toMatchObject({ status: 'paid', paySuccess: true });
    } finally {
      await stack.close();
    }
  });

  it('expires after the provider says unpaid, asking it once; with no way to ask, expires without asking', async () => {
    const provider = await unpaidProvider();
    const stack = await startStack({ providerBaseUrl: provider.url, orderTtlMs: 400 }, false);
    try {
      const order = await createOrder(stack.serverUrl);
      const started = Date.now();
      expect((await check(stack.serverUrl, order, { waitMs: 5000 })).status).toBe('expired');
      expect(Date.now() - started).toBeLessThan(3000);
      expect(provider.requests).toHaveLength(1);
      expect(new URLSearchParams(provider.requests[0].body).get('out_trade_no')).toBe(order.outTradeNo);
      expect((await check(stack.serverUrl, order)).status).toBe('expired');
      expect(provider.requests).toHaveLength(1);
    } finally {
      await stack.close();
    }
    // the published 小微聚付 query needs the provider order id: without one the provider cannot be asked
    const strict = await startStack({ providerBaseUrl: provider.url, orderTtlMs: 400, providerQueryByOutTradeNo: false }, false);
    try {
      const order = await createOrder(strict.serverUrl);
      expect((await check(strict.serverUrl, order, { waitMs: 5000 })).status).toBe('expired');
      expect(provider.requests).toHaveLength(1);
    } finally {
      await strict.close();
      await provider.close();
    }
  });
});

describe('provider order id hints', () => {
  it('a wrong first hint does not stick: the newer, right one finds the paid order', async () => {
    const stack = await startStack({ providerQueryAfterMs: 200, providerQueryIntervalMs: 1000, providerQueryByOutTradeNo: false });
    try {
      await postJson(`${stack.sandboxUrl}/scenario`, { outcome: 'paid', notify: 'lost' });
      const order = await createOrder(stack.serverUrl);
      const back = json<{ payjsOrderId: string }>(await postJson(`${stack.sandboxUrl}/pay`, order.payParams));
      // the first hint is wrong (a stale return, a bug): the provider does not know it
      expect((await check(stack.serverUrl, order, { waitMs: 800, payjsOrderId: 'WRONG-HINT-0001' })).status).toBe('pending');
      const started = Date.now();
      expect(await check(stack.serverUrl, order, { waitMs: 5000, payjsOrderId: back.payjsOrderId })).toMatchObject({
        status: 'paid',
        paySuccess: true,
      });
      expect(Date.now() - started).toBeLessThan(3500);
      const [row] = await storedRows(stack, 'SELECT provider_order_id, provider_order_id_hint FROM orders WHERE out_trade_no = ?', order.outTradeNo);
      expect(row).toEqual({ provider_order_id: back.payjsOrderId, provider_order_id_hint: back.payjsOrderId });
    } finally {
      await stack.close();
    }
  });

  it.each(['xiaoweijufu', 'payjs'] as const)(
    '%s: a hint the provider does not know falls back to the out_trade_no query at once',
    async (dialect) => {
      const stack = await startStack({ provider: dialect, providerQueryAfterMs: 200 }, { dialect });
      try {
        await postJson(`${stack.sandboxUrl}/scenario`, { outcome: 'paid', notify: 'lost' });
        const order = await createOrder(stack.serverUrl);
        await postJson(`${stack.sandboxUrl}/pay`, order.payParams);
        const started = Date.now();
        expect((await check(stack.serverUrl, order, { waitMs: 5000, payjsOrderId: 'NOT-A-PROVIDER-ORDER' })).status).toBe('paid');
        // one query round about 200 ms after the first check, not the end of the 5 s wait
        expect(Date.now() - started).toBeLessThan(3000);
        const [row] = await storedRows(stack,
          'SELECT provider_order_id_hint, provider_order_id_hint_rejected FROM orders WHERE out_trade_no = ?',
          order.outTradeNo,
        );
        expect(row).toEqual({ provider_order_id_hint: 'NOT-A-PROVIDER-ORDER', provider_order_id_hint_rejected: 1 });
      } finally {
        await stack.close();
      }
    },
  );

  it('never lets a hint replace the id the provider sent in a verified notify', async () => {
    const stack = await startStack({}, false);
    try {
      const order = await createOrder(stack.serverUrl);
      await postForm(`${stack.serverUrl}/api/pay/notify`, xwjfNotify(order, { status: '0', order_no: 'FROM-THE-PROVIDER' }));
      expect((await check(stack.serverUrl, order, { payjsOrderId: 'FROM-THE-CLIENT' })).status).toBe('failed');
      const [row] = await storedRows(stack, 'SELECT provider_order_id, provider_order_id_hint FROM orders WHERE out_trade_no = ?', order.outTradeNo);
      expect(row).toEqual({ provider_order_id: 'FROM-THE-PROVIDER', provider_order_id_hint: 'FROM-THE-CLIENT' });
    } finally {
      await stack.close();
    }
  });
});
