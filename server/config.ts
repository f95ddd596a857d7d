// Server configuration: defaults < environment < programmatic options.
// Environment variables (README.md, "Configuration"): PORT, DATA_DIR, MERCHANT_ID, MERCHANT_KEY, PROVIDER,
// PROVIDER_BASE_URL, PUBLIC_BASE_URL, plus ORDER_TTL_MS, PROVIDER_QUERY_AFTER_MS, PROVIDER_QUERY_INTERVAL_MS,
// PROVIDER_QUERY_BY_OUT_TRADE_NO, ORDER_RATE_LIMIT_PER_MINUTE, LOG_LEVEL, SANDBOX_PORT (for the default provider URL),
// FULFILLMENT_URL, FULFILLMENT_SECRET, FULFILLMENT_TIMEOUT_MS, FULFILLMENT_RETRY_BASE_MS, FULFILLMENT_RETRY_MAX_MS,
// DATABASE_URL (PostgreSQL instead of SQLite) with PG_POOL_MAX, PG_STATEMENT_TIMEOUT_MS, PG_CONNECT_TIMEOUT_MS.
// Under NODE_ENV=production the development defaults do not apply: a missing variable stops the start.

import path from 'node:path';
import {
  DEV_DATA_DIR,
  DEV_FULFILLMENT_SECRET,
  DEV_HOST,
  DEV_MERCHANT_ID,
  DEV_MERCHANT_KEY,
  DEV_SANDBOX_PORT,
  DEV_SERVER_PORT,
} from '../config/dev-defaults';
import type { ProviderName } from '../typings/provider';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface ServerConfig {
  host: string;
  /** 0 = an ephemeral port */
  port: number;
  dataDir: string;
  merchantId: string;
  merchantKey: string;
  provider: ProviderName;
  providerBaseUrl: string;
  /** notify_url = publicBaseUrl + '/api/pay/notify'; derived from the bound address when not configured */
  publicBaseUrl: string;
  orderTtlMs: number;
  /** a pending check asks the provider only this long after the first check of the order (the user came back) */
  providerQueryAfterMs: number;
  /** at most one provider query per order per this interval; at least PROVIDER_QUERY_INTERVAL_MIN_MS */
  providerQueryIntervalMs: number;
  /**
   * Also query the provider by out_trade_no when no provider order id is known (back key + lost notify).
   * The published 小微聚付 query takes order_no only; the sandbox accepts out_trade_no too. Off in production.
   */
  providerQueryByOutTradeNo: boolean;
  orderRateLimitPerMinute: number;
  /** where paid orders are announced (POST, JSON `order.paid`); '' = no fulfilment outbox at all */
  fulfillmentUrl: string;
  /** HMAC-SHA256 key of the X-Signature header; the development one when unset outside production */
  fulfillmentSecret: string;
  /** an attempt that has no answer after this long is a failure (and retried) */
  fulfillmentTimeoutMs: number;
  /** the first retry comes this long after a failed attempt, then twice as long each time ... */
  fulfillmentRetryBaseMs: number;
  /** ... up to this */
  fulfillmentRetryMaxMs: number;
  logLevel: LogLevel;
  catalogPath: string;
  production: boolean;
  /** postgres://... : the PostgreSQL store (several instances may share it); null: SQLite under dataDir */
  databaseUrl: string | null;
  /** connections each instance's pool may open (the LISTEN connection comes on top) */
  pgPoolMax: number;
  /** a statement running longer is cancelled by the database (a stuck query must not hold a check or a notify) */
  pgStatementTimeoutMs: number;
  /** how long to wait for a connection, at start and from the pool */
  pgConnectTimeoutMs: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const PROVIDERS: readonly ProviderName[] = ['xiaoweijufu', 'payjs'];
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Below this, every waiting check would query the provider back to back (and risk its rate limit). */
export const PROVIDER_QUERY_INTERVAL_MIN_MS = 1_000;

export const REPO_ROOT = path.resolve(__dirname, '..');

function intFrom(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new ConfigError(`${name} must be an integer >= ${min}, got "${raw}"`);
  }
  return value;
}

