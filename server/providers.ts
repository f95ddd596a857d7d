// Provider profiles and the two dialects (小微聚付, PayJS): where the mini program jumps, how a notify reads, and
// how the provider's order query is asked and answered. Field names: the providers' published notify and query fields.
//
// What the public material says about the order query, and what is assumed here:
// - 小微聚付: `order/info` with `order_no`, `access_key`, `sign`. The answer's layout is not published; this code
//   (and the sandbox) use a flat signed JSON object with the notify's field names. `access_key` is taken to be the
//   merchant id. Querying by `out_trade_no` is NOT published: it is a sandbox extension, used only when
//   providerQueryByOutTradeNo is on (the development default), so a lost notify after a back-key return recovers.
// - PayJS: `POST /api/check` with `payjs_order_id`, `sign`; signed answer with `return_code`, `status` (1 paid),
//   `out_trade_no`, `total_fee`, `paid_time`. The same out_trade_no extension applies.

import type { ProviderTarget } from '../typings/api';
import type { ProviderName } from '../typings/provider';

export const PROVIDER_TARGETS: Record<ProviderName, ProviderTarget> = {
  xiaoweijufu: { appId: 'wx959c8c1fb2d89988', path: 'pages/pay', envVersion: 'release' },
  payjs: { appId: 'wx959c8c1fb2d877b5', path: 'pages/pay', envVersion: 'release' },
};

/** A provider's statement about one order, in either dialect, after its sign was verified. */
export interface ProviderStatement {
  outTradeNo: string;
  paid: boolean;
  /** NaN when the value is not a plain decimal integer: it then matches no order */
  totalFee: number;
  /** absent in PayJS query answers */
  mchid?: string;
  providerOrderId: string | null;
  transactionId: string | null;
  openid: string | null;
}

export interface ProviderQuery {
  path: string;
  fields: Record<string, string>;
}

export interface Dialect {
  name: ProviderName;
  readNotify(fields: Record<string, string>): ProviderStatement;
  /** the provider's order query, unsigned; `by` says which id is known */
  query(by: { providerOrderId?: string; outTradeNo?: string }, merchantId: string): ProviderQuery;
  /** null when the answer says the provider has no such order */
  readQueryAnswer(answer: Record<string, unknown>): ProviderStatement | null;
}

const str = (value: unknown): string => (value === undefined || value === null ? '' : String(value));
const orNull = (value: unknown): string | null => (str(value) === '' ? null : str(value));

/**
 * An amount as the provider writes it: a JSON integer or plain decimal digits. Anything else ("0x7C6", "1990.0",
 * " 1990", "1e3") is NaN, which equals no order's amount: `Number()` would have read all of those as numbers.
 */
export function decimalFen(value: unknown): number {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? value : NaN;
  if (typeof value === 'string' && /^[1-9][0-9]{0,14}$/.test(value)) return Number(value);
  return NaN;
}

const xiaoweijufu: Dialect = {
  name: 'xiaoweijufu',
  readNotify: (f) => ({
    outTradeNo: f.out_trade_no,
    paid: f.status === '1',
    totalFee: decimalFen(f.total_fee),
    mchid: f.mchid,
    providerOrderId: orNull(f.order_no),
    transactionId: orNull(f.transaction_id),
    openid: orNull(f.openid),
  }),
  query: (by, merchantId): ProviderQuery => ({
    path: '/order/info',
    fields: by.providerOrderId
      ? ({ order_no: by.providerOrderId, access_key: merchantId } as Record<string, string>)
      : { out_trade_no: str(by.outTradeNo), access_key: merchantId },
  }),
  readQueryAnswer: (a) =>
    str(a.out_trade_no) === ''
      ? null
      : {
          outTradeNo: str(a.out_trade_no),
          paid: str(a.status) === '1',
          totalFee: decimalFen(a.total_fee),
          mchid: orNull(a.mchid) ?? undefined,
          providerOrderId: orNull(a.order_no),
          transactionId: orNull(a.transaction_id),
          openid: orNull(a.openid),
        },
};

const payjs: Dialect = {
  name: 'payjs',
  readNotify: (f) => ({
    outTradeNo: f.out_trade_no,
    paid: f.return_code === '1',
    totalFee: decimalFen(f.total_fee),
    mchid: f.mchid,
    providerOrderId: orNull(f.payjs_order_id),
    transactionId: orNull(f.transaction_id),
    openid: orNull(f.openid),
  }),
  query: (by, merchantId): ProviderQuery => ({
    path: '/api/check',
    fields: by.providerOrderId
      ? ({ payjs_order_id: by.providerOrderId } as Record<string, string>)
      : { out_trade_no: str(by.outTradeNo), mchid: merchantId },
  }),
  readQueryAnswer: (a) =>
    str(a.return_code) !== '1' || str(a.out_trade_no) === ''
      ? null
      : {
          outTradeNo: str(a.out_trade_no),
          paid: str(a.status) === '1',
          totalFee: decimalFen(a.total_fee),
          mchid: orNull(a.mchid) ?? undefined,
          providerOrderId: orNull(a.payjs_order_id),
          transactionId: orNull(a.transaction_id),
          openid: orNull(a.openid),
        },
};

export const DIALECTS: Record<ProviderName, Dialect> = { xiaoweijufu, payjs };
