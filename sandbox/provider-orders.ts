// The sandbox's provider-side state: its own orders (in memory: the sandbox plays a remote service, a restart is a
// fresh provider) and the scenario that scripts how the next payments go.

import { randomBytes } from 'node:crypto';

export type Outcome = 'paid' | 'cancelled' | 'failed' | 'back';
export type NotifyMode = 'normal' | 'lost' | 'repeat' | 'bad-sign';

export interface Scenario {
  outcome: Outcome;
  notify: NotifyMode;
  /** delays the first notify attempt (not scaled by timeScale) */
  notifyDelayMs: number;
  /** for outcome `back`: whether the user paid before pressing the back key (default true) */
  backPaid: boolean;
}

export const DEFAULT_SCENARIO: Scenario = { outcome: 'paid', notify: 'normal', notifyDelayMs: 0, backPaid: true };

export interface NotifyAttempt {
  /** ms since the epoch */
  at: number;
  /** HTTP status, 0 when no answer came */
  status: number;
  /** first 200 characters of the answer, or the network error */
  answer: string;
  accepted: boolean;
  badSign: boolean;
}

export interface ProviderOrder {
  orderNo: string;
  mchid: string;
  outTradeNo: string;
  totalFee: number;
  body?: string;
  attach?: string;
  notifyUrl?: string;
  status: 'unpaid' | 'paid' | 'failed';
  transactionId?: string;
  /** yyyyMMddHHmmss, Beijing time, as WeChat Pay writes it */
  timeEnd?: string;
  openid: string;
  createdAt: number;
  notifyAttempts: NotifyAttempt[];
}

export function beijingTime(ms: number): string {
  return new Date(ms + 8 * 3600_000).toISOString().replace(/\D/g, '').slice(0, 14);
}

export class ProviderOrders {
  private readonly byOrderNo = new Map<string, ProviderOrder>();
  private readonly byOutTradeNo = new Map<string, ProviderOrder>();
  scenario: Scenario = { ...DEFAULT_SCENARIO };

  byProviderId(orderNo: string): ProviderOrder | undefined {
    return this.byOrderNo.get(orderNo);
  }

  byMerchantId(mchid: string, outTradeNo: string): ProviderOrder | undefined {
    return this.byOutTradeNo.get(`${mchid}\n${outTradeNo}`);
  }

  create(fields: Omit<ProviderOrder, 'orderNo' | 'status' | 'createdAt' | 'notifyAttempts' | 'openid'>): ProviderOrder {
    const now = Date.now();
    const order: ProviderOrder = {
      ...fields,
      orderNo: `${beijingTime(now)}${randomBytes(7).toString('hex')}`,
      status: 'unpaid',
      openid: `o${randomBytes(14).toString('base64url')}`,
      createdAt: now,
      notifyAttempts: [],
    };
    this.byOrderNo.set(order.orderNo, order);
    this.byOutTradeNo.set(`${order.mchid}\n${order.outTradeNo}`, order);
    return order;
  }

  all(): ProviderOrder[] {
    return [...this.byOrderNo.values()];
  }
}
