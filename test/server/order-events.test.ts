// A waiting check is subscribed to its order before it reads it. With a store behind a network (PostgreSQL), a
// payment can commit, and its wake-up arrive, while the check's read is on the way with the old row: the check must
// answer `paid` then, not sleep through its whole wait.

import path from 'node:path';
import pino from 'pino';
import { Catalog } from '../../server/catalog';
import { loadServerConfig, REPO_ROOT } from '../../server/config';
import { Payments } from '../../server/payments';
import type { OrderRow, OrderStore } from '../../server/store';
import { openTestStore, tempDir } from './helpers';

describe('a waiting check', () => {
  it('answers a payment that commits while its read is still on the way with the old row', async () => {
    const data = tempDir();
    const store = await openTestStore(data.dir);
    const config = loadServerConfig({ publicBaseUrl: 'http://127.0.0.1:9', providerQueryAfterMs: 3_600_000, logLevel: 'silent' }, {});
    const catalog = Catalog.load(path.join(REPO_ROOT, 'config', 'catalog.json'));
    // which read of the armed order pays it: the check's second, the one of its waiting loop (its first checks the token)
    let readsUntilPayment = 0;
    let payDuringRead: string | undefined;
    // the store as a remote database looks to a check: the row leaves before the commit, the answer after it
    const slowReads = new Proxy(store, {
      get(target, name, receiver) {
        if (name !== 'getOrder') return Reflect.get(target, name, receiver);
        return async (outTradeNo: string): Promise<OrderRow | undefined> => {
          const row = await target.getOrder(outTradeNo);
          if (payDuringRead === outTradeNo && --readsUntilPayment === 0) {
            payDuringRead = undefined;
            const statement = { outTradeNo, providerOrderId: 'P1', transactionId: 'T1', openid: null, at: Date.now(), fields: {} };
            await target.markPaid({ ...statement, source: 'notify' }, { fulfillment: false });
          }
          return row;
        };
      },
    }) as OrderStore;
    const payments = new Payments(config, slowReads, catalog, pino({ level: 'silent' }));
    try {
      const order = await payments.createOrder('vip-month', 1);
      await payments.check({ ...order, waitMs: 0 }); // the first check is behind us: the next one only reads and waits
      payDuringRead = order.outTradeNo;
      readsUntilPayment = 2;
      const started = performance.now();
      const answer = await payments.check({ ...order, waitMs: 10_000 });
      expect(answer.status).toBe('paid');
      // woken by the payment, not by its 10 s running out (slack for a loaded machine)
      expect(performance.now() - started).toBeLessThan(5_000);
    } finally {
      payments.shutdown();
      await store.close();
      data.remove();
    }
  });
});
