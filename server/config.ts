// Server configuration: defaults < environment < programmatic options. Every variable is in README.md,
// "Configuration"; the rules and why: docs/architecture.md, "Configuration".
// NODE_ENV is production, development, test or unset, nothing else. Under production the development defaults do not
// apply, and what would be unsafe with real money stops the start with a message naming the variable: a missing value,
// a weak MERCHANT_KEY or FULFILLMENT_SECRET (or one reused as the other), a public, provider or fulfilment URL that is
// not https, a PUBLIC_BASE_URL the provider cannot reach.
// DATABASE_URL (postgres://...) selects the PostgreSQL store, with PG_POOL_MAX, PG_STATEMENT_TIMEOUT_MS and
// PG_CONNECT_TIMEOUT_MS; without it the backend keeps SQLite under DATA_DIR.

import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {
  DEV_DATA_DIR,
  DEV_HOST,
  DEV_MERCHANT_ID,
  DEV_MERCHANT_KEY,
  DEV_SANDBOX_PORT,
  DEV_SERVER_PORT,
} from '../config/dev-defaults';
import { logLevelFrom, type LogLevel, type TrustProxy } from '../common/http-app';
import { addressList, DEFAULT_CONNECTION_LIMITS, defaultMaxConnections, type ConnectionLimits } from '../common/limits';
import type { ProviderName } from '../typings/provider';

export type { LogLevel, TrustProxy };

export interface ServerConfig {
  /** the address to listen on (HOST; 127.0.0.1 by default: a reverse proxy on the same machine faces the internet) */
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
  /**
   * Provider queries this process sends per second, in all. Each check may bring a new provider order id hint to ask
   * by, so without it clients on many addresses could make the backend query the provider as fast as they check.
   */
  providerQueriesPerSecond: number;
  /** order creations per client address and minute */
  orderRateLimitPerMinute: number;
  /** checks per client address and minute */
  checkRateLimitPerMinute: number;
  /** checks held waiting on one order at once; past it a check answers at once with the current status */
  maxWaitingChecksPerOrder: number;
  /** checks held waiting in all at once; past it a check answers at once with the current status */
  maxWaitingChecks: number;
  /** slow and idle connections: see common/limits.ts */
  limits: ConnectionLimits;
  /** Fastify's trustProxy (TRUST_PROXY): who may say, in X-Forwarded-For, which client a request comes from */
  trustProxy: TrustProxy;
  /** where paid orders are announced (FULFILLMENT_URL: POST, JSON `order.paid`); '' = no fulfilment outbox at all */
  fulfillmentUrl: string;
  /** HMAC-SHA256 key of the X-Signature header (FULFILLMENT_SECRET); required whenever fulfillmentUrl is set */
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

/** What startServer and loadServerConfig take: any field of ServerConfig, and any of the connection limits. */
export type ServerOptions = Partial<Omit<ServerConfig, 'limits'>> & { limits?: Partial<ConnectionLimits> };

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const PROVIDERS: readonly ProviderName[] = ['xiaoweijufu', 'payjs'];

/** Below this, every waiting check would query the provider back to back (and risk its rate limit). */
export const PROVIDER_QUERY_INTERVAL_MIN_MS = 1_000;

/**
 * The project folder (where package.json is): the parent of server/ when run from source, the parent of build/
 * when run compiled (build/server/config.js). DATA_DIR and the catalog are found from here.
 */
function projectRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(from, '..');
  }
}

export const REPO_ROOT = projectRoot(__dirname);

/** notify_url's length limit (the provider's jump fields) */
const NOTIFY_URL_MAX = 255;

export const NODE_ENVS = ['development', 'production', 'test'] as const;

/** Defaults of the abuse limits (README.md, "Limits under abuse"). */
export const DEFAULT_LIMITS = {
  orderRateLimitPerMinute: 600,
  checkRateLimitPerMinute: 600,
  maxWaitingChecksPerOrder: 4,
  maxWaitingChecks: 5_000,
  providerQueriesPerSecond: 10,
} as const;

/** The least a production secret (MERCHANT_KEY, FULFILLMENT_SECRET) must be. */
export const SECRET_MIN_LENGTH = 32;
export const SECRET_MIN_DISTINCT = 10;
/** this many equal characters in a row (aaaaaa), or consecutive ones (abcdef, 654321), is a run */
export const SECRET_MAX_RUN = 6;

const SECRET_RULE =
  `at least ${SECRET_MIN_LENGTH} characters, at least ${SECRET_MIN_DISTINCT} different ones, no run of ` +
  `${SECRET_MAX_RUN} (like aaaaaa or 123456) and no repeated block (like abcabcabc...)`;

