// Builds the Fastify app: one plugin per route group, JSON schema on every route, errors as data.

import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { Catalog } from './catalog';
import { systemClock, type Clock } from './clock';
import type { ServerConfig } from './config';
import { ApiError, describeValidation, errorBody } from './errors';
import { FulfillmentWorker } from './fulfillment/worker';
import { Payments } from './payments';
import { healthRoutes } from './routes/health';
import { orderRoutes } from './routes/orders';
import { payRoutes } from './routes/pay';
import { productRoutes } from './routes/products';
import { openStore, StoreUnavailableError, type OrderStore } from './store';

export interface BuiltApp {
  app: FastifyInstance;
  payments: Payments;
  store: OrderStore;
  /** absent without FULFILLMENT_URL */
  fulfillment?: FulfillmentWorker;
}

export interface AppPorts {
  /** wall and monotonic time; tests step the wall clock through it */
  clock?: Clock;
}

const BODY_LIMIT_BYTES = 16 * 1024;

export async function buildApp(config: ServerConfig, ports: AppPorts = {}): Promise<BuiltApp> {
  const clock = ports.clock ?? systemClock;
  const catalog = Catalog.load(config.catalogPath);
  // first, so a damaged or unusable database stops the start with a message that names its file
  const store = await openStore(config);
  try {
    return await buildOnStore(config, store, catalog, clock);
  } catch (error) {
    await store.close();
    throw error;
  }
}

async function buildOnStore(config: ServerConfig, store: OrderStore, catalog: Catalog, clock: Clock): Promise<BuiltApp> {
  const app = Fastify({
    bodyLimit: BODY_LIMIT_BYTES,
    // long-polls end on shutdown (Payments.shutdown); idle keep-alive sockets must not hold close() up
    forceCloseConnections: 'idle',
    ajv: {
      customOptions: {
        // an unknown field is refused, not silently dropped: a client sending `totalFee` learns prices are not its to set
        removeAdditional: false,
        // no coercion: Fastify's default would read `[2]` or `true` as quantity 2 or 1, `["vip-month"]` as a sku and
        // `"0x7C6"` as 1990; each wire value must already have the type its schema names (server/contracts/)
        coerceTypes: false,
      },
    },
    logger: {
      level: config.logLevel,
      // request logs carry method and url only; bodies (signs, tokens) are never logged
      serializers: {
        req: (req) => ({ method: req.method, url: req.url }),
        res: (res) => ({ statusCode: res.statusCode }),
      },
    },
  });
  const fulfillment = config.fulfillmentUrl
    ? new FulfillmentWorker(
        store,
        {
          url: config.fulfillmentUrl,
          secret: config.fulfillmentSecret,
          timeoutMs: config.fulfillmentTimeoutMs,
          retryBaseMs: config.fulfillmentRetryBaseMs,
          retryMaxMs: config.fulfillmentRetryMaxMs,
        },
        clock,
        app.log,
      )
    : undefined;
  const payments = new Payments(config, store, catalog, app.log, {
    clock,
    onPaid: (order) => fulfillment?.kick(order.outTradeNo),
  });

  app.setErrorHandler((error: FastifyError | ApiError | StoreUnavailableError, request, reply) => {
    if (error instanceof StoreUnavailableError) {
      // nothing was acknowledged: the client checks again, the provider retries its notify
      request.log.error({ reason: error.message }, 'store unavailable: answered 503');
      return reply
        .code(503)
        .header('retry-after', '5')
        .send(errorBody('store_unavailable', `The order store cannot take writes now (${error.message}); try again later`));
    }
    if (error instanceof ApiError) {
      const body = (request.body ?? {}) as { out_trade_no?: unknown; outTradeNo?: unknown };
      const outTradeNo = body.out_trade_no ?? body.outTradeNo;
      request.log.warn({ code: error.code, reason: error.message, outTradeNo }, 'request refused');
      return reply.code(error.statusCode).send(errorBody(error.code, error.message));
    }
    if (error.validation) {
      const message = `${describeValidation(error)}; nothing changed`;
      request.log.warn({ reason: message }, 'request refused: invalid body');
      return reply.code(400).send(errorBody('invalid_request', message));
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const code = status === 413 ? 'payload_too_large' : status === 415 ? 'unsupported_media_type' : 'bad_request';
      const message =
        status === 415
          ? 'Send the body as application/json or application/x-www-form-urlencoded'
          : status === 413
            ? `The body is larger than ${BODY_LIMIT_BYTES} bytes`
            : error.message;
      request.log.warn({ code, reason: message }, 'request refused');
      return reply.code(status).send(errorBody(code, message));
    }
    // the message only: no stack trace in any log line or answer
    request.log.error({ reason: error.message }, 'internal error');
    return reply.code(500).send(errorBody('internal', 'The server failed to handle this request; try again'));
  });
  app.setNotFoundHandler((request, reply) => {
    reply
      .code(404)
      .send(errorBody('not_found', `No route ${request.method} ${request.url.split('?')[0]}; the routes are listed in the README (Merchant backend)`));
  });

  await app.register(formbody, { bodyLimit: BODY_LIMIT_BYTES });
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) =>
      new ApiError(
        429,
        'rate_limited',
        `Too many orders from this address (limit ${context.max} per minute); retry in ${Math.ceil(context.ttl / 1000)} s`,
      ),
  });
  await app.register(healthRoutes, { store });
  await app.register(productRoutes, { catalog });
  await app.register(orderRoutes, { payments, perMinute: config.orderRateLimitPerMinute });
  await app.register(payRoutes, { payments, provider: config.provider });

  if (fulfillment) {
    app.addHook('onReady', async () => fulfillment.start());
    // the origin only: a URL may carry a token in its path or query
    app.log.info({ origin: new URL(config.fulfillmentUrl).origin }, 'fulfilment: paid orders are announced to FULFILLMENT_URL');
  }
  app.addHook('preClose', async () => {
    payments.shutdown();
    await fulfillment?.stop();
  });
  app.addHook('onClose', async () => store.close());
  return { app, payments, store, fulfillment };
}
