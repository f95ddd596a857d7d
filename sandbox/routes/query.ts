// The provider's order query, both dialects, signed requests and signed answers:
// - 小微聚付  POST /order/info  {order_no, access_key, sign}      (access_key = the merchant id here)
// - PayJS     POST /api/check   {payjs_order_id, sign}
// Sandbox extension, not in the published APIs: either may name the order by `out_trade_no` instead
// (小微聚付 with access_key, PayJS with mchid), so a back-key return with a lost notify can be recovered.
// Also GET /orders?out_trade_no=: the sandbox's own view of an order and its notify attempts, for tests.

import type { FastifyPluginAsync } from 'fastify';
import { ApiError, errorResponseSchema } from '../../common/errors';
import { verifySign, withSign } from '../../common/sign';
import type { ProviderOrder, ProviderOrders } from '../provider-orders';

const queryValue = { type: 'string', minLength: 1, maxLength: 128 } as const;
const signedAnswer = { type: 'object', additionalProperties: { anyOf: [{ type: 'string' }, { type: 'number' }] } } as const;

export interface QueryRouteOptions {
  orders: ProviderOrders;
  merchantId: string;
  merchantKey: string;
}

export const queryRoutes: FastifyPluginAsync<QueryRouteOptions> = async (app, { orders, merchantId, merchantKey }) => {
  const verified = (fields: Record<string, string>): void => {
    if (!verifySign(fields, merchantKey)) {
      throw new ApiError(400, 'bad_sign', 'The query sign does not match its fields and the merchant key');
    }
  };

  app.post<{ Body: Record<string, string> }>(
    '/order/info',
    {
      schema: {
        body: {
          type: 'object',
          required: ['access_key', 'sign'],
          anyOf: [{ required: ['order_no'] }, { required: ['out_trade_no'] }],
          properties: { order_no: queryValue, out_trade_no: queryValue, access_key: queryValue, sign: queryValue },
          additionalProperties: queryValue,
        },
        response: { 200: signedAnswer, '4xx': errorResponseSchema },
      },
    },
    async (request) => {
      const fields = request.body;
      verified(fields);
      if (fields.access_key !== merchantId) {
        throw new ApiError(403, 'unknown_access_key', 'access_key does not belong to a merchant of this sandbox');
      }
      const order = fields.order_no
        ? orders.byProviderId(fields.order_no)
        : orders.byMerchantId(merchantId, fields.out_trade_no);
      if (!order || order.mchid !== merchantId) {
        throw new ApiError(404, 'order_not_found', `No provider order ${fields.order_no ?? fields.out_trade_no}`);
      }
      return withSign(
        {
          status: order.status === 'paid' ? 1 : 0,
          total_fee: order.totalFee,
          out_trade_no: order.outTradeNo,
          order_no: order.orderNo,
          transaction_id: order.transactionId,
          time_end: order.timeEnd,
          attach: order.attach,
          mchid: order.mchid,
        },
        merchantKey,
      );
    },
  );

  app.post<{ Body: Record<string, string> }>(
    '/api/check',
    {
      schema: {
        body: {
          type: 'object',
          required: ['sign'],
          anyOf: [{ required: ['payjs_order_id'] }, { required: ['out_trade_no', 'mchid'] }],
          properties: { payjs_order_id: queryValue, out_trade_no: queryValue, mchid: queryValue, sign: queryValue },
          additionalProperties: queryValue,
        },
        response: { 200: signedAnswer, '4xx': errorResponseSchema },
      },
    },
    async (request) => {
      const fields = request.body;
      verified(fields);
      const order: ProviderOrder | undefined = fields.payjs_order_id
        ? orders.byProviderId(fields.payjs_order_id)
        : orders.byMerchantId(fields.mchid, fields.out_trade_no);
      if (!order || order.mchid !== merchantId) {
        return withSign({ return_code: 0, msg: '订单不存在' }, merchantKey);
      }
      return withSign(
        {
          return_code: 1,
          status: order.status === 'paid' ? 1 : 0,
          out_trade_no: order.outTradeNo,
          total_fee: order.totalFee,
          paid_time: order.timeEnd,
          payjs_order_id: order.orderNo,
          transaction_id: order.transactionId,
          mchid: order.mchid,
        },
        merchantKey,
      );
    },
  );

  app.get<{ Querystring: { out_trade_no?: string } }>(
    '/orders',
    {
      schema: {
        querystring: { type: 'object', properties: { out_trade_no: queryValue }, additionalProperties: false },
        response: {
          200: {
            type: 'object',
            properties: { orders: { type: 'array', items: { type: 'object', additionalProperties: true } } },
          },
        },
      },
    },
    async (request) => ({
      orders: orders.all().filter((o) => !request.query.out_trade_no || o.outTradeNo === request.query.out_trade_no),
    }),
  );
};
