// POST /api/pay/check (long-poll) and POST /api/pay/notify (the provider's callback).

import type { FastifyPluginAsync } from 'fastify';
import type { PayCheckRequest, PayCheckResponse } from '../../typings/api';
import { payCheckRequestSchema, payCheckResponseSchema } from '../contracts/api';
import { payjsNotifySchema, xiaoweijufuNotifySchema } from '../contracts/provider';
import { errorResponseSchema } from '../errors';
import type { Payments } from '../payments';
import type { PayjsNotify, ProviderName, XiaoweijufuNotify } from '../../typings/provider';

const checkSchema = {
  body: payCheckRequestSchema,
  response: { 200: payCheckResponseSchema, '4xx': errorResponseSchema, '5xx': errorResponseSchema },
} as const;

const NOTIFY_SCHEMAS: Record<ProviderName, typeof xiaoweijufuNotifySchema | typeof payjsNotifySchema> = {
  xiaoweijufu: xiaoweijufuNotifySchema,
  payjs: payjsNotifySchema,
};

/**
 * A notify's fields are the text a form POST carries. A JSON notify may write an integer as a number: it becomes its
 * decimal text, which is also what the sign covers. Nothing else is converted: a boolean, fraction, array, object or
 * null stays what it is and fails the schema, so no shape is guessed into a string.
 */
export function notifyFieldsAsText(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  return Object.fromEntries(
    Object.entries(body).map(([name, value]) => [name, Number.isSafeInteger(value) ? String(value) : value]),
  );
}

export const payRoutes: FastifyPluginAsync<{ payments: Payments; provider: ProviderName }> = async (
  app,
  { payments, provider },
) => {
  app.post<{ Body: PayCheckRequest }>(
    '/api/pay/check',
    { schema: checkSchema },
    async (request, reply): Promise<PayCheckResponse> => {
      // a client that goes away stops its wait: the response closes before anything was written
      const gone = new AbortController();
      const onClose = (): void => {
        if (!reply.raw.writableEnded) gone.abort();
      };
      reply.raw.once('close', onClose);
      try {
        return await payments.check(request.body, gone.signal);
      } finally {
        reply.raw.off('close', onClose);
      }
    },
  );

  app.post<{ Body: XiaoweijufuNotify | PayjsNotify }>(
    '/api/pay/notify',
    {
      schema: {
        body: NOTIFY_SCHEMAS[provider],
        response: { 200: { type: 'string' }, '4xx': errorResponseSchema, '5xx': errorResponseSchema },
      },
      preValidation: async (request) => {
        request.body = notifyFieldsAsText(request.body) as XiaoweijufuNotify | PayjsNotify;
      },
    },
    async (request, reply) => {
      const outcome = await payments.applyNotify(request.body);
      const outTradeNo = request.body.out_trade_no;
      if (outcome.kind === 'paid') {
        if (outcome.order.paidAfterExpiry) {
          request.log.warn({ outTradeNo }, 'order paid after it had expired: recorded as paid and flagged for review');
        } else {
          request.log.info({ outTradeNo }, 'order paid (notify)');
        }
      } else if (outcome.kind === 'repeat') {
        request.log.info(
          { outTradeNo, repeats: outcome.order.repeatCount },
          'repeated notify for a paid order: accepted and counted, nothing else changed',
        );
      } else {
        request.log.info({ outTradeNo, changed: outcome.changed }, 'notify says not paid');
      }
      reply.type('text/plain; charset=utf-8');
      return 'success';
    },
  );
};
