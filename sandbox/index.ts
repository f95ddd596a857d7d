// The local stand-in for 小微聚付 (and PayJS): docs/architecture.md, "Sandbox".
//
// Programmatic contract (used by the e2e suite, npm start / serve and the benchmark; keep it stable):
//   startSandbox(opts?: Partial<SandboxOptions> & {env?: NodeJS.ProcessEnv})
//     : Promise<{url: string; port: number; close(): Promise<void>}>
// - listens on 127.0.0.1; `port: 0` picks an ephemeral port; options override the environment, which overrides the
//   development defaults shared with the server (config/dev-defaults.ts): SANDBOX_PORT 3001, MERCHANT_ID,
//   MERCHANT_KEY, PROVIDER (the notify dialect, 'xiaoweijufu' by default);
// - timeScale (env SANDBOX_TIME_SCALE, default 1) multiplies the notify retry schedule (0.001: hours become seconds);
// - a busy port rejects with an error whose message names SANDBOX_PORT (errno code EADDRINUSE kept).
//
// HTTP routes:
//   POST /pay          body = the extraData the mini program sent; answers the extraData it gets back:
//                      paid {success: true, resultCode, msg, payjsOrderId}, failed/cancelled {success: false, ...},
//                      back key {}; 4xx {error: {code, message}} for invalid fields or sign.
//   POST /scenario     {outcome: paid|cancelled|failed|back, notify?: normal|lost|repeat|bad-sign, notifyDelayMs?,
//                      backPaid? (outcome back: paid before the back key, default true)}; GET /scenario shows it.
//   POST /order/info   小微聚付 order query; POST /api/check: PayJS order query (see routes/query.ts).
//   GET  /orders       the sandbox's orders and notify attempts (?out_trade_no=), for tests.
//   GET  /healthz
// Notifies: form POST to notify_url, retried on the dialect's schedule (notifier.ts) until `success`.
// `failed` also sends a notify saying not paid (status 0 / return_code 0), so the backend can show "failed".

import formbody from '@fastify/formbody';
import { DEV_HOST, DEV_MERCHANT_ID, DEV_MERCHANT_KEY, DEV_SANDBOX_PORT } from '../config/dev-defaults';
import { createHttpApp, logLevelFrom, type LogLevel } from '../common/http-app';
import { listen } from '../common/listen';
import type { ProviderName } from '../typings/provider';
import { Notifier } from './notifier';
import { ProviderOrders } from './provider-orders';
import { payRoutes } from './routes/pay';
import { queryRoutes } from './routes/query';
import { scenarioRoutes } from './routes/scenario';

export interface SandboxOptions {
  host: string;
  port: number;
  merchantId: string;
  merchantKey: string;
  timeScale: number;
  dialect: ProviderName;
  logLevel: LogLevel;
}

export interface RunningSandbox {
  url: string;
  port: number;
  close(): Promise<void>;
}

function sandboxOptions(opts: Partial<SandboxOptions>, env: NodeJS.ProcessEnv): SandboxOptions {
  const pick = (value: string | undefined): string | undefined => (value === '' ? undefined : value);
  if (env.NODE_ENV === 'production') {
    throw new Error(
      'The sandbox is a stand-in for the provider, for development and tests; it does not run with NODE_ENV=production. ' +
        'In production run the backend alone: npm run build:server, then npm run start:prod',
    );
  }
  const port = opts.port ?? Number(pick(env.SANDBOX_PORT) ?? DEV_SANDBOX_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`SANDBOX_PORT must be a port number 0..65535, got "${env.SANDBOX_PORT}"`);
  }
  const timeScale = opts.timeScale ?? Number(pick(env.SANDBOX_TIME_SCALE) ?? 1);
  if (!(timeScale >= 0)) throw new Error(`SANDBOX_TIME_SCALE must be a number >= 0, got "${env.SANDBOX_TIME_SCALE}"`);
  const dialect = opts.dialect ?? ((pick(env.PROVIDER) ?? 'xiaoweijufu') as ProviderName);
  if (dialect !== 'xiaoweijufu' && dialect !== 'payjs') {
    throw new Error(`PROVIDER must be xiaoweijufu or payjs, got "${dialect}"`);
  }
  return {
    host: opts.host ?? DEV_HOST,
    port,
    merchantId: opts.merchantId ?? pick(env.MERCHANT_ID) ?? DEV_MERCHANT_ID,
    merchantKey: opts.merchantKey ?? pick(env.MERCHANT_KEY) ?? DEV_MERCHANT_KEY,
    timeScale,
    dialect,
    logLevel: logLevelFrom(env, opts.logLevel),
  };
}

export async function startSandbox(
  opts: Partial<SandboxOptions> & { env?: NodeJS.ProcessEnv } = {},
): Promise<RunningSandbox> {
  const { env, ...overrides } = opts;
  const options = sandboxOptions(overrides, env ?? process.env);
  const app = createHttpApp({
    service: 'sandbox',
    logLevel: options.logLevel,
    bodyLimit: 16 * 1024,
    routesHint: 'the routes are listed in README.md, "Sandbox"',
  });
  const orders = new ProviderOrders();
  const notifier = new Notifier(options.dialect, options.merchantKey, options.timeScale, app.log);

  await app.register(formbody);
  app.get('/healthz', { schema: { response: { 200: { type: 'object', properties: { ok: { type: 'boolean' } } } } } }, async () => ({
    ok: true,
  }));
  const secrets = { merchantId: options.merchantId, merchantKey: options.merchantKey };
  await app.register(payRoutes, { orders, notifier, ...secrets });
  await app.register(scenarioRoutes, { orders });
  await app.register(queryRoutes, { orders, ...secrets });
  app.addHook('preClose', async () => notifier.close());

  const { url, port } = await listen(app, { host: options.host, port: options.port, portVariable: 'SANDBOX_PORT' });
  return { url, port, close: () => app.close() };
}
