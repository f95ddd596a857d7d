// The orders awaiting a verdict, kept in storage per outTradeNo so that a kill while the user pays (or a cold start
// with scene 1038) resumes confirmation instead of losing it, and a second order never overwrites the first.
import type { CreateOrderResponse } from '../../typings/api';
import type { StoragePort } from './ports';
import { LEGACY_PENDING_ORDER_KEY, PENDING_ORDERS_KEY, STALE_AFTER_MS, STORED_ORDERS_MAX } from './config';

export { PENDING_ORDERS_KEY };

/** The order as the backend created it (payParams kept so 重新支付 can jump again after a cold start without a request), plus what the client learned since. */
export interface PendingOrder extends CreateOrderResponse {
  /** the provider's order id from the newest return that carried one */
  payjsOrderId?: string;
  /** wall clock ms of the last jump (a stamp: only compared with other stamps of this phone) */
  jumpedAt: number;
  /** set once the backend's verdict is final: the record stays a while (for support and tests) but is never resumed */
  settled?: 'paid' | 'failed' | 'expired' | 'unknown-order';
}

export interface PendingStore {
  /** adds the order, or replaces the record of the same outTradeNo */
  save(order: PendingOrder): void;
  update(outTradeNo: string, patch: Partial<Pick<PendingOrder, 'payjsOrderId' | 'jumpedAt'>>): void;
  /** marks the order final so no launch resumes it */
  settle(outTradeNo: string, status: NonNullable<PendingOrder['settled']>): void;
  remove(outTradeNo: string): void;
  get(outTradeNo: string): PendingOrder | null;
  /** every stored record, the most recent jump first */
  all(): PendingOrder[];
  /** the records still awaiting a verdict, the most recent jump first */
  unsettled(): PendingOrder[];
}

function isPendingOrder(value: unknown): value is PendingOrder {
  if (!value || typeof value !== 'object') return false;
  const o = value as PendingOrder;
  return (
    typeof o.outTradeNo === 'string' && !!o.outTradeNo &&
    typeof o.orderToken === 'string' &&
    !!o.provider && typeof o.provider.appId === 'string' &&
    !!o.payParams &&
    typeof o.jumpedAt === 'number'
  );
}

const byRecentJump = (a: PendingOrder, b: PendingOrder) => b.jumpedAt - a.jumpedAt;

/** Reads what storage holds under the key (WeChat answers '' for a missing key), dropping anything malformed. */
export function storedOrders(raw: unknown): PendingOrder[] {
  const list = raw && typeof raw === 'object' && Array.isArray((raw as { orders?: unknown }).orders) ? (raw as { orders: unknown[] }).orders : [];
  return list.filter(isPendingOrder).sort(byRecentJump);
}

/**
 * An order is stale when both the backend's expiry and the last jump are long past by this phone's clock: a check
 * then can only say `expired` (or, at most, a payment the backend has long recorded), so it is checked once and
 * dropped instead of being resumed. Both conditions, so a phone clock that runs ahead of the backend's does not make
 * a fresh order stale.
 */
export function isStale(order: PendingOrder, wallNow: number, staleAfterMs: number = STALE_AFTER_MS): boolean {
  const expiresAt = Date.parse(order.expiresAt);
  const pastExpiry = isNaN(expiresAt) || wallNow - expiresAt > staleAfterMs;
  return pastExpiry && wallNow - order.jumpedAt > staleAfterMs;
}

export function createPendingStore(storage: StoragePort, key: string = PENDING_ORDERS_KEY): PendingStore {
  const read = (): PendingOrder[] => {
    try {
      return storedOrders(storage.getStorageSync(key));
    } catch {
      return [];
    }
  };
  const write = (orders: PendingOrder[]) => {
    const sorted = orders.slice().sort(byRecentJump);
    // bounded: the oldest settled records go first, then the oldest of the rest
    while (sorted.length > STORED_ORDERS_MAX) {
      let victim = -1;
      for (let i = sorted.length - 1; i >= 0; i--) {
        if (sorted[i].settled) {
          victim = i;
          break;
        }
      }
      sorted.splice(victim >= 0 ? victim : sorted.length - 1, 1);
    }
    storage.setStorageSync(key, { orders: sorted });
  };
  const change = (outTradeNo: string, fn: (order: PendingOrder) => PendingOrder | null) => {
    const orders = read();
    const index = orders.findIndex((o) => o.outTradeNo === outTradeNo);
    if (index < 0) return;
    const next = fn(orders[index]);
    if (next) orders[index] = next;
    else orders.splice(index, 1);
    write(orders);
  };

  // one order under the key of the first release: carried over once, then that key is gone
  try {
    const legacy = storage.getStorageSync(LEGACY_PENDING_ORDER_KEY);
    if (legacy !== '' && legacy !== undefined && legacy !== null) {
      const orders = read();
      if (isPendingOrder(legacy) && !orders.some((o) => o.outTradeNo === legacy.outTradeNo)) write(orders.concat([legacy]));
      storage.removeStorageSync(LEGACY_PENDING_ORDER_KEY);
    }
  } catch {
    // unreadable storage: nothing to carry over
  }

  return {
    save(order) {
      // first, so it wins a tie of jumpedAt (the stable sort keeps it ahead): the one saved last is the newest jump
      write([order].concat(read().filter((o) => o.outTradeNo !== order.outTradeNo)));
    },
    update(outTradeNo, patch) {
      change(outTradeNo, (o) => (o.settled ? o : { ...o, ...patch }));
    },
    settle(outTradeNo, status) {
      change(outTradeNo, (o) => ({ ...o, settled: status }));
    },
    remove(outTradeNo) {
      change(outTradeNo, () => null);
    },
    get(outTradeNo) {
      return read().find((o) => o.outTradeNo === outTradeNo) || null;
    },
    all: read,
    unsettled: () => read().filter((o) => !o.settled),
  };
}
