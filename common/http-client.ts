// A tiny HTTP client on node:http with no connection pooling, so nothing keeps a process alive after it is done.
// The one client of the repository: the backend's provider query, the sandbox's notify delivery, the simulator
// handler that plays the pay mini program, the tests and the benchmarks.

import http from 'node:http';
import https from 'node:https';

export interface HttpAnswer {
  status: number;
  contentType: string;
  text: string;
}

export interface RequestOptions {
  method?: string;
  body?: string;
  contentType?: string;
  headers?: Record<string, string>;
  /** no answer within this long rejects (and closes the connection) */
  timeoutMs?: number;
  /** the local address to connect from (the stress benchmark measures from another loopback address) */
  localAddress?: string;
  /** aborts the request, e.g. AbortSignal.timeout() for a deadline on the whole exchange */
  signal?: AbortSignal;
}

export function request(url: string, options: RequestOptions = {}): Promise<HttpAnswer> {
  const { method = 'GET', body, contentType, headers = {}, timeoutMs = 3_000, localAddress, signal } = options;
  const target = new URL(url);
  const client = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      target,
      {
        method,
        agent: false,
        localAddress,
        headers: {
          ...(contentType ? { 'content-type': contentType } : {}),
          ...(body !== undefined ? { 'content-length': Buffer.byteLength(body) } : {}),
          connection: 'close',
          ...headers,
        },
        timeout: timeoutMs,
        signal,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${target.origin} within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

export function getText(url: string, timeoutMs?: number): Promise<HttpAnswer> {
  return request(url, { timeoutMs });
}

export function postBody(
  url: string,
  body: string,
  contentType: string,
  timeoutMs?: number,
  options: Pick<RequestOptions, 'headers' | 'signal'> = {},
): Promise<HttpAnswer> {
  return request(url, { ...options, method: 'POST', body, contentType, timeoutMs });
}

export function postForm(url: string, fields: Record<string, string | number>, timeoutMs?: number): Promise<HttpAnswer> {
  const body = new URLSearchParams(Object.entries(fields).map(([k, v]): [string, string] => [k, String(v)])).toString();
  return postBody(url, body, 'application/x-www-form-urlencoded', timeoutMs);
}

export function postJson(url: string, value: unknown, timeoutMs?: number): Promise<HttpAnswer> {
  return postBody(url, JSON.stringify(value), 'application/json', timeoutMs);
}
