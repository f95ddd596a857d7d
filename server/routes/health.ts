// GET /healthz: 200 while the store would make a write durable; 503 with the reason when it would not (the database
// file was removed or replaced, or a write fails), so a load balancer or monitor takes the instance out.

import type { FastifyPluginAsync } from 'fastify';
import { errorBody, errorResponseSchema } from '../errors';
import type { OrderStore } from '../store';

export const healthRoutes: FastifyPluginAsync<{ store: OrderStore }> = async (app, { store }) => {
  app.get(
    '/healthz',
    {
      schema: {
        response: {
          200: { type: 'object', required: ['ok'], properties: { ok: { type: 'boolean' } } },
          503: errorResponseSchema,
        },
      },
    },
    async (_request, reply) => {
      const health = await store.health();
      if (health.ok) return { ok: true };
      return reply.code(503).send(errorBody('store_unavailable', health.reason));
    },
  );
};
