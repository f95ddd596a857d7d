// Fulfilment: every paid order, by notify or by provider query, is POSTed to FULFILLMENT_URL at least once, signed,
// with its Idempotency-Key, and retried until a 2xx answer: through a receiver that is down, one that answers 500,
// one that never answers, a wall clock stepped back, and a backend killed with SIGKILL mid-delivery.

import { spawn } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fulfillmentSignature, retryDelay } from '../../server/fulfillment/worker';
import type { CreateOrderResponse, OrderPaidEvent } from '../../typings/api';
import {
  check,
  createOrder,
  json,
  postBody,
  postForm,
  postJson,
  ROOT,
  sleep,
  spawnTs,
  startStack,
  storedRows,
  storeEnv,
  steppableClock,
  tempDir,
  waitForLine,
  xwjfNotify,
} from './helpers';

const SECRET = 'fulfilment-test-secret-0123456789abcdef';

interface Delivery {
  key: string;
  signature: string;
  contentType: string;
  raw: Buffer;
  /** performance.now() when it arrived */
  at: number;
  /** what the receiver answered; 0 while it holds the request */
  status: number;
}

/** What a merchant's receiver does first: check the signature over the raw bytes, in constant time. */
function signatureValid(raw: Buffer, header: string, secret = SECRET): boolean {
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`);
  const received = Buffer.from(header);
  return expected.length === received.length && timingSafeEqual(expected, received);
}

/** A fulfilment receiver on 127.0.0.1 whose answers the test scripts; `hang` holds the request without answering. */
async function startReceiver(
  answer: (delivery: Delivery, index: number) => number | 'hang',
  opts: { port?: number; delayMs?: number } = {},
): Promise<{ url: string; port: number; deliveries: Delivery[]; close(): Promise<void> }> {
  const deliveries: Delivery[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const delivery: Delivery = {
        key: String(req.headers['idempotency-key'] ?? ''),
        signature: String(req.headers['x-signature'] ?? ''),
        contentType: String(req.headers['content-type'] ?? ''),
        raw: Buffer.concat(chunks),
        at: performance.now(),
        status: 0,
      };
      deliveries.push(delivery);
      const status = answer(delivery, deliveries.length - 1);
      if (status === 'hang') return;
      setTimeout(() => {
        delivery.status = status;
        res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'not now');
      }, opts.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hooks/order-paid`,
    port,
    deliveries,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

async function until(what: string, probe: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await probe())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

const deliveredKeys = (deliveries: Delivery[]): Set<string> =>
  new Set(deliveries.filter((d) => d.status >= 200 && d.status < 300).map((d) => d.key));

describe('fulfilment delivery', () => {
  it('a receiver that is down for a while, then answers 500, then comes up, gets every paid order, signed and keyed', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/hooks/order-paid`;
    const stack = await startStack({
      fulfillmentUrl: url,
      fulfillmentSecret: SECRET,
      fulfillmentRetryBaseMs: 100,
      fulfillmentRetryMaxMs: 400,
      providerQueryAfterMs: 200,
    });
    let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
    try {
      const byNotify: CreateOrderResponse[] = [];
      for (let i = 0; i < 8; i++) {
        const order = await createOrder(stack.serverUrl, i % 2 ? 'coin-100' : 'vip-month', 1 + (i % 3));
        expect((await postForm(`${stack.serverUrl}/api/pay/notify`, xwjfNotify(order, { openid: `o-${i}` }))).text).toBe('success');
        byNotify.push(order);
      }
      // one order whose notify is lost: paid when the provider query finds it
      await postJson(`${stack.sandboxUrl}/scenario`, { outcome: 'paid', notify: 'lost' });
      const byQuery = await createOrder(stack.serverUrl);
      const back = json<{ payjsOrderId: string }>(await postJson(`${stack.sandboxUrl}/pay`, byQuery.payParams));
      expect((await check(stack.serverUrl, byQuery, { waitMs: 5000, payjsOrderId: back.payjsOrderId })).status).toBe('paid');
      const all = [...byNotify, byQuery];

      // nothing listens: attempts fail and are retried with growing waits, recorded in the outbox
      await sleep(1200);
      const pending = await storedRows(stack, 'SELECT attempts, last_error, delivered_at FROM fulfillment_outbox');
      expect(pending).toHaveLength(all.length);
      for (const row of pending) {
        expect(row.delivered_at).toBeNull();
        expect(Number(row.attempts)).toBeGreaterThanOrEqual(2);
        // attempts 1 s apart at most once the 400 ms cap is reached: a handful, not hundreds
        expect(Number(row.attempts)).toBeLessThan(12);
        expect(String(row.last_error)).toMatch(/ECONNREFUSED/);
      }

      // up, but answering 500 to its first five requests
      receiver = await startReceiver((_d, index) => (index < 5 ? 500 : 200), { port });
      await until('every paid order delivered', () => deliveredKeys(receiver!.deliveries).size === all.length, 15_000);

      expect([...deliveredKeys(receiver.deliveries)].sort()).toEqual(all.map((o) => o.outTradeNo).sort());
      for (const delivery of receiver.deliveries) {
        expect(signatureValid(delivery.raw, delivery.signature)).toBe(true);
        expect(delivery.signature).toBe(fulfillmentSignature(delivery.raw.toString('utf8'), SECRET));
        expect(delivery.contentType).toBe('application/json');
        expect(JSON.parse(delivery.raw.toString('utf8')).outTradeNo).toBe(delivery.key);
      }
      const events = new Map(
        receiver.deliveries.map((d) => [d.key, JSON.parse(d.raw.toString('utf8')) as OrderPaidEvent]),
      );
      byNotify.forEach((order, i) => {
        expect(events.get(order.outTradeNo)).toEqual({
          event: 'order.paid',
          outTradeNo: order.outTradeNo,
          sku: i % 2 ? 'coin-100' : 'vip-month',
          quantity: 1 + (i % 3),
          totalFee: order.totalFee,
          paidAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
          providerOrderId: `XW${order.outTradeNo.slice(-12)}`,
          transactionId: `4200${order.outTradeNo.slice(-16)}`,
          openid: `o-${i}`,
          attach: order.payParams.attach,
          flags: [],
        });
      });
      expect(events.get(byQuery.outTradeNo)).toMatchObject({ providerOrderId: back.payjsOrderId, flags: ['confirmed_by_query'] });
      // a 2xx ends delivery: recorded, and nothing is sent again
      await until('the outbox records every delivery', async () =>
        (await storedRows(stack, 'SELECT COUNT(*) AS n FROM fulfillment_outbox WHERE delivered_at IS NULL'))[0].n === 0, 3000);
      const sent = receiver.deliveries.length;
      await sleep(600);
      expect(receiver.deliveries.length).toBe(sent);
    } finally {
      await stack.close();
      await receiver?.close();
    }
  }, 30_000);

  it('an attempt with no answer within the timeout is abandoned and retried', async () => {
    const receiver = await startReceiver((_d, index) => (index === 0 ? 'hang' : 204));
    const stack = await startStack(
      { fulfillmentUrl: receiver.url, fulfillmentSecret: SECRET, fulfillmentTimeoutMs: 500, fulfillmentRetryBaseMs: 100 },
      false,
    );
    try {
      const order = await createOrder(stack.serverUrl);
      await postForm(`${stack.serverUrl}/api/pay/notify`, xwjfNotify(order));
      await until('a retry after the hung attempt', () => deliveredKeys(receiver.deliveries).has(order.outTradeNo), 5000);
      const [first, second] = receiver.deliveries;
      expect(first.key).toBe(order.outTradeNo);
      // 500 ms timeout + 100 ms backoff
      expect(second.at - first.at).toBeGreaterThanOrEqual(550);
      expect(second.at - first.at).toBeLessThan(2500);
      expect(second.raw.equals(first.raw)).toBe(true);
      await until('recorded', async () => (await storedRows(stack, 'SELECT delivered_at FROM fulfillment_outbox'))[0].delivered_at !== null, 2000);
      expect(await storedRows(stack, 'SELECT attempts FROM fulfillment_outbox')).toEqual([{ attempts: 2 }]);
    } finally {
      await stack.close();
      await receiver.close();
    }
  });

  it('a retry waits its backoff on the monotonic clock: a wall clock stepped back an hour does not delay it', async () => {
    const time = steppableClock();
    const receiver = await startReceiver((_d, index) => (index === 0 ? 503 : 200));
    const stack = await startStack(
      { clock: time.clock, fulfillmentUrl: receiver.url, fulfillmentSecret: SECRET, fulfillmentRetryBaseMs: 700 },
      false,
    );
    try {
      const order = await createOrder(stack.serverUrl);
      await postForm(`${stack.serverUrl}/api/pay/notify`, xwjfNotify(order));
      await until('the first attempt', () => receiver.deliveries.length === 1, 3000);
      time.step(-3_600_000);
      await until('the retry', () => receiver.deliveries.length === 2, 5000);
      const gap = receiver.deliveries[1].at - receiver.deliveries[0].at;
      expect(gap).toBeGreaterThanOrEqual(650);
      expect(gap).toBeLessThan(2500);
    } finally {
      await stack.close();
      await receiver.close();
    }
  });

  it('without FULFILLMENT_URL nothing is queued (development default)', async () => {
    const stack = await startStack({}, false);
    try {
      const order = await createOrder(stack.serverUrl);
      await postForm(`${stack.serverUrl}/api/pay/notify`, xwjfNotify(order));
      expect((await check(stack.serverUrl, order)).status).toBe('paid');
      expect(await storedRows(stack, 'SELECT COUNT(*) AS n FROM fulfillment_outbox')).toEqual([{ n: 0 }]);
    } finally {
      await stack.close();
    }
  });

  it('backs off exponentially up to its cap', () => {
    expect([1, 2, 3, 4, 5, 6, 60].map((attempt) => retryDelay(attempt, 1000, 10_000))).toEqual([
      1000, 2000, 4000, 8000, 10_000, 10_000, 10_000,
    ]);
  });
});

describe('a backend killed with SIGKILL during fulfilment deliveries', () => {
  it('loses none: after a restart on the same data folder every paid order reaches the receiver', async () => {
    let killAt = Infinity;
    let kill: () => void = () => undefined;
    // each answer takes 150 ms, so deliveries are in flight when the process dies
    const receiver = await startReceiver(
      (_d, index) => {
        if (index + 1 === killAt) kill();
        return 200;
      },
      { delayMs: 150 },
    );
    const data = tempDir();
    const env = {
      PORT: '0',
      DATA_DIR: data.dir,
      ...(await storeEnv()),
      FULFILLMENT_URL: receiver.url,
      FULFILLMENT_SECRET: SECRET,
      FULFILLMENT_RETRY_BASE_MS: '100',
      FULFILLMENT_TIMEOUT_MS: '2000',
    };
    let proc = spawnTs('server/main.ts', env);
    try {
      let url = (await waitForLine(proc, /server listening (http:\/\/\S+)/))[1];
      const orders: CreateOrderResponse[] = [];
      for (let i = 0; i < 60; i++) orders.push(await createOrder(url));
      const accepted = new Set<string>();
      let keysAtKill = new Set<string>();
      killAt = 15;
      kill = () => {
        keysAtKill = deliveredKeys(receiver.deliveries);
        proc.child.kill('SIGKILL');
      };
      let sent = 0;
      const worker = async (): Promise<void> => {
        while (sent < orders.length && proc.child.exitCode === null && proc.child.signalCode === null) {
          const order = orders[sent++];
          try {
            const answer = await postForm(`${url}/api/pay/notify`, xwjfNotify(order), 2000);
            if (answer.text === 'success') accepted.add(order.outTradeNo);
          } catch {
            // died with the process: the provider would retry it
          }
        }
      };
      await Promise.all(Array.from({ length: 8 }, worker));
      expect(await proc.exited).toBeNull();
      // the kill came with paid orders not yet delivered
      expect(accepted.size).toBeGreaterThan(keysAtKill.size);

      proc = spawnTs('server/main.ts', env);
      url = (await waitForLine(proc, /server listening (http:\/\/\S+)/))[1];
      // the provider retries every notify that was not answered `success`
      for (const order of orders) {
        if (!accepted.has(order.outTradeNo)) {
          expect((await postForm(`${url}/api/pay/notify`, xwjfNotify(order))).text).toBe('success');
        }
      }
      await until('every paid order delivered', () => deliveredKeys(receiver.deliveries).size === orders.length, 20_000);
      expect([...deliveredKeys(receiver.deliveries)].sort()).toEqual(orders.map((o) => o.outTradeNo).sort());
      expect(receiver.deliveries.every((d) => signatureValid(d.raw, d.signature))).toBe(true);
    } finally {
      proc.child.kill('SIGKILL');
      await proc.exited;
      await receiver.close();
      data.remove();
    }
  }, 60_000);
});

describe("the README's receiver example", () => {
  it('verifies the signature, grants once per Idempotency-Key, and answers a duplicate 2xx again', async () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const source = readme.match(/```js\n(\/\/ fulfillment-receiver\.js[\s\S]*?)```/)?.[1];
    expect(source).toBeDefined();
    const dir = tempDir('xwjf-receiver-');
    const file = path.join(dir.dir, 'fulfillment-receiver.js');
    fs.writeFileSync(file, source as string);
    const child = spawn(process.execPath, [file], {
      env: { ...process.env, FULFILLMENT_SECRET: SECRET, RECEIVER_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    let stack: Awaited<ReturnType<typeof startStack>> | undefined;
    try {
      await until('the receiver to listen', () => /receiver listening on \d+/.test(output), 10_000);
      const port = Number(/receiver listening on (\d+)/.exec(output)?.[1]);
      const url = `http://127.0.0.1:${port}/hooks/order-paid`;
      stack = await startStack({ fulfillmentUrl: url, fulfillmentSecret: SECRET }, false);
      const order = await createOrder(stack.serverUrl);
      await postForm(`${stack.serverUrl}/api/pay/notify`, xwjfNotify(order));
      await until('the grant', () => output.includes(`granted ${order.outTradeNo} vip-month x1`), 5000);
      const running = stack;
      await until('the delivery recorded', async () =>
        (await storedRows(running, 'SELECT delivered_at FROM fulfillment_outbox'))[0].delivered_at !== null, 3000);

      // the same message again (at-least-once delivery): 2xx, nothing granted twice
      const body = String((await storedRows(running, 'SELECT body FROM fulfillment_outbox'))[0].body);
      const headers = { 'idempotency-key': order.outTradeNo, 'x-signature': fulfillmentSignature(body, SECRET) };
      const again = await postBody(url, body, 'application/json', 3000, { headers });
      expect(again.status).toBe(204);
      await until('the duplicate noted', () => output.includes(`duplicate ${order.outTradeNo}`), 3000);
      expect(output.split(`granted ${order.outTradeNo}`)).toHaveLength(2);

      // a body that is not what was signed
      const forged = await postBody(url, body.replace('"quantity":1', '"quantity":9'), 'application/json', 3000, { headers });
      expect(forged.status).toBe(401);
    } finally {
      await stack?.close();
      child.kill();
      dir.remove();
    }
  }, 30_000);
});