/**
 * Why a secret is too weak to stand in front of real money, or null. Anyone who creates an order gets payParams
 * signed with MERCHANT_KEY: a short or patterned key falls to an offline brute force, and then notifies can be forged.
 */
export function secretWeakness(secret: string): string | null {
  const chars = Array.from(secret);
  if (chars.length < SECRET_MIN_LENGTH) return `it has ${chars.length} characters`;
  const distinct = new Set(chars).size;
  if (distinct < SECRET_MIN_DISTINCT) return `it uses only ${distinct} different characters`;
  let same = 1;
  let up = 1;
  let down = 1;
  for (let i = 1; i < chars.length; i++) {
    const step = chars[i].codePointAt(0)! - chars[i - 1].codePointAt(0)!;
    same = step === 0 ? same + 1 : 1;
    up = step === 1 ? up + 1 : 1;
    down = step === -1 ? down + 1 : 1;
    if (Math.max(same, up, down) >= SECRET_MAX_RUN) {
      return `it has the run "${chars.slice(i + 1 - SECRET_MAX_RUN, i + 1).join('')}"`;
    }
  }
  for (let period = 1; period <= chars.length / 2; period++) {
    if (chars.every((char, i) => i < period || char === chars[i - period])) {
      return `it repeats "${chars.slice(0, period).join('')}"`;
    }
  }
  return null;
}

