import type { FastifyPluginAsync } from 'fastify';
import type { CreateOrderRequest, CreateOrderResponse } from '../../typings/api';
import { errorResponseSchema } from '../../common/errors';
import type { Payments } from '../payments';

const createOrderSchema = {
  body: {
    type: 'object',
    required: ['sku'],
    additionalProperties: false,
    properties: {
      sku: { type: 'string', minLength: 1, maxLength: 64 },
      quantity: { type: 'integer', minimum: 1, maximum: 99 },
    },
  },
  response: {
    201: {
      type: 'object',
      required: ['outTradeNo', 'orderToken', 'totalFee', 'body', 'expiresAt', 'payParams', 'provider'],
      properties: {
        outTradeNo: { type: 'string' },
        orderToken: { type: 'string' },
        totalFee: { type: 'integer' },
        body: { type: 'string' },
        expiresAt: { type: 'string' },
        payParams: {
          type: 'object',
          required: ['mchid', 'total_fee', 'out_trade_no', 'nonce', 'sign'],
          properties: {
            mchid: { type: 'string' },
            total_fee: { type: 'integer' },
            out_trade_no: { type: 'string' },
            body: { type: 'string' },
            attach: { type: 'string' },
            notify_url: { type: 'string' },
            nonce: { type: 'string' },
            sign: { type: 'string' },
          },
        },
        provider: {
          type: 'object',
          required: ['appId', 'path'],
          properties: { appId: { type: 'string' }, path: { type: 'string' }, envVersion: { type: 'string' } },
        },
      },
    },
    '4xx': errorResponseSchema,
  },
} as const;

export const orderRoutes: FastifyPluginAsync<{ payments: Payments; perMinute: number }> = async (
  app,
  { payments, perMinute },
) => {
  app.post<{ Body: CreateOrderRequest }>(
    '/api/orders',
    { schema: createOrderSchema, config: { rateLimit: { max: perMinute, timeWindow: 60_000 } } },
    async (request, reply): Promise<CreateOrderResponse> => {
      const order = payments.createOrder(request.body.sku, request.body.quantity ?? 1);
      request.log.info({ outTradeNo: order.outTradeNo, sku: request.body.sku, totalFee: order.totalFee }, 'order created');
      reply.code(201);
      return order;
    },
  );
};