function boolFrom(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (/^(1|true|yes)$/i.test(raw)) return true;
  if (/^(0|false|no)$/i.test(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

export function loadServerConfig(
  overrides: Partial<ServerConfig> = {},
  env: NodeJS.ProcessEnv = process.env,
): ServerConfig {
  const production = overrides.production ?? env.NODE_ENV === 'production';
  const given = (option: keyof ServerConfig, name: string): string | undefined => {
    const value = overrides[option] ?? env[name];
    return value === undefined || value === '' ? undefined : String(value);
  };

  if (production) {
    const missing = (
      [
        ['merchantId', 'MERCHANT_ID'],
        ['merchantKey', 'MERCHANT_KEY'],
        ['providerBaseUrl', 'PROVIDER_BASE_URL'],
        ['publicBaseUrl', 'PUBLIC_BASE_URL'],
      ] as const
    )
      .filter(([option, name]) => given(option, name) === undefined)
      .map(([, name]) => name);
    if (missing.length > 0) {
      throw new ConfigError(
        `NODE_ENV=production needs ${missing.join(', ')} in the environment; refusing to start without ${
          missing.length === 1 ? 'it' : 'them'
        } (development defaults apply only without NODE_ENV=production)`,
      );
    }
    if (given('merchantKey', 'MERCHANT_KEY') === DEV_MERCHANT_KEY) {
      throw new ConfigError('MERCHANT_KEY is the development key; set the real merchant key for NODE_ENV=production');
    }
  }

  const provider = (overrides.provider ?? env.PROVIDER ?? 'xiaoweijufu') as ProviderName;
  if (!PROVIDERS.includes(provider)) {
    throw new ConfigError(`PROVIDER must be one of ${PROVIDERS.join(', ')}, got "${provider}"`);
  }
  // silent under jest unless asked for, so test output stays readable
  const logLevel = (overrides.logLevel ?? env.LOG_LEVEL ?? (process.env.JEST_WORKER_ID ? 'silent' : 'info')) as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }

  const sandboxPort = intFrom(env, 'SANDBOX_PORT', DEV_SANDBOX_PORT);
  const port = overrides.port ?? intFrom(env, 'PORT', DEV_SERVER_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`PORT must be 0..65535, got ${port}`);

  const config: ServerConfig = {
    host: overrides.host ?? DEV_HOST,
    port,
    dataDir: path.resolve(REPO_ROOT, given('dataDir', 'DATA_DIR') ?? DEV_DATA_DIR),
    merchantId: given('merchantId', 'MERCHANT_ID') ?? DEV_MERCHANT_ID,
    merchantKey: given('merchantKey', 'MERCHANT_KEY') ?? DEV_MERCHANT_KEY,
    provider,
    providerBaseUrl: (given('providerBaseUrl', 'PROVIDER_BASE_URL') ?? `http://${DEV_HOST}:${sandboxPort}`).replace(/\/+$/, ''),
    // empty until listening when not configured: startServer derives it from the bound address
    publicBaseUrl: (given('publicBaseUrl', 'PUBLIC_BASE_URL') ?? '').replace(/\/+$/, ''),
    orderTtlMs: overrides.orderTtlMs ?? intFrom(env, 'ORDER_TTL_MS', 30 * 60_000, 1),
    providerQueryAfterMs: overrides.providerQueryAfterMs ?? intFrom(env, 'PROVIDER_QUERY_AFTER_MS', 3_000),
    providerQueryIntervalMs:
      overrides.providerQueryIntervalMs ??
      intFrom(env, 'PROVIDER_QUERY_INTERVAL_MS', 5_000, PROVIDER_QUERY_INTERVAL_MIN_MS),
    providerQueryByOutTradeNo:
      overrides.providerQueryByOutTradeNo ?? boolFrom(env, 'PROVIDER_QUERY_BY_OUT_TRADE_NO', !production),
    orderRateLimitPerMinute: overrides.orderRateLimitPerMinute ?? intFrom(env, 'ORDER_RATE_LIMIT_PER_MINUTE', 600, 1),
    fulfillmentUrl: (given('fulfillmentUrl', 'FULFILLMENT_URL') ?? '').trim(),
    fulfillmentSecret: given('fulfillmentSecret', 'FULFILLMENT_SECRET') ?? (production ? '' : DEV_FULFILLMENT_SECRET),
    fulfillmentTimeoutMs: overrides.fulfillmentTimeoutMs ?? intFrom(env, 'FULFILLMENT_TIMEOUT_MS', 10_000, 100),
    fulfillmentRetryBaseMs: overrides.fulfillmentRetryBaseMs ?? intFrom(env, 'FULFILLMENT_RETRY_BASE_MS', 1_000, 10),
    fulfillmentRetryMaxMs: overrides.fulfillmentRetryMaxMs ?? intFrom(env, 'FULFILLMENT_RETRY_MAX_MS', 10 * 60_000, 10),
    logLevel,
    catalogPath: overrides.catalogPath ?? path.join(REPO_ROOT, 'config', 'catalog.json'),
    production,
    databaseUrl: given('databaseUrl', 'DATABASE_URL') ?? null,
    pgPoolMax: overrides.pgPoolMax ?? intFrom(env, 'PG_POOL_MAX', 10, 1),
    pgStatementTimeoutMs: overrides.pgStatementTimeoutMs ?? intFrom(env, 'PG_STATEMENT_TIMEOUT_MS', 5_000, 100),
    pgConnectTimeoutMs: overrides.pgConnectTimeoutMs ?? intFrom(env, 'PG_CONNECT_TIMEOUT_MS', 5_000, 100),
  };
  if (config.databaseUrl !== null && !/^postgres(ql)?:\/\//.test(config.databaseUrl)) {
    // the value itself may hold a password: name the variable and the expected shape, never echo it
    throw new ConfigError(
      'DATABASE_URL must be a postgres:// (or postgresql://) URL such as postgres://user:password@host:5432/database; ' +
        'leave it unset for the embedded SQLite store',
    );
  }
  if (!Number.isInteger(config.providerQueryIntervalMs) || config.providerQueryIntervalMs < PROVIDER_QUERY_INTERVAL_MIN_MS) {
    throw new ConfigError(
      `PROVIDER_QUERY_INTERVAL_MS (option providerQueryIntervalMs) must be an integer >= ${PROVIDER_QUERY_INTERVAL_MIN_MS}, ` +
        `got ${config.providerQueryIntervalMs}: a shorter interval queries the provider back to back`,
    );
  }
  if (config.merchantId.length > 16) throw new ConfigError('MERCHANT_ID must be at most 16 characters');
  if (config.fulfillmentUrl) {
    let url: URL | undefined;
    try {
      url = new URL(config.fulfillmentUrl);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw new ConfigError(`FULFILLMENT_URL must be an http(s) URL, got "${config.fulfillmentUrl}"`);
    }
  }
  if (config.fulfillmentRetryMaxMs < config.fulfillmentRetryBaseMs) {
    throw new ConfigError(
      `FULFILLMENT_RETRY_MAX_MS (${config.fulfillmentRetryMaxMs}) must be at least FULFILLMENT_RETRY_BASE_MS (${config.fulfillmentRetryBaseMs})`,
    );
  }
  return config;
}
