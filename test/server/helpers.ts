// Shared by the server project's tests: real servers on 127.0.0.1 with ephemeral ports and temporary data folders.

import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { CreateOrderResponse, PayCheckResponse } from '../../typings/api';
import { startSandbox, type RunningSandbox, type SandboxOptions } from '../../sandbox';
import { startServer, type ServerConfig } from '../../server';
import { postBody, postForm, postJson, type HttpAnswer } from '../../common/http-client';
import { withSign } from '../../common/sign';
import { DEV_MERCHANT_ID, DEV_MERCHANT_KEY } from '../../config/dev-defaults';

export { postForm, postJson, postBody };
export const MERCHANT_ID = DEV_MERCHANT_ID;
export const MERCHANT_KEY = DEV_MERCHANT_KEY;
export const ROOT = path.resolve(__dirname, '..', '..');

export function tempDir(prefix = 'xwjf-server-'): { dir: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export interface Stack {
  serverUrl: string;
  sandboxUrl: string;
  config: ServerConfig;
  dataDir: string;
  close(): Promise<void>;
}

/** Backend + sandbox, or the backend alone pointing at `providerBaseUrl`. */
export async function startStack(
  server: Partial<ServerConfig> = {},
  sandbox: Partial<SandboxOptions> | false = {},
): Promise<Stack> {
  const data = tempDir();
  let running: RunningSandbox | undefined;
  if (sandbox !== false) running = await startSandbox({ port: 0, timeScale: 0.001, env: {}, ...sandbox });
  const backend = await startServer({
    port: 0,
    dataDir: data.dir,
    providerBaseUrl: running?.url ?? 'http://127.0.0.1:9',
    env: {},
    logLevel: 'silent',
    ...server,
  });
  return {
    serverUrl: backend.url,
    sandboxUrl: running?.url ?? '',
    config: backend.config,
    dataDir: data.dir,
    close: async () => {
      await backend.close();
      await running?.close();
      data.remove();
    },
  };
}

export function json<T = Record<string, unknown>>(answer: HttpAnswer): T {
  return JSON.parse(answer.text) as T;
}

export function getJson(url: string): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      })
      .on('error', reject);
  });
}

export async function createOrder(serverUrl: string, sku = 'vip-month', quantity?: number): Promise<CreateOrderResponse> {
  const answer = await postJson(`${serverUrl}/api/orders`, quantity === undefined ? { sku } : { sku, quantity });
  if (answer.status !== 201) throw new Error(`POST /api/orders answered ${answer.status}: ${answer.text}`);
  return json<CreateOrderResponse>(answer);
}

export async function check(
  serverUrl: string,
  order: Pick<CreateOrderResponse, 'outTradeNo' | 'orderToken'>,
  extra: { waitMs?: number; payjsOrderId?: string } = {},
  timeoutMs = 35_000,
): Promise<PayCheckResponse> {
  const answer = await postJson(
    `${serverUrl}/api/pay/check`,
    { outTradeNo: order.outTradeNo, orderToken: order.orderToken, ...extra },
    timeoutMs,
  );
  if (answer.status !== 200) throw new Error(`POST /api/pay/check answered ${answer.status}: ${answer.text}`);
  return json<PayCheckResponse>(answer);
}

/** A 小微聚付 notify for `order`, signed with the dev key unless told otherwise. */
export function xwjfNotify(
  order: Pick<CreateOrderResponse, 'outTradeNo' | 'totalFee'>,
  overrides: Record<string, string> = {},
  key = MERCHANT_KEY,
): Record<string, string> {
  return withSign(
    {
      status: '1',
      total_fee: String(order.totalFee),
      out_trade_no: order.outTradeNo,
      order_no: `XW${order.outTradeNo.slice(-12)}`,
      transaction_id: `4200${order.outTradeNo.slice(-16)}`,
      time_end: '20260101120000',
      openid: 'o-test-openid',
      attach: 'sku=vip-month&quantity=1',
      mchid: MERCHANT_ID,
      ...overrides,
    },
    key,
  ) as Record<string, string>;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A local HTTP endpoint whose answers a test scripts, recording every request it gets. */
export async function fakeEndpoint(
  respond: (req: { url: string; body: string; at: number; index: number }) => { status: number; body: string; type?: string },
): Promise<{ url: string; requests: { url: string; body: string; at: number }[]; close(): Promise<void> }> {
  const requests: { url: string; body: string; at: number }[] = [];
  const server = http.createServer((req, res) => {
    const at = Date.now();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const entry = { url: req.url ?? '', body: Buffer.concat(chunks).toString('utf8'), at };
      requests.push(entry);
      const answer = respond({ ...entry, index: requests.length - 1 });
      res.writeHead(answer.status, { 'content-type': answer.type ?? 'text/plain', connection: 'close' });
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
