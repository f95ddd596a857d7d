// Rows as both stores read them (the column names of their schemas, which match) and the domain objects the payment
// code gets. One mapping, so that a column added to both schemas cannot reach the payment code from one store only.

import type { OrderStatus } from '../../typings/api';
import type { OrderRow, OutboxEntry } from './types';

/** A flag column: SQLite has no boolean type and answers 0 or 1; PostgreSQL's BOOLEAN answers true or false. */
type Flag = boolean | number;

/** An `orders` row (times in milliseconds since the epoch: PostgreSQL's BIGINT is parsed to a number by the pool). */
export interface OrderRecord {
  out_trade_no: string;
  order_token_hash: string;
  sku: string;
  quantity: number;
  total_fee: number;
  body: string;
  attach: string | null;
  status: OrderStatus;
  provider: string;
  created_at: number;
  expires_at: number;
  paid_at: number | null;
  paid_via: 'notify' | 'query' | null;
  provider_order_id: string | null;
  provider_order_id_hint: string | null;
  provider_order_id_hint_rejected: Flag;
  transaction_id: string | null;
  openid: string | null;
  paid_after_expiry: Flag;
  first_check_at: number | null;
  last_provider_query_at: number | null;
  repeat_count: number;
  last_repeat_at: number | null;
}

/** The `fulfillment_outbox` columns an entry shows (not its lease). */
export interface OutboxRecord {
  out_trade_no: string;
  event: 'order.paid';
  body: string;
  created_at: number;
  attempts: number;
  next_attempt_at: number;
  last_attempt_at: number | null;
  last_error: string | null;
  delivered_at: number | null;
}

const isSet = (flag: Flag): boolean => flag === true || flag === 1;

export function toOrder(raw: OrderRecord): OrderRow {
  return {
    outTradeNo: raw.out_trade_no,
    orderTokenHash: raw.order_token_hash,
    sku: raw.sku,
    quantity: raw.quantity,
    totalFee: raw.total_fee,
    body: raw.body,
    attach: raw.attach,
    status: raw.status,
    provider: raw.provider,
    createdAt: raw.created_at,
    expiresAt: raw.expires_at,
    paidAt: raw.paid_at,
    paidVia: raw.paid_via,
    providerOrderId: raw.provider_order_id,
    providerOrderIdHint: raw.provider_order_id_hint,
    providerOrderIdHintRejected: isSet(raw.provider_order_id_hint_rejected),
    transactionId: raw.transaction_id,
    openid: raw.openid,
    paidAfterExpiry: isSet(raw.paid_after_expiry),
    firstCheckAt: raw.first_check_at,
    lastProviderQueryAt: raw.last_provider_query_at,
    repeatCount: raw.repeat_count,
    lastRepeatAt: raw.last_repeat_at,
  };
}

export function toOutbox(raw: OutboxRecord): OutboxEntry {
  return {
    outTradeNo: raw.out_trade_no,
    event: raw.event,
    body: raw.body,
    createdAt: raw.created_at,
    attempts: raw.attempts,
    nextAttemptAt: raw.next_attempt_at,
    lastAttemptAt: raw.last_attempt_at,
    lastError: raw.last_error,
    deliveredAt: raw.delivered_at,
  };
}
