// POST /scenario scripts how the following payments go, until the next call; GET /scenario shows it.

import type { FastifyPluginAsync } from 'fastify';
import { errorResponseSchema } from '../../common/errors';
import { DEFAULT_SCENARIO, type ProviderOrders, type Scenario } from '../provider-orders';

const scenarioSchema = {
  type: 'object',
  required: ['outcome', 'notify', 'notifyDelayMs', 'backPaid'],
  properties: {
    outcome: { type: 'string', enum: ['paid', 'cancelled', 'failed', 'back'] },
    notify: { type: 'string', enum: ['normal', 'lost', 'repeat', 'bad-sign'] },
    notifyDelayMs: { type: 'integer', minimum: 0, maximum: 600_000 },
    backPaid: { type: 'boolean' },
  },
} as const;

export const scenarioRoutes: FastifyPluginAsync<{ orders: ProviderOrders }> = async (app, { orders }) => {
  app.post<{ Body: Partial<Scenario> & Pick<Scenario, 'outcome'> }>(
    '/scenario',
    {
      schema: {
        body: { ...scenarioSchema, required: ['outcome'], additionalProperties: false },
        response: { 200: scenarioSchema, '4xx': errorResponseSchema },
      },
    },
    async (request): Promise<Scenario> => {
      orders.scenario = { ...DEFAULT_SCENARIO, ...request.body };
      request.log.info({ scenario: orders.scenario }, 'scenario set');
      return orders.scenario;
    },
  );
  app.get('/scenario', { schema: { response: { 200: scenarioSchema } } }, async () => orders.scenario);
};
