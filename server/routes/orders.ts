import type { FastifyPluginAsync } from 'fastify';
import type { CreateOrderRequest, CreateOrderResponse } from '../../typings/api';
import { createOrderRequestSchema, createOrderResponseSchema } from '../contracts/api';
import { errorResponseSchema } from '../errors';
import type { Payments } from '../payments';

const createOrderSchema = {
  body: createOrderRequestSchema,
  response: { 201: createOrderResponseSchema, '4xx': errorResponseSchema, '5xx': errorResponseSchema },
} as const;

export const orderRoutes: FastifyPluginAsync<{ payments: Payments; perMinute: number }> = async (
  app,
  { payments, perMinute },
) => {
  app.post<{ Body: CreateOrderRequest }>(
    '/api/orders',
    { schema: createOrderSchema, config: { rateLimit: { max: perMinute, timeWindow: 60_000 } } },
    async (request, reply): Promise<CreateOrderResponse> => {
      const order = await payments.createOrder(request.body.sku, request.body.quantity ?? 1);
      request.log.info({ outTradeNo: order.outTradeNo, sku: request.body.sku, totalFee: order.totalFee }, 'order created');
      reply.code(201);
      return order;
    },
  );
};
