// The OrderStore contract (server/store/types.ts) as a test suite that takes a store factory, so every implementation
// runs the same cases: SQLite now (store-sqlite.test.ts), PostgreSQL later. It uses only the interface.

import { randomBytes } from 'node:crypto';
import type { NewOrder, OrderStore, PaidStatement } from '../../server/store';

export interface StoreUnderTest {
  store: OrderStore;
  /** closes this store and opens a new one on the same data (a restart, or another instance) */
  reopen(): Promise<OrderStore>;
  /** closes whatever is open and removes the data */
  cleanup(): Promise<void>;
}

export type StoreFactory = () => Promise<StoreUnderTest>;

const T0 = Date.parse('2026-03-01T08:00:00Z');
const HOUR = 3_600_000;

export function newOrder(overrides: Partial<NewOrder> = {}): NewOrder {
  return {
    outTradeNo: `T${randomBytes(10).toString('hex')}`,
    orderTokenHash: randomBytes(32).toString('hex'),
    sku: 'vip-month',
    quantity: 1,
    totalFee: 1990,
    body: '会员月卡',
    attach: 'sku=vip-month&quantity=1',
    provider: 'xiaoweijufu',
    createdAt: T0,
    expiresAt: T0 + 30 * 60_000,
    ...overrides,
  };
}

function paid(outTradeNo: string, overrides: Partial<PaidStatement> = {}): PaidStatement {
  return {
    outTradeNo,
    providerOrderId: 'P-1',
    transactionId: 'TX-1',
    openid: 'o-openid',
    at: T0 + 60_000,
    source: 'notify',
    fields: { status: '1' },
    ...overrides,
  };
}

