// POST /api/pay/check (long-poll) and POST /api/pay/notify (the provider's callback).

import type { FastifyPluginAsync } from 'fastify';
import type { PayCheckRequest, PayCheckResponse } from '../../typings/api';
import { errorResponseSchema } from '../../common/errors';
import type { Payments } from '../payments';
import type { WaitingChecks } from '../waiting-checks';

const checkSchema = {
  body: {
    type: 'object',
    required: ['outTradeNo', 'orderToken'],
    additionalProperties: false,
    properties: {
      outTradeNo: { type: 'string', minLength: 1, maxLength: 32 },
      orderToken: { type: 'string', minLength: 1, maxLength: 128 },
      payjsOrderId: { type: 'string', minLength: 1, maxLength: 64 },
      waitMs: { type: 'integer', minimum: 0, maximum: 30_000 },
    },
  },
  response: {
    200: {
      type: 'object',
      required: ['outTradeNo', 'status', 'paySuccess'],
      properties: {
        outTradeNo: { type: 'string' },
        status: { type: 'string', enum: ['pending', 'paid', 'failed', 'expired'] },
        paySuccess: { type: 'boolean' },
        paidAt: { type: 'string' },
      },
    },
    '4xx': errorResponseSchema,
  },
} as const;

// Every received field is signed, so the schema must keep unknown fields (no additionalProperties: false);
// values are coerced to strings so a JSON number signs like its form-urlencoded text.
const notifyValue = { type: 'string', maxLength: 1024 } as const;

export interface PayRouteOptions {
  payments: Payments;
  waitingChecks: WaitingChecks;
  checksPerMinute: number;
}

export const payRoutes: FastifyPluginAsync<PayRouteOptions> = async (app, { payments, waitingChecks, checksPerMinute }) => {
  app.post<{ Body: PayCheckRequest }>(
    '/api/pay/check',
    { schema: checkSchema, config: { rateLimit: { max: checksPerMinute, timeWindow: 60_000 } } },
    async (request, reply): Promise<PayCheckResponse> => {
      // a client that goes away stops its wait: the response closes before anything was written
      const gone = new AbortController();
      const onClose = (): void => {
        if (!reply.raw.writableEnded) gone.abort();
      };
      reply.raw.once('close', onClose);
      // past the caps on waiting checks the check answers at once with the current status
      const release = request.body.waitMs ? waitingChecks.enter(request.body.outTradeNo) : null;
      if (request.body.waitMs && !release) {
        request.log.debug({ outTradeNo: request.body.outTradeNo }, 'waiting-check cap reached: answering at once');
      }
      try {
        return await payments.check(release || !request.body.waitMs ? request.body : { ...request.body, waitMs: 0 }, gone.signal);
      } finally {
        release?.();
        reply.raw.off('close', onClose);
      }
    },
  );

  app.post<{ Body: Record<string, string> }>(
    '/api/pay/notify',
    {
      schema: {
        body: {
          type: 'object',
          required: [...payments.notifyRequired],
          properties: Object.fromEntries(payments.notifyRequired.map((name) => [name, { ...notifyValue, minLength: 1 }])),
          additionalProperties: notifyValue,
          maxProperties: 64,
        },
        response: { 200: { type: 'string' }, '4xx': errorResponseSchema },
      },
    },
    async (request, reply) => {
      const outcome = payments.applyNotify(request.body);
      const outTradeNo = request.body.out_trade_no;
      if (outcome.kind === 'paid') {
        if (outcome.order.paidAfterExpiry) {
          request.log.warn({ outTradeNo }, 'order paid after it had expired: recorded as paid and flagged for review');
        } else {
          request.log.info({ outTradeNo }, 'order paid (notify)');
        }
      } else if (outcome.kind === 'repeat') {
        request.log.info({ outTradeNo }, 'repeated notify for a paid order: accepted, nothing changed');
      } else {
        request.log.info({ outTradeNo, changed: outcome.changed }, 'notify says not paid');
      }
      reply.type('text/plain; charset=utf-8');
      return 'success';
    },
  );
};
