// The provider-query rate limit keeps per-order state in memory: it must not grow with every order ever queried.

import path from 'node:path';
import pino from 'pino';
import { Catalog } from '../../server/catalog';
import { loadServerConfig, REPO_ROOT } from '../../server/config';
import { Payments } from '../../server/payments';
import { OrderStore } from '../../server/store';
import { withSign } from '../../common/sign';
import { fakeEndpoint, MERCHANT_ID, MERCHANT_KEY, tempDir, xwjfNotify } from './helpers';

describe('provider query state', () => {
  it('is dropped when an order settles, and no order queried more than an interval ago is remembered', async () => {
    const provider = await fakeEndpoint(({ body }) => {
      const asked = new URLSearchParams(body);
      const fields = withSign(
        { status: 0, total_fee: 1990, out_trade_no: asked.get('out_trade_no') ?? '', order_no: 'P1', mchid: MERCHANT_ID },
        MERCHANT_KEY,
      );
      return { status: 200, body: JSON.stringify(fields), type: 'application/json' };
    });
    const data = tempDir();
    const store = new OrderStore(data.dir);
    let clock = Date.now();
    const config = loadServerConfig(
      { providerBaseUrl: provider.url, publicBaseUrl: 'http://127.0.0.1:9', providerQueryAfterMs: 0, providerQueryIntervalMs: 5000, logLevel: 'silent' },
      {},
    );
    const payments = new Payments(
      config,
      store,
      Catalog.load(path.join(REPO_ROOT, 'config', 'catalog.json')),
      pino({ level: 'silent' }),
      () => clock,
    );
    try {
      const a = payments.createOrder('vip-month', 1);
      expect((await payments.check(a)).status).toBe('pending');
      expect(provider.requests).toHaveLength(1);
      expect(payments.trackedQueryCount).toBe(1);
      payments.applyNotify(xwjfNotify(a));
      expect(payments.trackedQueryCount).toBe(0);

      // b is queried, then abandoned while pending; c is queried more than an interval later
      const b = payments.createOrder('vip-month', 1);
      await payments.check(b);
      expect(payments.trackedQueryCount).toBe(1);
      clock += config.providerQueryIntervalMs;
      const c = payments.createOrder('vip-month', 1);
      await payments.check(c);
      expect(provider.requests).toHaveLength(3);
      expect(payments.trackedQueryCount).toBe(1);

      // c expires after its last query: settled, forgotten
      clock += config.orderTtlMs;
      expect((await payments.check(c)).status).toBe('expired');
      expect(payments.trackedQueryCount).toBe(0);
    } finally {
      payments.shutdown();
      store.close();
      data.remove();
      await provider.close();
    }
  });
});