export function describeStoreContract(name: string, factory: StoreFactory): void {
  describe(`OrderStore contract: ${name}`, () => {
    let subject: StoreUnderTest;
    let store: OrderStore;
    beforeEach(async () => {
      subject = await factory();
      store = subject.store;
    });
    afterEach(async () => {
      await subject.cleanup();
    });

    describe('orders', () => {
      it('stores a new order as pending and reads it back; an unknown one is undefined', async () => {
        const order = newOrder();
        await store.insertOrder(order);
        expect(await store.getOrder(order.outTradeNo)).toEqual({
          ...order,
          status: 'pending',
          paidAt: null,
          paidVia: null,
          providerOrderId: null,
          providerOrderIdHint: null,
          providerOrderIdHintRejected: false,
          transactionId: null,
          openid: null,
          paidAfterExpiry: false,
          firstCheckAt: null,
          lastProviderQueryAt: null,
          repeatCount: 0,
          lastRepeatAt: null,
        });
        expect(await store.getOrder('NO-SUCH-ORDER')).toBeUndefined();
      });

      it('refuses a second order with the same out_trade_no and keeps the first', async () => {
        const order = newOrder();
        await store.insertOrder(order);
        await expect(store.insertOrder({ ...order, totalFee: 1 })).rejects.toThrow();
        expect((await store.getOrder(order.outTradeNo))?.totalFee).toBe(1990);
      });

      it('keeps what it acknowledged across a reopen', async () => {
        const order = newOrder();
        await store.insertOrder(order);
        await store.markPaid(paid(order.outTradeNo), { fulfillment: true });
        store = await subject.reopen();
        expect(await store.getOrder(order.outTradeNo)).toMatchObject({ status: 'paid', providerOrderId: 'P-1' });
        expect(await store.outboxEntry(order.outTradeNo)).toMatchObject({ deliveredAt: null });
      });

      it('records the first check only once', async () => {
        const order = newOrder();
        await store.insertOrder(order);
        await store.recordFirstCheck(order.outTradeNo, T0 + 1000);
        await store.recordFirstCheck(order.outTradeNo, T0 + 2000);
        expect((await store.getOrder(order.outTradeNo))?.firstCheckAt).toBe(T0 + 1000);
      });

      it('expires a pending order only once it is due, and publishes it', async () => {
        const order = newOrder();
        await store.insertOrder(order);
        const woken: string[] = [];
        const stop = store.wakeups.subscribe(order.outTradeNo, (reason) => woken.push(reason));
        expect(await store.expireIfDue(order.outTradeNo, order.expiresAt - 1)).toBe(false);
        expect(await store.expireIfDue(order.outTradeNo, order.expiresAt)).toBe(true);
        expect(await store.expireIfDue(order.outTradeNo, order.expiresAt + 1)).toBe(false);
        stop();
        expect((await store.getOrder(order.outTradeNo))?.status).toBe('expired');
        expect(woken).toEqual(['changed']);
      });
    });

    describe('the paid transition', () => {
      it('happens exactly once however many statements race; the others are counted, not stored', async () => {
        const order = newOrder();
        await store.insertOrder(order);
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            store.markPaid(paid(order.outTradeNo, { at: T0 + 60_000 + i, transactionId: `TX-${i}` }), { fulfillment: true }),
          ),
        );
        expect(results.filter((r) => r.kind === 'paid')).toHaveLength(1);
        expect(results.filter((r) => r.kind === 'already-paid')).toHaveLength(19);
        const row = await store.getOrder(order.outTradeNo);
        expect(row).toMatchObject({ status: 'paid', paidVia: 'notify', repeatCount: 19, openid: 'o-openid' });
        expect(row?.lastRepeatAt).toBeGreaterThanOrEqual(T0 + 60_000);
        expect(await store.paymentEvents(order.outTradeNo)).toHaveLength(1);
        expect(await store.outboxCounts()).toEqual({ pending: 1, delivered: 0 });
      });

      it('answers unknown-order for an order it does not have, and stores nothing', async () => {
        expect(await store.markPaid(paid('NO-SUCH-ORDER'), { fulfillment: true })).toEqual({ kind: 'unknown-order' });
        expect(await store.outboxCounts()).toEqual({ pending: 0, delivered: 0 });
      });

      it('writes the order.paid outbox entry with the transition, only when asked to', async () => {
        const [a, b] = [newOrder(), newOrder({ sku: 'coin-100', quantity: 3, totalFee: 300, attach: null })];
        await store.insertOrder(a);
        await store.insertOrder(b);
        const result = await store.markPaid(paid(a.outTradeNo), { fulfillment: true });
        expect(result.kind).toBe('paid');
        const entry = await store.outboxEntry(a.outTradeNo);
        expect(entry).toMatchObject({ outTradeNo: a.outTradeNo, event: 'order.paid', attempts: 0, deliveredAt: null });
        expect(entry?.nextAttemptAt).toBe(T0 + 60_000);
        expect(JSON.parse(entry?.body ?? '')).toEqual({
          event: 'order.paid',
          outTradeNo: a.outTradeNo,
          sku: 'vip-month',
          quantity: 1,
          totalFee: 1990,
          paidAt: new Date(T0 + 60_000).toISOString(),
          providerOrderId: 'P-1',
          transactionId: 'TX-1',
          openid: 'o-openid',
          attach: 'sku=vip-month&quantity=1',
          flags: [],
        });
        await store.markPaid(paid(b.outTradeNo, { source: 'query', openid: null }), { fulfillment: false });
        expect(await store.outboxEntry(b.outTradeNo)).toBeUndefined();
      });

      it('pays an expired or failed order too, flagging money that came after expiry', async () => {
        const [late, failed] = [newOrder(), newOrder()];
        await store.insertOrder(late);
        await store.insertOrder(failed);
        await store.expireIfDue(late.outTradeNo, late.expiresAt);
        await store.markFailed({ outTradeNo: failed.outTradeNo, providerOrderId: 'PF', at: T0 + 1000, fields: {} });
        await store.markPaid(paid(late.outTradeNo, { at: late.expiresAt + 5000, source: 'query' }), { fulfillment: true });
        await store.markPaid(paid(failed.outTradeNo), { fulfillment: true });
        expect(await store.getOrder(late.outTradeNo)).toMatchObject({ status: 'paid', paidAfterExpiry: true, paidVia: 'query' });
        expect(await store.getOrder(failed.outTradeNo)).toMatchObject({ status: 'paid', paidAfterExpiry: false });
        expect(JSON.parse((await store.outboxEntry(late.outTradeNo))?.body ?? '').flags).toEqual([
          'paid_after_expiry',
          'confirmed_by_query',
        ]);
      });

      it('publishes the transition to the order\'s subscribers only, after it is readable', async () => {
        const [a, b] = [newOrder(), newOrder()];
        await store.insertOrder(a);
        await store.insertOrder(b);
        const seen: string[] = [];
        const stopA = store.wakeups.subscribe(a.outTradeNo, () => {
          void store.getOrder(a.outTradeNo).then((row) => seen.push(`a:${row?.status}`));
        });
        const stopB = store.wakeups.subscribe(b.outTradeNo, () => seen.push('b'));
        await store.markPaid(paid(a.outTradeNo), { fulfillment: false });
        await store.markPaid(paid(a.outTradeNo), { fulfillment: false });
        await new Promise((resolve) => setTimeout(resolve, 50));
        stopA();
        stopB();
        expect(seen).toEqual(['a:paid']);
      });

      it('marks a pending order failed once; never un-pays; repeats are counted', async () => {
        const order = newOrder();
        await store.insertOrder(order);
        const failed = { outTradeNo: order.outTradeNo, providerOrderId: 'PF', at: T0 + 1000, fields: { status: '0' } };
        expect(await store.markFailed(failed)).toBe(true);
        expect(await store.markFailed(failed)).toBe(false);
        expect(await store.getOrder(order.outTradeNo)).toMatchObject({ status: 'failed', providerOrderId: 'PF', repeatCount: 1 });
        await store.markPaid(paid(order.outTradeNo), { fulfillment: false });
        expect(await store.markFailed(failed)).toBe(false);
        expect(await store.getOrder(order.outTradeNo)).toMatchObject({ status: 'paid', providerOrderId: 'P-1', repeatCount: 2 });
        expect((await store.paymentEvents(order.outTradeNo)).map((e) => e.kind)).toEqual(['failed', 'paid']);
      });

      it('5,000 replays of one statement add no rows: one audit record, a count of 4,999', async () => {
        const order = newOrder();
        await store.insertOrder(order);
        for (let i = 0; i < 5000; i++) await store.markPaid(paid(order.outTradeNo, { at: T0 + i }), { fulfillment: true });
        expect(await store.paymentEvents(order.outTradeNo)).toHaveLength(1);
        expect(await store.getOrder(order.outTradeNo)).toMatchObject({ repeatCount: 4999, lastRepeatAt: T0 + 4999 });
        expect(await store.outboxCounts()).toEqual({ pending: 1, delivered: 0 });
      }, 60_000);
    });

    describe('provider order id hints', () => {
      it('keeps the newest hint apart from the verified id, and a rejection only for the hint it was about', async () => {
        const order = newOrder();
        await store.insertOrder(order);
        await store.rememberProviderOrderIdHint(order.outTradeNo, 'WRONG');
        await store.rejectProviderOrderIdHint(order.outTradeNo, 'WRONG');
        expect(await store.getOrder(order.outTradeNo)).toMatchObject({ providerOrderIdHint: 'WRONG', providerOrderIdHintRejected: true });
        await store.rememberProviderOrderIdHint(order.outTradeNo, 'NEWER');
        // a late rejection of the old hint does not touch the newer one
        await store.rejectProviderOrderIdHint(order.outTradeNo, 'WRONG');
        expect(await store.getOrder(order.outTradeNo)).toMatchObject({
          providerOrderId: null,
          providerOrderIdHint: 'NEWER',
          providerOrderIdHintRejected: false,
        });
      });

      it('never lets a hint overwrite an id the provider sent', async () => {
        const order = newOrder();
        await store.insertOrder(order);
        await store.markFailed({ outTradeNo: order.outTradeNo, providerOrderId: 'FROM-PROVIDER', at: T0, fields: {} });
        await store.rememberProviderOrderIdHint(order.outTradeNo, 'FROM-CLIENT');
        expect(await store.getOrder(order.outTradeNo)).toMatchObject({
          providerOrderId: 'FROM-PROVIDER',
          providerOrderIdHint: 'FROM-CLIENT',
        });
      });
    });

    describe('provider query rate state', () => {
      it('grants one query per interval, shared by every store on the same data, and survives a wall clock step back', async () => {
        const order = newOrder();
        await store.insertOrder(order);
        expect(await store.claimProviderQuery(order.outTradeNo, T0, 5000)).toBe(true);
        expect(await store.claimProviderQuery(order.outTradeNo, T0 + 4999, 5000)).toBe(false);
        store = await subject.reopen();
        expect(await store.claimProviderQuery(order.outTradeNo, T0 + 4999, 5000)).toBe(false);
        expect(await store.claimProviderQuery(order.outTradeNo, T0 + 5000, 5000)).toBe(true);
        expect((await store.getOrder(order.outTradeNo))?.lastProviderQueryAt).toBe(T0 + 5000);
        // stepped back an hour: the stored time is far "ahead", which no interval explains
        expect(await store.claimProviderQuery(order.outTradeNo, T0 + 5000 - HOUR, 5000)).toBe(true);
        expect(await store.claimProviderQuery(order.outTradeNo, T0 + 5001 - HOUR, 5000)).toBe(false);
      });

      it('grants exactly one of many simultaneous claims', async () => {
        const order = newOrder();
        await store.insertOrder(order);
        const claims = await Promise.all(Array.from({ length: 10 }, () => store.claimProviderQuery(order.outTradeNo, T0, 5000)));
        expect(claims.filter(Boolean)).toHaveLength(1);
      });
    });

    describe('fulfilment outbox', () => {
      async function paidOrders(count: number): Promise<string[]> {
        const ids: string[] = [];
        for (let i = 0; i < count; i++) {
          const order = newOrder();
          await store.insertOrder(order);
          await store.markPaid(paid(order.outTradeNo, { at: T0 + i }), { fulfillment: true });
          ids.push(order.outTradeNo);
        }
        return ids;
      }
      const claim = { leaseMs: 15_000, maxDelayMs: 600_000 };

      it('claims due entries oldest first, up to the limit, and never the same entry twice while leased', async () => {
        const ids = await paidOrders(3);
        const first = await store.claimDeliveries({ ...claim, now: T0 + 10, limit: 2 });
        expect(first.map((e) => e.outTradeNo)).toEqual(ids.slice(0, 2));
        expect(first.every((e) => e.attempts === 1 && e.leaseToken.length > 0)).toBe(true);
        const second = await store.claimDeliveries({ ...claim, now: T0 + 10, limit: 10 });
        expect(second.map((e) => e.outTradeNo)).toEqual([ids[2]]);
        expect(await store.claimDeliveries({ ...claim, now: T0 + 10, limit: 10 })).toEqual([]);
        // a lapsed lease (its holder died) makes the entry claimable again
        const again = await store.claimDeliveries({ ...claim, now: T0 + 10 + claim.leaseMs, limit: 10 });
        expect(again.map((e) => e.outTradeNo).sort()).toEqual([...ids].sort());
        expect(again.every((e) => e.attempts === 2)).toBe(true);
      });

      it('a completed entry is never claimed again; only the lease holder can complete or fail it', async () => {
        const [id] = await paidOrders(1);
        const [entry] = await store.claimDeliveries({ ...claim, now: T0 + 10, limit: 1 });
        expect(await store.completeDelivery(id, 'not-the-token', T0 + 20)).toBe(false);
        expect(await store.failDelivery(id, 'not-the-token', { at: T0 + 20, error: 'x', nextAttemptAt: T0 + 30 })).toBe(false);
        expect(await store.completeDelivery(id, entry.leaseToken, T0 + 20)).toBe(true);
        expect(await store.completeDelivery(id, entry.leaseToken, T0 + 21)).toBe(false);
        expect(await store.outboxEntry(id)).toMatchObject({ deliveredAt: T0 + 20, attempts: 1, lastError: null });
        expect(await store.claimDeliveries({ ...claim, now: T0 + HOUR, limit: 10 })).toEqual([]);
        expect(await store.claimDeliveries({ ...claim, now: T0 + HOUR, limit: 10, outTradeNos: [id] })).toEqual([]);
        expect(await store.outboxCounts()).toEqual({ pending: 0, delivered: 1 });
      });

      it('a failed attempt waits for its next attempt time, unless named by the process that timed the retry', async () => {
        const [id] = await paidOrders(1);
        const [entry] = await store.claimDeliveries({ ...claim, now: T0 + 10, limit: 1 });
        expect(await store.failDelivery(id, entry.leaseToken, { at: T0 + 20, error: 'HTTP 503', nextAttemptAt: T0 + 2020 })).toBe(true);
        expect(await store.outboxEntry(id)).toMatchObject({ attempts: 1, lastError: 'HTTP 503', nextAttemptAt: T0 + 2020 });
        expect(await store.claimDeliveries({ ...claim, now: T0 + 2019, limit: 10 })).toEqual([]);
        const named = await store.claimDeliveries({ ...claim, now: T0 + 30, limit: 10, outTradeNos: [id, 'NOT-IN-OUTBOX'] });
        expect(named.map((e) => e.outTradeNo)).toEqual([id]);
        await store.failDelivery(id, named[0].leaseToken, { at: T0 + 40, error: 'timeout', nextAttemptAt: T0 + 4040 });
        expect((await store.claimDeliveries({ ...claim, now: T0 + 4040, limit: 10 })).map((e) => e.outTradeNo)).toEqual([id]);
      });

      it('a next attempt further ahead than any backoff (a wall clock stepped back) counts as due', async () => {
        const [id] = await paidOrders(1);
        const [entry] = await store.claimDeliveries({ ...claim, now: T0 + 10, limit: 1 });
        await store.failDelivery(id, entry.leaseToken, { at: T0 + 20, error: 'HTTP 500', nextAttemptAt: T0 + 60_000 });
        expect(await store.claimDeliveries({ ...claim, now: T0 + 30, limit: 1 })).toEqual([]);
        expect((await store.claimDeliveries({ ...claim, now: T0 - HOUR, limit: 1 })).map((e) => e.outTradeNo)).toEqual([id]);
      });

      it('hands each entry to one of many simultaneous claimers', async () => {
        const ids = await paidOrders(6);
        const claims = await Promise.all(
          Array.from({ length: 4 }, () => store.claimDeliveries({ ...claim, now: T0 + 100, limit: 3 })),
        );
        const all = claims.flat().map((e) => e.outTradeNo);
        expect(new Set(all).size).toBe(all.length);
        expect(all.sort()).toEqual([...ids].sort());
      });
    });

    it('reports itself healthy while it can write', async () => {
      expect(await store.health()).toEqual({ ok: true });
      expect(typeof store.description).toBe('string');
    });

    it('tells every subscriber to re-read on resync, and stops calling after unsubscribe', async () => {
      const calls: string[] = [];
      const stopA = store.wakeups.subscribe('A', (reason) => calls.push(`A:${reason}`));
      const stopB = store.wakeups.subscribe('B', (reason) => calls.push(`B:${reason}`));
      store.wakeups.resync();
      await store.wakeups.publish('A');
      stopA();
      await store.wakeups.publish('A');
      store.wakeups.resync();
      stopB();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect([...calls].sort()).toEqual(['A:changed', 'A:resync', 'B:resync', 'B:resync']);
      expect(store.wakeups.listenerCount).toBe(0);
    });
  });
}
