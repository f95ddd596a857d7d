// Builds the Fastify app: one plugin per route group, JSON schema on every route, errors as data.

import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { Catalog } from './catalog';
import { systemClock, type Clock } from './clock';
import type { ServerConfig } from './config';
import { ApiError } from '../common/errors';
import { createHttpApp } from '../common/http-app';
import { FulfillmentWorker } from './fulfillment/worker';
import { Payments } from './payments';
import { healthRoutes } from './routes/health';
import { orderRoutes } from './routes/orders';
import { payRoutes } from './routes/pay';
import { productRoutes } from './routes/products';
import { monotonicRateLimitStore } from './rate-limit-store';
import { openStore, StoreUnavailableError, type OrderStore } from './store';
import { WaitingChecks } from './waiting-checks';

export interface BuiltApp {
  app: FastifyInstance;
  payments: Payments;
  store: OrderStore;
  waitingChecks: WaitingChecks;
  /** absent without FULFILLMENT_URL */
  fulfillment?: FulfillmentWorker;
}

export interface AppPorts {
  /** wall and monotonic time; tests step the wall clock through it */
  clock?: Clock;
}

const BODY_LIMIT_BYTES = 16 * 1024;

/** what a rate-limited route counts, for the 429 message */
const RATE_LIMITED: Record<string, string> = { '/api/orders': 'orders', '/api/pay/check': 'checks' };

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

/**
 * Nothing was acknowledged: the client checks again, the provider retries its notify. The reason (which names the
 * database file) goes to the log and /healthz, not to whoever sent the request.
 */
function storeOutage(error: unknown): ApiError | undefined {
  if (!(error instanceof StoreUnavailableError)) return undefined;
  return new ApiError(503, 'store_unavailable', 'The order store cannot take writes now; nothing changed, try again later', {
    'retry-after': '5',
  });
}

async function buildOnStore(config: ServerConfig, store: OrderStore, catalog: Catalog, clock: Clock): Promise<BuiltApp> {
  const app = createHttpApp({
    service: 'backend',
    logLevel: config.logLevel,
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: config.trustProxy,
    limits: config.limits,
    routesHint: 'the routes are listed in README.md, "Merchant backend"',
    translateError: storeOutage,
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
  const waitingChecks = new WaitingChecks(config.maxWaitingChecksPerOrder, config.maxWaitingChecks);

  await app.register(formbody, { bodyLimit: BODY_LIMIT_BYTES });
  await app.register(rateLimit, {
    global: false,
    // windows timed on the monotonic clock: a wall clock step neither locks a client out for an hour nor frees it
    store: monotonicRateLimitStore(clock),
    // per client address: behind TRUST_PROXY the one X-Forwarded-For names, not the proxy's
    errorResponseBuilder: (request, context) =>
      new ApiError(
        429,
        'rate_limited',
        `Too many ${RATE_LIMITED[request.routeOptions.url ?? ''] ?? 'requests'} from this address ` +
          `(limit ${context.max} per minute); retry in ${Math.ceil(context.ttl / 1000)} s`,
      ),
  });
  await app.register(healthRoutes, { store });
  await app.register(productRoutes, { catalog });
  await app.register(orderRoutes, { payments, perMinute: config.orderRateLimitPerMinute });
  await app.register(payRoutes, { payments, provider: config.provider, waitingChecks, checksPerMinute: config.checkRateLimitPerMinute });

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
  return { app, payments, store, fulfillment, waitingChecks };
}