function intFrom(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  // digits only: "1e3", "0x10" or " 5" are not what a person means by a number of milliseconds
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min) {
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

function isCidr(entry: string): boolean {
  const [address, prefix, extra] = entry.split('/');
  const family = net.isIP(address);
  if (family === 0 || extra !== undefined) return false;
  if (prefix === undefined) return true;
  return /^\d+$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/** TRUST_PROXY: off (the default), true, a hop count, or a comma list of addresses/CIDRs (or loopback, linklocal, uniquelocal). */
export function trustProxyFrom(raw: string | undefined): TrustProxy {
  if (raw === undefined || raw.trim() === '' || /^(0|false|no|off)$/i.test(raw.trim())) return false;
  const text = raw.trim();
  if (/^(true|yes|on)$/i.test(text)) return true;
  if (/^\d+$/.test(text)) return Number(text);
  const entries = text.split(',').map((entry) => entry.trim());
  const named = ['loopback', 'linklocal', 'uniquelocal'];
  const bad = entries.filter((entry) => !named.includes(entry) && !isCidr(entry));
  if (bad.length > 0) {
    throw new ConfigError(
      `TRUST_PROXY must be true, a hop count, or a comma list of your proxies' addresses or CIDRs ` +
        `(e.g. 127.0.0.1 or 10.0.0.0/8,loopback); "${bad.join('", "')}" is none of these`,
    );
  }
  return entries;
}

/** Addresses the provider's servers can never reach over the internet: loopback, link-local and private ranges. */
const UNREACHABLE_ADDRESSES = addressList(['loopback', 'linklocal', 'uniquelocal']);

/** Why a URL's host cannot be reached from the internet (a notify could never arrive there), or null. */
function unreachableHost(hostname: string): string | null {
  const host = hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return 'a loopback address';
  const family = net.isIP(host);
  if (family === 0) return null;
  if (host === '0.0.0.0' || host === '::') return 'the unspecified address (it names no host)';
  return UNREACHABLE_ADDRESSES.check(host, family === 4 ? 'ipv4' : 'ipv6') ? 'a loopback or private address' : null;
}

/**
 * An absolute http(s) URL without credentials, query or fragment, without its trailing slash. In production it must
 * be https: notifies and queries carry signed payment data, and a plain-http hop can be read and replayed.
 */
function urlFrom(name: string, value: string, production: boolean, what: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name} must be an absolute URL such as https://${what}, got "${value}"`);
  }
  if (production && url.protocol !== 'https:') {
    throw new ConfigError(
      `${name} must be an https:// URL under NODE_ENV=production (such as https://${what}), got "${value}"`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(`${name} must be an http:// or https:// URL such as https://${what}, got "${value}"`);
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new ConfigError(`${name} must be a plain base URL (no user, password, query or #fragment), got "${value}"`);
  }
  return url.href.replace(/\/+$/, '');
}

export function loadServerConfig(
  overrides: ServerOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): ServerConfig {
  const nodeEnv = env.NODE_ENV;
  if (overrides.production === undefined && nodeEnv && !(NODE_ENVS as readonly string[]).includes(nodeEnv)) {
    throw new ConfigError(
      `NODE_ENV must be one of ${NODE_ENVS.join(', ')} (lower case) or unset, got "${nodeEnv}"; ` +
        'refusing to guess whether the development defaults (and the development key) may apply',
    );
  }
  const production = overrides.production ?? nodeEnv === 'production';
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
    const key = given('merchantKey', 'MERCHANT_KEY') as string;
    if (key === DEV_MERCHANT_KEY) {
      throw new ConfigError('MERCHANT_KEY is the development key; set the real merchant key for NODE_ENV=production');
    }
    if (key.trim() !== key) {
      throw new ConfigError(
        'MERCHANT_KEY starts or ends with white space: the provider signs with the key alone, so every notify would ' +
          'fail its sign check. Remove the spaces or line break around the key',
      );
    }
    const weakness = secretWeakness(key);
    if (weakness) {
      throw new ConfigError(
        `MERCHANT_KEY is too weak for NODE_ENV=production: ${weakness}. Every order's payParams are signed with it, so ` +
          `a weak key can be found from them and notifies forged. It needs ${SECRET_RULE}; set a new merchant key ` +
          "in the provider's merchant console and put it in MERCHANT_KEY",
      );
    }
  }
  const provider = (overrides.provider ?? env.PROVIDER ?? 'xiaoweijufu') as ProviderName;
  if (!PROVIDERS.includes(provider)) {
    throw new ConfigError(`PROVIDER must be one of ${PROVIDERS.join(', ')}, got "${provider}"`);
  }
  let logLevel: LogLevel;
  try {
    logLevel = logLevelFrom(env, overrides.logLevel);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }

  const sandboxPort = intFrom(env, 'SANDBOX_PORT', DEV_SANDBOX_PORT);
  const port = overrides.port ?? intFrom(env, 'PORT', DEV_SERVER_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`PORT must be 0..65535, got ${port}`);
  const host = overrides.host ?? (env.HOST || DEV_HOST);
  if (!/^[A-Za-z0-9.:_-]+$/.test(host)) {
    throw new ConfigError(`HOST must be an address or host name to listen on (127.0.0.1, 0.0.0.0, ::), got "${host}"`);
  }

  const publicBaseUrl = given('publicBaseUrl', 'PUBLIC_BASE_URL');
  const providerBaseUrl = given('providerBaseUrl', 'PROVIDER_BASE_URL');
  const fulfillmentUrl = given('fulfillmentUrl', 'FULFILLMENT_URL');
  const fulfillmentSecret = given('fulfillmentSecret', 'FULFILLMENT_SECRET') ?? '';
  const limit = (option: keyof ConnectionLimits, name: string, fallback: number, min: number): number =>
    overrides.limits?.[option] ?? intFrom(env, name, fallback, min);
  const requestTimeoutMs = limit('requestTimeoutMs', 'REQUEST_TIMEOUT_MS', DEFAULT_CONNECTION_LIMITS.requestTimeoutMs, 1);

  const config: ServerConfig = {
    host,
    port,
    dataDir: path.resolve(REPO_ROOT, given('dataDir', 'DATA_DIR') ?? DEV_DATA_DIR),
    merchantId: given('merchantId', 'MERCHANT_ID') ?? DEV_MERCHANT_ID,
    merchantKey: given('merchantKey', 'MERCHANT_KEY') ?? DEV_MERCHANT_KEY,
    provider,
    providerBaseUrl: providerBaseUrl
      ? urlFrom('PROVIDER_BASE_URL', providerBaseUrl, production, 'api.provider.example')
      : `http://${DEV_HOST}:${sandboxPort}`,
    // empty until listening when not configured: startServer derives it from the bound address
    publicBaseUrl: publicBaseUrl ? urlFrom('PUBLIC_BASE_URL', publicBaseUrl, production, 'pay.your-domain.example') : '',
    orderTtlMs: overrides.orderTtlMs ?? intFrom(env, 'ORDER_TTL_MS', 30 * 60_000, 1),
    providerQueryAfterMs: overrides.providerQueryAfterMs ?? intFrom(env, 'PROVIDER_QUERY_AFTER_MS', 3_000),
    providerQueryIntervalMs:
      overrides.providerQueryIntervalMs ??
      intFrom(env, 'PROVIDER_QUERY_INTERVAL_MS', 5_000, PROVIDER_QUERY_INTERVAL_MIN_MS),
    providerQueryByOutTradeNo:
      overrides.providerQueryByOutTradeNo ?? boolFrom(env, 'PROVIDER_QUERY_BY_OUT_TRADE_NO', !production),
    providerQueriesPerSecond:
      overrides.providerQueriesPerSecond ??
      intFrom(env, 'PROVIDER_QUERIES_PER_SECOND', DEFAULT_LIMITS.providerQueriesPerSecond, 1),
    orderRateLimitPerMinute:
      overrides.orderRateLimitPerMinute ?? intFrom(env, 'ORDER_RATE_LIMIT_PER_MINUTE', DEFAULT_LIMITS.orderRateLimitPerMinute, 1),
    checkRateLimitPerMinute:
      overrides.checkRateLimitPerMinute ?? intFrom(env, 'CHECK_RATE_LIMIT_PER_MINUTE', DEFAULT_LIMITS.checkRateLimitPerMinute, 1),
    maxWaitingChecksPerOrder:
      overrides.maxWaitingChecksPerOrder ??
      intFrom(env, 'MAX_WAITING_CHECKS_PER_ORDER', DEFAULT_LIMITS.maxWaitingChecksPerOrder),
    maxWaitingChecks: overrides.maxWaitingChecks ?? intFrom(env, 'MAX_WAITING_CHECKS', DEFAULT_LIMITS.maxWaitingChecks),
    limits: {
      requestTimeoutMs,
      headersTimeoutMs: Math.min(requestTimeoutMs, overrides.limits?.headersTimeoutMs ?? requestTimeoutMs),
      keepAliveTimeoutMs: limit('keepAliveTimeoutMs', 'KEEP_ALIVE_TIMEOUT_MS', DEFAULT_CONNECTION_LIMITS.keepAliveTimeoutMs, 1),
      maxConnections: limit('maxConnections', 'MAX_CONNECTIONS', defaultMaxConnections(), 0),
      maxConnectionsPerClient: limit(
        'maxConnectionsPerClient',
        'MAX_CONNECTIONS_PER_CLIENT',
        DEFAULT_CONNECTION_LIMITS.maxConnectionsPerClient,
        0,
      ),
    },
    trustProxy: overrides.trustProxy ?? trustProxyFrom(env.TRUST_PROXY),
    fulfillmentUrl: fulfillmentUrl ? urlFrom('FULFILLMENT_URL', fulfillmentUrl, production, 'shop.your-domain.example/paid') : '',
    fulfillmentSecret,
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
  if (config.fulfillmentRetryMaxMs < config.fulfillmentRetryBaseMs) {
    throw new ConfigError(
      `FULFILLMENT_RETRY_MAX_MS (${config.fulfillmentRetryMaxMs}) must be at least FULFILLMENT_RETRY_BASE_MS (${config.fulfillmentRetryBaseMs})`,
    );
  }
  const notifyUrl = `${config.publicBaseUrl}/api/pay/notify`;
  if (notifyUrl.length > NOTIFY_URL_MAX) {
    throw new ConfigError(
      `PUBLIC_BASE_URL is too long: the notify_url built from it (${notifyUrl.length} characters) must fit the ` +
        `provider's ${NOTIFY_URL_MAX}`,
    );
  }
  const unreachable = production ? unreachableHost(new URL(config.publicBaseUrl).hostname) : null;
  if (unreachable) {
    throw new ConfigError(
      `PUBLIC_BASE_URL must be the public https address of this backend (the provider sends notifies to it), ` +
        `not ${unreachable}; got "${config.publicBaseUrl}"`,
    );
  }
  if (config.fulfillmentUrl && !config.fulfillmentSecret) {
    throw new ConfigError(
      'FULFILLMENT_URL is set but FULFILLMENT_SECRET is not: the receiver could not tell our announcements of paid ' +
        'orders from forged ones. Set FULFILLMENT_SECRET to a random secret shared with the receiver ' +
        '(e.g. openssl rand -hex 32), or unset FULFILLMENT_URL',
    );
  }
  if (production && config.fulfillmentSecret) {
    if (config.fulfillmentSecret === config.merchantKey) {
      throw new ConfigError(
        'FULFILLMENT_SECRET is the merchant key: the fulfilment receiver would hold the key that signs payments, and ' +
          'could forge notifies with it. Generate a separate secret (openssl rand -hex 32) and give the receiver that one',
      );
    }
    const weakness = secretWeakness(config.fulfillmentSecret);
    if (weakness) {
      throw new ConfigError(
        `FULFILLMENT_SECRET is too weak for NODE_ENV=production: ${weakness}. It needs ${SECRET_RULE}; ` +
          'generate one with openssl rand -hex 32 and give the receiver the same',
      );
    }
  }
  return config;
}
