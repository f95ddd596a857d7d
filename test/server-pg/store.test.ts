// The PostgreSQL store as two instances see it: two stores (two pools, two LISTEN connections) on one database.
// What one store must do is the contract suite's business (test/server/store-contract.ts runs on PostgreSQL too);
// these are the races and failures that only exist with more than one instance.
import { randomBytes } from 'node:crypto';
import { StoreOpenError, StoreUnavailableError, type NewOrder, type PaidStatement } from '../../server/store';
import { PostgresStore } from '../../server/store/postgres/store';
import { adminClient, freshDatabase } from './database';

// real servers and a real database on a 2-core machine shared with other work: seconds, not the default 5 s
jest.setTimeout(30_000);

// 300 statements queue for 10 connections: on a loaded machine the wait for one can pass a couple of seconds
const settings = (url: string) => ({ url, poolMax: 10, statementTimeoutMs: 5_000, connectTimeoutMs: 15_000 });
const log = { info: () => undefined, warn: () => undefined, error: () => undefined };

export function newOrder(now = Date.now()): NewOrder {
  return {
    outTradeNo: `T${randomBytes(8).toString('hex')}`,
    orderTokenHash: 'h',
    sku: 'vip-month',
    quantity: 1,
    totalFee: 1990,
    body: 'VIP',
    attach: null,
    provider: 'xiaoweijufu',
    createdAt: now,
    expiresAt: now + 60_000,
  };
}

const paid = (outTradeNo: string, i = 0): PaidStatement => ({
  outTradeNo,
  providerOrderId: `P${i}`,
  transactionId: `X${i}`,
  openid: 'o-1',
  at: Date.now(),
  source: 'notify',
  fields: { i },
});

