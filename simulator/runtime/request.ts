// wx.request over real HTTP, with WeChat's result shape: any HTTP status is a success ({data, statusCode,
// header, cookies, errMsg: 'request:ok'}); only network trouble fails ('request:fail <reason>').
import http from 'node:http';
import https from 'node:https';
import type { AppInstance } from './simulation';
import { fail } from './errors';
import type { WxOptions } from './wx/core';

type HeadersListener = (res: unknown) => void;

/** What wx.request returns (the typings' RequestTask). */
export interface RequestTask {
  abort(): void;
  onHeadersReceived(fn: HeadersListener): void;
  offHeadersReceived(fn?: HeadersListener): void;
  onChunkReceived(): void;
  offChunkReceived(): void;
}

export interface RequestHandle {
  result: Promise<Record<string, unknown>>;
  task: RequestTask;
}

function encodeForm(data: Record<string, unknown>): string {
  return Object.entries(data)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v))}`)
    .join('&');
}

export function request(app: AppInstance, o: WxOptions): RequestHandle {
  let abortNow: (() => void) | undefined;
  let aborted = false;
  const headerListeners: HeadersListener[] = [];
  const task: RequestTask = {
    abort: () => {
      aborted = true;
      abortNow?.();
    },
    onHeadersReceived: (fn: HeadersListener) => void headerListeners.push(fn),
    offHeadersReceived: (fn?: HeadersListener) => void (fn ? headerListeners.splice(headerListeners.indexOf(fn) >>> 0, 1) : (headerListeners.length = 0)),
    onChunkReceived: () => undefined,
    offChunkReceived: () => undefined,
  };
  const result = (async () => {
    await Promise.resolve();
    if (aborted) fail('abort');
    const sim = app.sim;
    let url: URL;
    try {
      url = new URL(String(o.url));
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error();
    } catch {
      fail(`invalid url "${String(o.url)}"`);
    }
    if (!sim.online) fail('-106:net::ERR_INTERNET_DISCONNECTED (the simulator is offline: __sim.setNetwork({online: true}))');
    const method = String(o.method || 'GET').toUpperCase();
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries((o.header || {}) as Record<string, unknown>)) if (v !== undefined && v !== null) headers[k] = String(v);
    const contentTypeKey = Object.keys(headers).find((k) => k.toLowerCase() === 'content-type');
    const contentType = contentTypeKey ? headers[contentTypeKey] : 'application/json';
    let body: Buffer | undefined;
    const data = o.data;
    if (method === 'GET' || method === 'HEAD') {
      if (data && typeof data === 'object' && !(data instanceof ArrayBuffer)) {
        for (const [k, v] of Object.entries(data)) if (v !== undefined) url.searchParams.append(k, typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));
      } else if (typeof data === 'string' && data) {
        url.search += (url.search ? '&' : '') + data;
      }
    } else if (data !== undefined && data !== null) {
      if (data instanceof ArrayBuffer) body = Buffer.from(data);
      else if (typeof data === 'string') body = Buffer.from(data);
      else if (/x-www-form-urlencoded/i.test(contentType)) body = Buffer.from(encodeForm(data as Record<string, unknown>));
      else body = Buffer.from(JSON.stringify(data));
      if (!contentTypeKey) headers['content-type'] = 'application/json';
    }
    if (body) headers['content-length'] = String(body.length);
    const timeoutMs = Number(o.timeout) > 0 ? Number(o.timeout) : sim.project.appJson.networkTimeout?.request ?? 60000;
    const lib = url.protocol === 'https:' ? https : http;
    const agent = url.protocol === 'https:' ? sim.httpsAgent : sim.httpAgent;

    return await new Promise<Record<string, unknown>>((resolve, reject) => {
      let settled = false;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        app.requests.delete(task);
        fn();
      };
      const req = lib.request(url, { method, headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        const header: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) header[k] = Array.isArray(v) ? v.join(',') : v;
        for (const l of headerListeners) app.guard(() => l({ header, statusCode: res.statusCode }), 'onHeadersReceived');
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) => finish(() => reject({ errMsg: `request:fail ${err.message}` })));
        res.on('end', () =>
          finish(() => {
            const buf = Buffer.concat(chunks);
            let payload: unknown;
            if (o.responseType === 'arraybuffer') payload = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
            else {
              payload = buf.toString('utf8');
              if ((o.dataType ?? 'json') === 'json') {
                try {
                  payload = JSON.parse(payload as string);
                } catch {
                  /* WeChat hands back the raw text when it is not JSON */
                }
              }
            }
            const cookies = res.headers['set-cookie'] || [];
            resolve({ data: payload, statusCode: res.statusCode, header, cookies, errMsg: 'request:ok' });
          }),
        );
      });
      const timer = setTimeout(() => {
        finish(() => reject({ errMsg: 'request:fail timeout' }));
        req.destroy();
      }, timeoutMs);
      abortNow = () => {
        finish(() => reject({ errMsg: 'request:fail abort' }));
        req.destroy();
      };
      app.requests.add(task);
      req.on('error', (err: NodeJS.ErrnoException) => finish(() => reject({ errMsg: `request:fail ${err.code ? `${err.code} ` : ''}${err.message}` })));
      if (body) req.write(body);
      req.end();
    });
  })();
  return { result, task };
}
