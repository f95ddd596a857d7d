// The PostgreSQL store as two instances see it: two stores (two pools) on one database.
import { randomBytes } from 'node:crypto';
import { PostgresOrderStore, ORDER_CHANNEL } from '../../server/store/postgres/store';
import { PgListener } from '../../server/store/postgres/listener';
import type { NewOrder } from '../../server/store';
import { freshDatabase } from './database';

const settings = (url: string) => ({ url, poolMax: 10, statementTimeoutMs: 5_000, connectTimeoutMs: 5_000 });

function newOrder(now = Date.now()): NewOrder {
  return {
    outTradeNo: `T${randomBytes(8).toString('hex')}`,
    orderTokenHash: 'h',
    sku: 'vip-month',
    quantity: 1,
    totalFee: 1,
    body: 'VIP',
    attach: null,
    provider: 'xiaoweijufu',
    createdAt: now,
    expiresAt: now + 60_000,
  };
}

const payment = (outTradeNo: string, i = 0) => ({
  outTradeNo,
  providerOrderId: `P${i}`,
  transactionId: `X${i}`,
  paidAt: Date.now(),
  source: 'notify',
  fields: { i, openid: 'o-1' },
});

describe('PostgreSQL store shared by two instances', () => {
  let a: PostgresOrderStore;
  let b: PostgresOrderStore;
  let url: string;
  beforeEach(async () => {
    url = await freshDatabase();
    [a, b] = await Promise.all([PostgresOrderStore.open(settings(url)), PostgresOrderStore.open(settings(url))]);
  });
  afterEach(async () => {
    await Promise.all([a.close(), b.close()]);
  });

  it('marks an order paid once under 300 concurrent notifies spread over both; the rest are counted repeats', async () => {
    const order = newOrder();
    await a.insert(order);
    const woken: string[] = [];
    const listener = new PgListener({
      settings: settings(url),
      channel: ORDER_CHANNEL,
      onNotify: (id) => woken.push(id),
      onResync: () => undefined,
      log: { info: () => undefined, warn: () => undefined },
    });
    await listener.start();
    try {
      const results = await Promise.all(
        Array.from({ length: 300 }, (_, i) => (i % 2 ? a : b).markPaid(payment(order.outTradeNo, i))),
      );
      const paid = results.filter((r) => r.kind === 'paid');
      expect(paid).toHaveLength(1);
      expect(results.filter((r) => r.kind === 'already-paid')).toHaveLength(299);
      const row = await b.get(order.outTradeNo);
      expect(row).toMatchObject({ status: 'paid', repeatNotifies: 299 });
      // the winner's provider ids stay; no repeat overwrote them
      expect(paid[0].kind === 'paid' && paid[0].order.providerOrderId).toBe(row?.providerOrderId);
      expect(await a.events(order.outTradeNo)).toHaveLength(1);
      const { rows } = await a.pool.query('SELECT count(*)::int AS n FROM fulfilment_outbox WHERE out_trade_no = $1', [order.outTradeNo]);
      expect(rows[0].n).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 200));
      // one wake-up, sent with the commit
      expect(woken).toEqual([order.outTradeNo]);
    } finally {
      await listener.close();
    }
  });

  it('answers unknown-order for an order no instance created, and changes nothing', async () => {
    expect(await a.markPaid(payment('nope'))).toEqual({ kind: 'unknown-order' });
    expect(await a.markFailed('nope', null, {}, Date.now())).toBe(false);
  });

  it('fails a pending order once, never a paid one', async () => {
    const order = newOrder();
    await a.insert(order);
    expect(await b.markFailed(order.outTradeNo, 'P1', { status: '0' }, Date.now())).toBe(true);
    expect(await a.markFailed(order.outTradeNo, 'P1', { status: '0' }, Date.now())).toBe(false);
    const paidAfterFailure = await a.markPaid(payment(order.outTradeNo));
    expect(paidAfterFailure.kind).toBe('paid');
    expect(await b.markFailed(order.outTradeNo, 'P1', { status: '0' }, Date.now())).toBe(false);
    expect(await b.get(order.outTradeNo)).toMatchObject({ status: 'paid', repeatNotifies: 2 });
    expect((await a.events(order.outTradeNo)).map((e) => e.kind)).toEqual(['failed', 'paid']);
  });

  it('expires a due pending order once, and flags money that arrives after that', async () => {
    const order = newOrder(Date.now() - 120_000);
    await a.insert(order);
    const expired = await Promise.all([a.expireIfDue(order.outTradeNo, Date.now()), b.expireIfDue(order.outTradeNo, Date.now())]);
    expect(expired.filter(Boolean)).toHaveLength(1);
    const late = await b.markPaid(payment(order.outTradeNo));
    expect(late).toMatchObject({ kind: 'paid', order: { status: 'paid', paidAfterExpiry: true } });
  });

  it('shares the provider-query slot: of concurrent reservations one wins, the next only after the interval', async () => {
    const order = newOrder();
    await a.insert(order);
    const now = Date.now();
    const won = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).reserveProviderQuery(order.outTradeNo, now, 5_000)));
    expect(won.filter(Boolean)).toHaveLength(1);
    expect(await a.reserveProviderQuery(order.outTradeNo, now + 4_999, 5_000)).toBe(false);
    expect(await b.reserveProviderQuery(order.outTradeNo, now + 5_000, 5_000)).toBe(true);
    expect((await a.get(order.outTradeNo))?.lastQueryAt).toBe(now + 5_000);
  });

  it('hands every outbox entry to exactly one claimer, and again after the lease of a claimer that died', async () => {
    const orders = Array.from({ length: 60 }, () => newOrder());
    for (const order of orders) await a.insert(order);
    await Promise.all(orders.map((order, i) => (i % 2 ? a : b).markPaid(payment(order.outTradeNo, i))));
    const now = Date.now() + 1;
    const claimed: string[] = [];
    // both instances claim in small batches at the same time until nothing is due
    await Promise.all(
      [a, b, a, b].map(async (store) => {
        for (;;) {
          const batch = await store.claimOutbox(now, 30_000, 7);
          if (batch.length === 0) return;
          claimed.push(...batch.map((e) => e.outTradeNo));
        }
      }),
    );
    expect(claimed).toHaveLength(60);
    expect(new Set(claimed).size).toBe(60);
    const [first] = await a.pool.query('SELECT payload FROM fulfilment_outbox LIMIT 1').then((r) => r.rows);
    expect(first.payload).toMatchObject({ sku: 'vip-month', quantity: 1, totalFee: 1, openid: 'o-1' });

    // instance a delivered half; b "died" holding the rest: they are due again once the lease is over
    for (const id of claimed.slice(0, 30)) await a.outboxDelivered(id, now);
    expect(await b.claimOutbox(now + 29_999, 30_000, 100)).toEqual([]);
    const again = await b.claimOutbox(now + 30_000, 30_000, 100);
    expect(again.map((e) => e.outTradeNo).sort()).toEqual(claimed.slice(30).sort());
    expect(again.every((e) => e.attempts === 2)).toBe(true);
    // a failed delivery waits for its retry time
    for (const entry of again.slice(1)) await b.outboxDelivered(entry.outTradeNo, now);
    await b.outboxRetryAt(again[0].outTradeNo, now + 100_000, 'HTTP 503');
    expect(await a.claimOutbox(now + 99_999, 30_000, 100)).toEqual([]);
    expect((await a.claimOutbox(now + 100_000, 30_000, 100)).map((e) => e.outTradeNo)).toEqual([again[0].outTradeNo]);
  });
});
