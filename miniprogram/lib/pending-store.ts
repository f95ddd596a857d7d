// The order awaiting a verdict, kept in storage from just before the jump until the backend says it is final, so a
// cold start (WeChat may kill the app while the user pays) resumes the confirmation instead of losing it.
import type { CreateOrderResponse } from '../../typings/api';
import type { StoragePort } from './ports';
import { PENDING_ORDER_KEY } from './config';

export { PENDING_ORDER_KEY };

/** The order as the backend created it (payParams kept so 重新支付 can jump again after a cold start without a request), plus what the client learned since. */
export interface PendingOrder extends CreateOrderResponse {
  /** the provider's order id once a return carried one */
  payjsOrderId?: string;
  /** ms since epoch of the last jump */
  jumpedAt: number;
  /** set once the backend's verdict is final: the record stays (for support and tests) but is never resumed */
  settled?: 'paid' | 'failed' | 'expired' | 'unknown-order';
}

export interface PendingStore {
  load(): PendingOrder | null;
  save(order: PendingOrder): void;
  update(outTradeNo: string, patch: Partial<Pick<PendingOrder, 'payjsOrderId' | 'jumpedAt'>>): void;
  /** Marks the order final so no launch resumes it; only if the stored order is this one (a newer one stays). */
  settle(outTradeNo: string, status: NonNullable<PendingOrder['settled']>): void;
  /** the stored record, settled or not */
  last(): PendingOrder | null;
}

function isPendingOrder(value: unknown): value is PendingOrder {
  if (!value || typeof value !== 'object') return false;
  const o = value as PendingOrder;
  return typeof o.outTradeNo === 'string' && typeof o.orderToken === 'string' && !!o.provider && typeof o.provider.appId === 'string' && !!o.payParams;
}

export function createPendingStore(storage: StoragePort, key: string = PENDING_ORDER_KEY): PendingStore {
  const last = (): PendingOrder | null => {
    let value: unknown;
    try {
      value = storage.getStorageSync(key);
    } catch {
      return null;
    }
    return isPendingOrder(value) ? value : null;
  };
  const load = (): PendingOrder | null => {
    const stored = last();
    return stored && !stored.settled ? stored : null;
  };
  return {
    load,
    last,
    save(order) {
      storage.setStorageSync(key, order);
    },
    update(outTradeNo, patch) {
      const current = load();
      if (current && current.outTradeNo === outTradeNo) storage.setStorageSync(key, { ...current, ...patch });
    },
    settle(outTradeNo, status) {
      const current = last();
      if (current && current.outTradeNo === outTradeNo) storage.setStorageSync(key, { ...current, settled: status });
    },
  };
}
