// A tiny HTTP POST client on node:http with no connection pooling, so nothing keeps a test process alive after it
// is done. Used by the server's provider query, the sandbox's notify delivery and the simulator handler.

import http from 'node:http';
import https from 'node:https';

export interface HttpAnswer {
  status: number;
  contentType: string;
  text: string;
}

export interface PostOptions {
  /** more request headers (the fulfilment signature and idempotency key) */
  headers?: Record<string, string>;
  /** aborts the request, e.g. AbortSignal.timeout() for a deadline on the whole exchange */
  signal?: AbortSignal;
}

export function postBody(
  url: string,
  body: string,
  contentType: string,
  timeoutMs = 3_000,
  options: PostOptions = {},
): Promise<HttpAnswer> {
  const target = new URL(url);
  const client = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      target,
      {
        method: 'POST',
        agent: false,
        headers: {
          ...options.headers,
          'content-type': contentType,
          'content-length': Buffer.byteLength(body),
          connection: 'close',
        },
        timeout: timeoutMs,
        signal: options.signal,
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

export function postForm(url: string, fields: Record<string, string | number>, timeoutMs?: number): Promise<HttpAnswer> {
  const body = new URLSearchParams(Object.entries(fields).map(([k, v]): [string, string] => [k, String(v)])).toString();
  return postBody(url, body, 'application/x-www-form-urlencoded', timeoutMs);
}

export function postJson(url: string, value: unknown, timeoutMs?: number): Promise<HttpAnswer> {
  return postBody(url, JSON.stringify(value), 'application/json', timeoutMs);
}
