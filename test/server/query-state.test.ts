// The provider-query rate state lives in the store, not in one process's memory: two backends on one store (two
// instances, or a restart) ask the provider at most once per interval per order between them, and nothing about an
// order is remembered in memory once its queries are done.

import path from 'node:path';
import pino from 'pino';
import { Catalog } from '../../server/catalog';
import type { Clock } from '../../server/clock';
import { loadServerConfig, REPO_ROOT } from '../../server/config';
import { Payments } from '../../server/payments';
import { withSign } from '../../common/sign';
import { fakeEndpoint, MERCHANT_ID, MERCHANT_KEY, openTestStore, tempDir } from './helpers';

describe('provider query rate state', () => {
  it('is shared through the store: a second instance (or a restart) does not ask again within the interval', async () => {
    const provider = await fakeEndpoint(({ body }) => {
      const asked = new URLSearchParams(body);
      const fields = withSign(
        { status: 0, total_fee: 1990, out_trade_no: asked.get('out_trade_no') ?? '', order_no: 'P1', mchid: MERCHANT_ID },
        MERCHANT_KEY,
      );
      return { status: 200, body: JSON.stringify(fields), type: 'application/json' };
    });
    const data = tempDir();
    const store = await openTestStore(data.dir);
    let wall = Date.now();
    const clock: Clock = { now: () => wall, monotonic: () => performance.now() };
    const config = loadServerConfig(
      { providerBaseUrl: provider.url, publicBaseUrl: 'http://127.0.0.1:9', providerQueryAfterMs: 0, providerQueryIntervalMs: 1000, logLevel: 'silent' },
      {},
    );
    const catalog = Catalog.load(path.join(REPO_ROOT, 'config', 'catalog.json'));
    const one = new Payments(config, store, catalog, pino({ level: 'silent' }), { clock });
    const two = new Payments(config, store, catalog, pino({ level: 'silent' }), { clock });
    try {
      const order = await one.createOrder('vip-month', 1);
      expect((await one.check(order)).status).toBe('pending');
      expect(provider.requests).toHaveLength(1);
      expect((await store.getOrder(order.outTradeNo))?.lastProviderQueryAt).toBe(wall);

      // the other instance finds the query already made by the first: no second one within the interval
      expect((await two.check(order)).status).toBe('pending');
      expect((await one.check(order)).status).toBe('pending');
      expect(provider.requests).toHaveLength(1);

      // one interval later either may ask again, once
      wall += config.providerQueryIntervalMs;
      await Promise.all([one.check(order), two.check(order)]);
      expect(provider.requests).toHaveLength(2);

      // a wall clock stepped back an hour: the stored time lies "in the future"; it delays the next query by at most
      // one interval (on the monotonic clock), not by the hour
      wall -= 3_600_000;
      const started = performance.now();
      expect((await two.check({ ...order, waitMs: 1500 })).status).toBe('pending');
      expect(provider.requests).toHaveLength(3);
      expect(provider.requests[2].at - provider.requests[1].at).toBeLessThan(1500 + 1000);
      expect(performance.now() - started).toBeGreaterThanOrEqual(1490);
    } finally {
      one.shutdown();
      two.shutdown();
      await store.close();
      data.remove();
      await provider.close();
    }
  });
});
