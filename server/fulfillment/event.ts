// The `order.paid` message (schema: server/contracts/api.ts, orderPaidEventSchema), built from the paid order's row.
// A pure function: the store calls it inside the paid transition's transaction to write the outbox entry, so the
// body is fixed once and every delivery attempt sends the same bytes.

import type { OrderPaidEvent } from '../contracts/api';
import type { OrderRow } from '../store/types';

export function orderPaidEvent(order: OrderRow): OrderPaidEvent {
  if (order.status !== 'paid' || order.paidAt === null) {
    throw new Error(`order ${order.outTradeNo} is ${order.status}: only a paid order has an order.paid event`);
  }
  const flags: OrderPaidEvent['flags'] = [];
  if (order.paidAfterExpiry) flags.push('paid_after_expiry');
  if (order.paidVia === 'query') flags.push('confirmed_by_query');
  return {
    event: 'order.paid',
    outTradeNo: order.outTradeNo,
    sku: order.sku,
    quantity: order.quantity,
    totalFee: order.totalFee,
    paidAt: new Date(order.paidAt).toISOString(),
    providerOrderId: order.providerOrderId,
    transactionId: order.transactionId,
    ...(order.openid !== null ? { openid: order.openid } : {}),
    ...(order.attach !== null ? { attach: order.attach } : {}),
    flags,
  };
}
