// POST /pay: what the pay mini program does with the extraData it was handed, and what it hands back.

import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { ApiError, errorResponseSchema } from '../../server/errors';
import { payParamsSchema } from '../../server/contracts/provider';
import { verifySign } from '../../server/sign';
import type { PayParams, ProviderReturnData } from '../../typings/provider';
import type { Notifier } from '../notifier';
import { beijingTime, type ProviderOrders } from '../provider-orders';

export interface PayRouteOptions {
  orders: ProviderOrders;
  notifier: Notifier;
  merchantId: string;
  merchantKey: string;
}

// The jump's fields are the backend's payParams contract (server/contracts/provider.ts), checked as the provider
// would: a notify_url must be http(s), and unknown fields are kept because they are signed too.
const payBodySchema = {
  ...payParamsSchema,
  properties: {
    ...payParamsSchema.properties,
    notify_url: { ...payParamsSchema.properties.notify_url, pattern: '^https?://' },
  },
  additionalProperties: { anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] },
} as const;

/** The jump's fields, plus whatever else a mini program sends (every received field is covered by the sign). */
type PayBody = PayParams & Record<string, string | number | boolean | undefined>;

const returnDataSchema = {
  type: 'object',
  properties: {
    success: { type: 'boolean' },
    resultCode: { type: 'string' },
    msg: { type: 'string' },
    payjsOrderId: { type: 'string' },
  },
} as const;

export const payRoutes: FastifyPluginAsync<PayRouteOptions> = async (app, { orders, notifier, merchantId, merchantKey }) => {
  app.post<{ Body: PayBody }>(
    '/pay',
    { schema: { body: payBodySchema, response: { 200: returnDataSchema, '4xx': errorResponseSchema } } },
    async (request): Promise<ProviderReturnData> => {
      const fields = request.body;
      if (fields.mchid !== merchantId) {
        throw new ApiError(400, 'unknown_mchid', `mchid ${fields.mchid} is not a merchant of this sandbox (MERCHANT_ID)`);
      }
      if (!verifySign(fields, merchantKey)) {
        throw new ApiError(400, 'bad_sign', 'The sign does not match the fields and the merchant key (MERCHANT_KEY)');
      }
      let order = orders.byMerchantId(fields.mchid, fields.out_trade_no);
      if (order && order.status === 'paid') {
        throw new ApiError(409, 'order_paid', `Order ${fields.out_trade_no} is already paid; create a new order`);
      }
      if (order && order.totalFee !== fields.total_fee) {
        throw new ApiError(
          409,
          'order_changed',
          `Order ${fields.out_trade_no} was started with total_fee ${order.totalFee}; a new amount needs a new out_trade_no`,
        );
      }
      if (order) {
        order.notifyUrl = fields.notify_url;
      } else {
        order = orders.create({
          mchid: fields.mchid,
          outTradeNo: fields.out_trade_no,
          totalFee: fields.total_fee,
          body: fields.body,
          attach: fields.attach,
          notifyUrl: fields.notify_url,
        });
      }

      const { outcome, notify, notifyDelayMs, backPaid } = orders.scenario;
      const pays = outcome === 'paid' || (outcome === 'back' && backPaid);
      if (pays || outcome === 'failed') {
        order.status = pays ? 'paid' : 'failed';
        order.transactionId = pays ? `42${beijingTime(Date.now())}${randomBytes(5).toString('hex')}` : undefined;
        order.timeEnd = pays ? beijingTime(Date.now()) : undefined;
        notifier.deliver(order, notify, notifyDelayMs);
      }
      request.log.info({ outTradeNo: order.outTradeNo, outcome, notify }, 'pay acted out');
      switch (outcome) {
        case 'paid':
          return { success: true, resultCode: 'SUCCESS', msg: '支付成功', payjsOrderId: order.orderNo };
        case 'failed':
          return { success: false, resultCode: 'FAIL', msg: '支付失败' };
        case 'cancelled':
          return { success: false, resultCode: 'CANCEL', msg: '用户取消支付' };
        case 'back':
          return {};
      }
    },
  );
};
