// The reference merchant backend (docs/architecture.md, "Merchant backend").
//
// Programmatic contract (used by the stack launcher, the tests and the benchmarks; keep it stable):
//   startServer(opts?: ServerOptions & {env?: NodeJS.ProcessEnv; clock?: Clock})
//     : Promise<{url: string; port: number; config: ServerConfig; waitingChecks: WaitingChecks; close(): Promise<void>}>
// - listens on HOST (127.0.0.1 by default); `port: 0` picks an ephemeral port;
// - options override the environment (`env`, default process.env), which overrides the development defaults;
//   the options are the fields of ServerConfig (server/config.ts), each named after its variable; `clock` (wall +
//   monotonic time, server/clock.ts) lets tests step the wall clock;
// - a configuration that is missing, unknown or unsafe rejects with a ConfigError naming the variable; a busy port
//   rejects with an error whose message names PORT.
//
// HTTP routes: GET /healthz, GET /api/products, POST /api/orders, POST /api/pay/check, POST /api/pay/notify.

import { listen } from '../common/listen';
import { buildApp } from './app';
import type { Clock } from './clock';
import { loadServerConfig, type ServerConfig, type ServerOptions } from './config';
import type { WaitingChecks } from './waiting-checks';

export type { Clock } from './clock';
export type { ServerConfig, ServerOptions } from './config';
export { ConfigError } from './config';

export interface RunningServer {
  url: string;
  port: number;
  config: ServerConfig;
  /** the caps on waiting checks, with their counters (the stress benchmark reads them) */
  waitingChecks: WaitingChecks;
  /** where the orders are, for people: `SQLite /…/orders.sqlite3` or `PostgreSQL host:port/database` (no password) */
  storeDescription: string;
  close(): Promise<void>;
}

export async function startServer(
  opts: ServerOptions & { env?: NodeJS.ProcessEnv; clock?: Clock } = {},
): Promise<RunningServer> {
  const { env, clock, ...overrides } = opts;
  const config = loadServerConfig(overrides, env ?? process.env);
  const { app, waitingChecks, store } = await buildApp(config, { clock });
  if (config.production && config.trustProxy === false && /^(127\.|::1$|localhost$)/.test(config.host)) {
    // only a proxy on this machine can reach a loopback address: without TRUST_PROXY every user would be that proxy
    app.log.warn(
      `HOST is ${config.host} but TRUST_PROXY is off: if a reverse proxy on this machine forwards to the backend, every ` +
        'client counts as the proxy (one rate limit and one per-address connection cap for all). Set TRUST_PROXY to ' +
        "the proxy's address, e.g. TRUST_PROXY=127.0.0.1",
    );
  }
  const { url, port } = await listen(app, { host: config.host, port: config.port, portVariable: 'PORT' });
  // notify_url must reach this very process, also when the port was ephemeral
  if (!config.publicBaseUrl) config.publicBaseUrl = url;
  config.port = port;
  return { url, port, config, waitingChecks, storeDescription: store.description, close: () => app.close() };
}