async function until(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('PostgreSQL store shared by two instances', () => {
  let a: PostgresStore;
  let b: PostgresStore;
  let url: string;
  beforeEach(async () => {
    url = await freshDatabase();
    [a, b] = await Promise.all([
      PostgresStore.open({ settings: settings(url), log, wakeups: { initialBackoffMs: 20, maxBackoffMs: 200 } }),
      PostgresStore.open({ settings: settings(url), log, wakeups: { initialBackoffMs: 20, maxBackoffMs: 200 } }),
    ]);
  });
  afterEach(async () => {
    await Promise.all([a.close(), b.close()]);
  });

  it('marks an order paid once under 300 concurrent statements spread over both; the rest are counted repeats', async () => {
    const order = newOrder();
    await a.insertOrder(order);
    const woken: string[] = [];
    b.wakeups.subscribe(order.outTradeNo, (reason) => woken.push(reason));
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, i) => (i % 2 ? a : b).markPaid(paid(order.outTradeNo, i), { fulfillment: true })),
    );
    const winners = results.filter((r) => r.kind === 'paid');
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => r.kind === 'already-paid')).toHaveLength(299);
    const row = await b.getOrder(order.outTradeNo);
    expect(row).toMatchObject({ status: 'paid', repeatCount: 299, paidVia: 'notify' });
    // the winner's provider ids stay; no repeat overwrote them
    expect(winners[0].kind === 'paid' && winners[0].order.providerOrderId).toBe(row?.providerOrderId);
    expect(await a.paymentEvents(order.outTradeNo)).toHaveLength(1);
    expect(await a.outboxCounts()).toEqual({ pending: 1, delivered: 0 });
    // b's subscriber hears of it whichever instance won (b directly, or a's NOTIFY through b's LISTEN)
    await until(() => woken.length > 0, 5_000, 'the wake-up on b');
  });

  it('shares the provider-query slot: of concurrent claims on both one wins, the next only after the interval', async () => {
    const order = newOrder();
    await a.insertOrder(order);
    const now = Date.now();
    const won = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).claimProviderQuery(order.outTradeNo, now, 5_000)));
    expect(won.filter(Boolean)).toHaveLength(1);
    expect(await a.claimProviderQuery(order.outTradeNo, now + 4_999, 5_000)).toBe(false);
    // an instance whose clock is a little behind sees the slot taken, not a clock stepped back
    expect(await a.claimProviderQuery(order.outTradeNo, now - 3_000, 5_000)).toBe(false);
    expect(await b.claimProviderQuery(order.outTradeNo, now + 5_000, 5_000)).toBe(true);
    expect((await a.getOrder(order.outTradeNo))?.lastProviderQueryAt).toBe(now + 5_000);
  });

  it('hands every outbox entry to exactly one claimer, and again after the lease of a claimer that died', async () => {
    const orders = Array.from({ length: 60 }, () => newOrder());
    for (const order of orders) await a.insertOrder(order);
    await Promise.all(orders.map((order, i) => (i % 2 ? a : b).markPaid(paid(order.outTradeNo, i), { fulfillment: true })));
    const now = Date.now() + 1;
    const claims: { store: PostgresStore; outTradeNo: string; leaseToken: string }[] = [];
    // both instances claim in small batches at the same time until nothing is due
    await Promise.all(
      [a, b, a, b].map(async (store) => {
        for (;;) {
          const batch = await store.claimDeliveries({ now, leaseMs: 30_000, limit: 7, maxDelayMs: 3_600_000 });
          if (batch.length === 0) return;
          claims.push(...batch.map((e) => ({ store, outTradeNo: e.outTradeNo, leaseToken: e.leaseToken })));
        }
      }),
    );
    expect(claims).toHaveLength(60);
    expect(new Set(claims.map((c) => c.outTradeNo)).size).toBe(60);
    // an instance whose clock is a little behind does not take the fresh leases over
    expect(await b.claimDeliveries({ now: now - 50, leaseMs: 30_000, limit: 100, maxDelayMs: 3_600_000 })).toEqual([]);
    expect(await a.claimDeliveries({ now: now - 5_000, leaseMs: 30_000, limit: 100, maxDelayMs: 3_600_000 })).toEqual([]);

    // half are delivered; the instance holding the rest "dies": they are due again once the lease is over
    for (const claim of claims.slice(0, 30)) expect(await claim.store.completeDelivery(claim.outTradeNo, claim.leaseToken, now)).toBe(true);
    const request = { leaseMs: 30_000, limit: 100, maxDelayMs: 3_600_000 };
    expect(await b.claimDeliveries({ ...request, now: now + 29_999 })).toEqual([]);
    const again = await b.claimDeliveries({ ...request, now: now + 30_000 });
    expect(again.map((e) => e.outTradeNo).sort()).toEqual(claims.slice(30).map((c) => c.outTradeNo).sort());
    expect(again.every((e) => e.attempts === 2)).toBe(true);
    // the dead claimer's late answer no longer counts
    const late = claims[30];
    expect(await late.store.completeDelivery(late.outTradeNo, late.leaseToken, now)).toBe(false);
    expect(await a.outboxCounts()).toEqual({ pending: 30, delivered: 30 });
  });

  it('answers StoreUnavailableError (a 503, the provider retries) when the database stops answering, and recovers', async () => {
    const order = newOrder();
    await a.insertOrder(order);
    const admin = await adminClient();
    const database = new URL(url).pathname.slice(1);
    try {
      await admin.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS false`);
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database]);
      await expect(a.markPaid(paid(order.outTradeNo), { fulfillment: true })).rejects.toThrow(StoreUnavailableError);
      expect(await a.health()).toMatchObject({ ok: false });
      await admin.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS true`);
      expect((await a.markPaid(paid(order.outTradeNo), { fulfillment: true })).kind).toBe('paid');
      await until(() => a.wakeups.listener.connected && b.wakeups.listener.connected, 5_000, 'both listeners back');
    } finally {
      await admin.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS true`).catch(() => undefined);
      await admin.end();
    }
  });

  it('refuses to open a database it cannot reach, with StoreOpenError naming it and not the password', async () => {
    const bad = new URL(url);
    bad.password = 'not-the-password-4411';
    const failure = PostgresStore.open({ settings: settings(bad.toString()), log });
    await expect(failure).rejects.toThrow(StoreOpenError);
    await expect(failure).rejects.toThrow(/Cannot reach PostgreSQL database "db_\w+" on 127\.0\.0\.1:\d+ as user "app"/);
    await expect(failure).rejects.not.toThrow(/not-the-password-4411/);
  });
});
