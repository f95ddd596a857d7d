// The reference merchant backend (README.md, "Merchant backend").
//
// Programmatic contract (used by the e2e suite and the benchmark; keep it stable):
//   startServer(opts?: Partial<ServerConfig> & {env?: NodeJS.ProcessEnv; clock?: Clock})
//     : Promise<{url: string; port: number; config: ServerConfig; close(): Promise<void>}>
// - listens on 127.0.0.1; `port: 0` picks an ephemeral port;
// - options override the environment (`env`, default process.env), which overrides the development defaults;
// - options: port, dataDir, merchantId, merchantKey, provider ('xiaoweijufu' | 'payjs'), providerBaseUrl,
//   publicBaseUrl (notify_url = publicBaseUrl + '/api/pay/notify'; derived from the bound address when absent),
//   orderTtlMs, providerQueryAfterMs, providerQueryIntervalMs, providerQueryByOutTradeNo, orderRateLimitPerMinute,
//   logLevel ('silent' by default under jest), catalogPath, fulfillmentUrl, fulfillmentSecret, fulfillmentTimeoutMs,
//   fulfillmentRetryBaseMs, fulfillmentRetryMaxMs; and `clock` (wall + monotonic time, server/clock.ts) for tests;
// - NODE_ENV=production without MERCHANT_ID / MERCHANT_KEY (/ PROVIDER_BASE_URL / PUBLIC_BASE_URL) rejects with a
//   ConfigError naming the variable; a busy port rejects with an error whose message names PORT.
//
// HTTP routes: GET /healthz, GET /api/products, POST /api/orders, POST /api/pay/check, POST /api/pay/notify.

import { buildApp } from './app';
import type { Clock } from './clock';
import { loadServerConfig, type ServerConfig } from './config';

export type { Clock } from './clock';
export type { ServerConfig } from './config';
export { ConfigError } from './config';

export interface RunningServer {
  url: string;
  port: number;
  config: ServerConfig;
  close(): Promise<void>;
}

export async function startServer(
  opts: Partial<ServerConfig> & { env?: NodeJS.ProcessEnv; clock?: Clock } = {},
): Promise<RunningServer> {
  const { env, clock, ...overrides } = opts;
  const config = loadServerConfig(overrides, env ?? process.env);
  const { app } = await buildApp(config, { clock });
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await app.close();
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      // keeps the errno code so callers (scripts/start.ts) can recognise it too
      throw Object.assign(
        new Error(`Port ${config.port} on ${config.host} is in use; set PORT to a free port (or 0 for any)`),
        { code: 'EADDRINUSE' },
      );
    }
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host}:${port}`;
  // notify_url must reach this very process, also when the port was ephemeral
  if (!config.publicBaseUrl) config.publicBaseUrl = url;
  config.port = port;
  return { url, port, config, close: () => app.close() };
}
