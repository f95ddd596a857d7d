// The Fastify instance both services (backend and sandbox) are built on: the same logging rules, the same
// validation settings, the same error shape, and the same limits on slow or idle connections.

import http from 'node:http';
import type { Duplex } from 'node:stream';
import Fastify, { type FastifyError, type FastifyHttpOptions, type FastifyInstance } from 'fastify';
import { ApiError, describeValidation, errorBody } from './errors';
import { addressList, capConnectionsPerClient, DEFAULT_CONNECTION_LIMITS, type ConnectionLimits } from './limits';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
export const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** LOG_LEVEL from the environment; silent under jest unless asked for, so test output stays readable. */
export function logLevelFrom(env: NodeJS.ProcessEnv, override?: LogLevel): LogLevel {
  const level = override ?? (env.LOG_LEVEL || (process.env.JEST_WORKER_ID ? 'silent' : 'info'));
  if (!LOG_LEVELS.includes(level as LogLevel)) {
    throw new Error(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${level}"`);
  }
  return level as LogLevel;
}

/**
 * How often Node looks for requests past their timeouts. Its default, 30 s, would let a slow body live 40 s; a short
 * interval also spreads the cutting of many slow connections over small slices instead of one long pause.
 */
const TIMEOUT_CHECK_INTERVAL_MS = 250;

export interface HttpAppOptions {
  /** 'backend' or 'sandbox': named in log lines and in answers */
  service: string;
  logLevel: LogLevel;
  bodyLimit: number;
  /** Fastify's trustProxy: false, true, a hop count, or the proxies' addresses/CIDRs */
  trustProxy?: TrustProxy;
  limits?: Partial<ConnectionLimits>;
  /** where the routes are documented, for the 404 answer */
  routesHint?: string;
  /** turns a service's own error types into ApiErrors (e.g. the backend's store outage into a 503) */
  translateError?: (error: unknown) => ApiError | undefined;
}

/**
 * Requests that never became requests (cut by the request timeout, oversized headers, not HTTP): the error shape of
 * every other answer, then the connection is closed. Fastify's own handler would answer another shape, and by
 * closing the socket with the error it makes Node format a stack trace per connection, which is what costs most when
 * the timeout cuts thousands of slow connections at once.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex, limits: ConnectionLimits): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  // a connection that never sent a byte gets no answer: there is no request to answer, and the write costs
  if ((socket as Duplex & { bytesRead?: number }).bytesRead === 0) {
    socket.destroy();
    return;
  }
  const [status, code, message] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'request_timeout', `The request did not arrive within ${limits.requestTimeoutMs / 1000} s; send it again`]
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'headers_too_large', 'The request headers are too large']
        : [400, 'bad_request', 'The request is not valid HTTP'];
  if (socket.writable) {
    const body = JSON.stringify(errorBody(code, message));
    socket.write(
      `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

export type TrustProxy = boolean | number | string[];

/**
 * Fastify's own reading of a hop count trusts nothing (a client that reaches the backend directly could otherwise
 * forge X-Forwarded-For); here a hop count means what it says: the n nearest hops are proxies of ours. README.md says
 * to prefer addresses, and to use a count only when the backend cannot be reached except through the proxies.
 */
function trustProxyOption(trust: TrustProxy): boolean | string[] | ((address: string, hop: number) => boolean) {
  return typeof trust === 'number' ? (_address, hop) => hop < trust : trust;
}

export function createHttpApp(options: HttpAppOptions): FastifyInstance {
  const limits = { ...DEFAULT_CONNECTION_LIMITS, ...options.limits };
  const fastifyOptions: FastifyHttpOptions<http.Server> = {
    bodyLimit: options.bodyLimit,
    // waiting checks end on shutdown (preClose hooks); idle keep-alive sockets must not hold close() up
    forceCloseConnections: 'idle',
    // an unknown field is refused, not silently dropped: a client sending `totalFee` learns prices are not its to set
    ajv: {
      customOptions: {
        removeAdditional: false,
        // no coercion: Fastify's default would read `[2]` or `true` as quantity 2 or 1, `["vip-month"]` as a sku and
        // `"0x7C6"` as 1990; each wire value must already have the type its schema names (server/contracts/)
        coerceTypes: false,
      },
    },
    trustProxy: trustProxyOption(options.trustProxy ?? false),
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    http: {
      headersTimeout: Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs),
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
    },
    logger: {
      level: options.logLevel,
      base: { name: options.service },
      // request logs carry method and url only; bodies (signs, tokens) are never logged
      serializers: {
        req: (req) => ({ method: req.method, url: req.url, ip: req.ip }),
        res: (res) => ({ statusCode: res.statusCode }),
      },
    },
  };
  const app = Fastify(fastifyOptions);
  app.server.removeAllListeners('clientError');
  app.server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => answerClientError(error, socket, limits));
  if (limits.maxConnections > 0) app.server.maxConnections = limits.maxConnections;
  // with TRUST_PROXY true or a hop count any peer may be a proxy speaking for many clients: no per-address cap
  const trust = options.trustProxy ?? false;
  if (limits.maxConnectionsPerClient > 0 && (trust === false || Array.isArray(trust))) {
    capConnectionsPerClient(app.server, limits.maxConnectionsPerClient, Array.isArray(trust) ? addressList(trust) : undefined);
  }

  app.setErrorHandler((thrown: FastifyError | ApiError, request, reply) => {
    const error = options.translateError?.(thrown) ?? thrown;
    if (error instanceof ApiError) {
      const body = (request.body ?? {}) as { out_trade_no?: unknown; outTradeNo?: unknown };
      const outTradeNo = body.out_trade_no ?? body.outTradeNo;
      // a translated error keeps its own reason in the log (e.g. which database file is gone)
      const cause = error !== thrown ? thrown.message : undefined;
      if (error.statusCode >= 500) request.log.error({ code: error.code, reason: error.message, cause, outTradeNo }, 'request failed');
      else request.log.warn({ code: error.code, reason: error.message, outTradeNo }, 'request refused');
      return reply.code(error.statusCode).headers(error.headers).send(errorBody(error.code, error.message));
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
            ? `The body is larger than ${options.bodyLimit} bytes`
            : error.message;
      request.log.warn({ code, reason: message }, 'request refused');
      return reply.code(status).send(errorBody(code, message));
    }
    // the message only: no stack trace in any log line or answer
    request.log.error({ reason: error.message }, 'internal error');
    return reply.code(500).send(errorBody('internal', `The ${options.service} failed to handle this request; try again`));
  });
  app.setNotFoundHandler((request, reply) => {
    const hint = options.routesHint ? `; ${options.routesHint}` : '';
    reply.code(404).send(errorBody('not_found', `No ${options.service} route ${request.method} ${request.url.split('?')[0]}${hint}`));
  });
  return app;
}
