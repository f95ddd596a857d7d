// The notify a provider sends when an order is paid, as the benchmarks deliver it: 小微聚付's fields, signed with the
// development merchant key the benchmark backends run with.
import { DEV_MERCHANT_ID, DEV_MERCHANT_KEY } from '../../config/dev-defaults';
import { withSign } from '../../common/sign';
import type { CreateOrderResponse } from '../../typings/api';

/** `orderNo` and `transactionId` are the provider's ids for the payment: distinct per notify, as a provider's are. */
export function paidNotifyFields(
  order: Pick<CreateOrderResponse, 'outTradeNo' | 'totalFee'>,
  orderNo: string,
  transactionId: string,
): Record<string, string> {
  return withSign(
    {
      status: '1',
      total_fee: String(order.totalFee),
      out_trade_no: order.outTradeNo,
      order_no: orderNo,
      transaction_id: transactionId,
      mchid: DEV_MERCHANT_ID,
    },
    DEV_MERCHANT_KEY,
  );
}

/** The same as an application/x-www-form-urlencoded body. */
export function paidNotifyBody(order: Pick<CreateOrderResponse, 'outTradeNo' | 'totalFee'>, orderNo: string, transactionId: string): string {
  return new URLSearchParams(paidNotifyFields(order, orderNo, transactionId)).toString();
}
