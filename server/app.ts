// Builds the Fastify app: one plugin per route group, JSON schema on every route, errors as data.

import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { Catalog } from './catalog';
import type { ServerConfig } from './config';
import { ApiError } from '../common/errors';
import { createHttpApp } from '../common/http-app';
import { Payments } from './payments';
import { healthRoutes } from './routes/health';
import { orderRoutes } from './routes/orders';
import { payRoutes } from './routes/pay';
import { productRoutes } from './routes/products';
import { OrderStore } from './store';
import { WaitingChecks } from './waiting-checks';

export interface BuiltApp {
  app: FastifyInstance;
  payments: Payments;
  store: OrderStore;
  waitingChecks: WaitingChecks;
}

const BODY_LIMIT_BYTES = 16 * 1024;

/** what a rate-limited route counts, for the 429 message */
const RATE_LIMITED: Record<string, string> = { '/api/orders': 'orders', '/api/pay/check': 'checks' };

export async function buildApp(config: ServerConfig): Promise<BuiltApp> {
  const catalog = Catalog.load(config.catalogPath);
  const app = createHttpApp({
    service: 'backend',
    logLevel: config.logLevel,
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: config.trustProxy,
    limits: config.limits,
    routesHint: 'the routes are listed in README.md, "Merchant backend"',
  });
  const store = new OrderStore(config.dataDir);
  const payments = new Payments(config, store, catalog, app.log);
  const waitingChecks = new WaitingChecks(config.maxWaitingChecksPerOrder, config.maxWaitingChecks);

  await app.register(formbody, { bodyLimit: BODY_LIMIT_BYTES });
  await app.register(rateLimit, {
    global: false,
    // per client address: behind TRUST_PROXY the one X-Forwarded-For names, not the proxy's
    errorResponseBuilder: (request, context) =>
      new ApiError(
        429,
        'rate_limited',
        `Too many ${RATE_LIMITED[request.routeOptions.url ?? ''] ?? 'requests'} from this address ` +
          `(limit ${context.max} per minute); retry in ${Math.ceil(context.ttl / 1000)} s`,
      ),
  });
  await app.register(healthRoutes);
  await app.register(productRoutes, { catalog });
  await app.register(orderRoutes, { payments, perMinute: config.orderRateLimitPerMinute });
  await app.register(payRoutes, { payments, waitingChecks, checksPerMinute: config.checkRateLimitPerMinute });

  app.addHook('preClose', async () => payments.shutdown());
  app.addHook('onClose', async () => store.close());
  return { app, payments, store, waitingChecks };
}
