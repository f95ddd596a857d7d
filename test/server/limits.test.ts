// The backend held under abuse: slow and idle connections are cut, waiting checks are capped per order and in total,
// and order creation and checks are rate-limited per client (behind TRUST_PROXY, per real client).

import { EventEmitter } from 'node:events';
import net from 'node:net';
import { request, type HttpAnswer } from '../../common/http-client';
import { capConnectionsPerClient, defaultMaxConnections } from '../../common/limits';
import type { CreateOrderResponse, PayCheckResponse } from '../../typings/api';
import { check, createOrder, json, postForm, sleep, startStack, xwjfNotify } from './helpers';

interface RawConnection {
  /** everything the server sent */
  received(): string;
  /** ms after opening when the server closed the connection */
  closed: Promise<number>;
  write(text: string): void;
  destroy(): void;
}

/** A TCP connection driven byte by byte, the way a slow or idle client holds the backend's sockets. */
function rawConnection(url: string): Promise<RawConnection> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    let text = '';
    const openedAt = Date.now();
    const closed = new Promise<number>((done) => socket.once('close', () => done(Date.now() - openedAt)));
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.once('connect', () =>
      resolve({
        received: () => text,
        closed,
        write: (data) => void (socket.writable && socket.write(data)),
        destroy: () => socket.destroy(),
      }),
    );
    socket.once('error', reject);
  });
}

/** Writes `text` one character every `everyMs` until the connection closes; stops the timer either way. */
function trickle(connection: RawConnection, text: string, everyMs: number): void {
  let next = 0;
  const timer = setInterval(() => {
    if (next < text.length) connection.write(text[next++]);
  }, everyMs);
  void connection.closed.finally(() => clearInterval(timer));
}

function checkWith(
  serverUrl: string,
  order: Pick<CreateOrderResponse, 'outTradeNo' | 'orderToken'>,
  waitMs: number,
  headers: Record<string, string> = {},
): Promise<HttpAnswer> {
  return request(`${serverUrl}/api/pay/check`, {
    method: 'POST',
    contentType: 'application/json',
    body: JSON.stringify({ outTradeNo: order.outTradeNo, orderToken: order.orderToken, waitMs }),
    headers,
    timeoutMs: waitMs + 10_000,
  });
}

describe('slow and idle connections (the default limits)', () => {
  it('cuts a body sent 1 byte every 5 s, headers sent slowly, and a silent connection within 10 s, and closes idle keep-alive', async () => {
    const stack = await startStack({}, false);
    const connections: RawConnection[] = [];
    try {
      const slowBody = await rawConnection(stack.serverUrl);
      const body = JSON.stringify({ sku: 'vip-month' });
      slowBody.write(`POST /api/orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
      trickle(slowBody, body, 5_000);

      const slowHeaders = await rawConnection(stack.serverUrl);
      trickle(slowHeaders, 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n', 500);

      const silent = await rawConnection(stack.serverUrl);

      const keepAlive = await rawConnection(stack.serverUrl);
      keepAlive.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');

      connections.push(slowBody, slowHeaders, silent, keepAlive);
      const [bodyCut, headersCut, silentCut, keepAliveCut] = await Promise.all(
        connections.map((c) => Promise.race([c.closed, sleep(20_000).then(() => Infinity)])),
      );
      // 10 s request timeout, checked every second; the rest is slack for a loaded machine
      expect(bodyCut).toBeLessThan(14_000);
      expect(slowBody.received()).toMatch(/^HTTP\/1\.1 408/);
      // in the error shape of every other answer
      expect(slowBody.received()).toMatch(/\r\n\r\n\{"error":\{"code":"request_timeout","message":"The request did not arrive within 10 s; send it again"\}\}$/);
      expect(headersCut).toBeLessThan(14_000);
      expect(slowHeaders.received()).toMatch(/^HTTP\/1\.1 408/);
      expect(silentCut).toBeLessThan(14_000);
      // the keep-alive connection got its answer, then was closed for idling (5 s, plus Node's 1 s of grace)
      expect(keepAlive.received()).toMatch(/^HTTP\/1\.1 200/);
      expect(keepAliveCut).toBeLessThan(9_000);
      // a slow client leaves no order behind
      expect(json<{ ok: boolean }>(await request(`${stack.serverUrl}/healthz`))).toEqual({ ok: true });
    } finally {
      for (const connection of connections) connection.destroy();
      await stack.close();
    }
  }, 30_000);

  it('answers what is not HTTP in the error shape of every other answer, and closes the connection', async () => {
    const stack = await startStack({}, false);
    try {
      const garbage = await rawConnection(stack.serverUrl);
      garbage.write('HELLO THERE\r\n\r\n');
      await garbage.closed;
      expect(garbage.received()).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
      expect(garbage.received()).toMatch(/\r\n\r\n\{"error":\{"code":"bad_request","message":"The request is not valid HTTP"\}\}$/);
    } finally {
      await stack.close();
    }
  });

  it('does not cut a waiting check: its request has arrived, only its answer waits', async () => {
    const stack = await startStack({ limits: { requestTimeoutMs: 1_000, keepAliveTimeoutMs: 1_000 } }, false);
    try {
      const order = await createOrder(stack.serverUrl);
      const sentAt = Date.now();
      const status = await check(stack.serverUrl, order, { waitMs: 3_500 });
      expect(status.status).toBe('pending');
      expect(Date.now() - sentAt).toBeGreaterThanOrEqual(3_400);
    } finally {
      await stack.close();
    }
  }, 20_000);
});

describe('the connection caps', () => {
  it('closes connections past MAX_CONNECTIONS as they arrive, and takes new ones once others left', async () => {
    const stack = await startStack({ limits: { maxConnections: 3 } }, false);
    const held: RawConnection[] = [];
    try {
      for (let i = 0; i < 3; i++) held.push(await rawConnection(stack.serverUrl));
      await sleep(200);
      const extra = await rawConnection(stack.serverUrl);
      held.push(extra);
      expect(await Promise.race([extra.closed, sleep(3_000).then(() => Infinity)])).toBeLessThan(3_000);
      held[0].destroy();
      await held[0].closed;
      await sleep(200);
      expect((await request(`${stack.serverUrl}/healthz`)).status).toBe(200);
    } finally {
      for (const connection of held) connection.destroy();
      await stack.close();
    }
  });

  it('closes connections past MAX_CONNECTIONS_PER_CLIENT from one address, unless the address is a trusted proxy', async () => {
    const limits = { maxConnectionsPerClient: 3 };
    for (const trustProxy of [false, ['127.0.0.1']]) {
      const stack = await startStack({ limits, trustProxy }, false);
      const held: RawConnection[] = [];
      try {
        for (let i = 0; i < 4; i++) held.push(await rawConnection(stack.serverUrl));
        const fourth = await Promise.race([held[3].closed, sleep(1_500).then(() => Infinity)]);
        if (trustProxy) {
          // the proxy speaks for many clients: all of its connections are taken
          expect(fourth).toBe(Infinity);
        } else {
          expect(fourth).toBeLessThan(1_500);
          held[0].destroy();
          await held[0].closed;
          await sleep(100);
          // a freed slot is taken again
          expect((await request(`${stack.serverUrl}/healthz`)).status).toBe(200);
        }
      } finally {
        for (const connection of held) connection.destroy();
        await stack.close();
      }
    }
  });

  it('counts an IPv6 /64 as one client, as the rate limits do, and each IPv4 address apart (also IPv4-mapped)', () => {
    const server = net.createServer();
    capConnectionsPerClient(server, 2);
    const arrive = (remoteAddress: string): { destroyed: boolean } => {
      const socket = Object.assign(new EventEmitter(), {
        remoteAddress,
        destroyed: false,
        destroy() {
          this.destroyed = true;
        },
      });
      server.emit('connection', socket);
      return socket;
    };
    // one subscriber's /64: the third connection is closed, whichever address in it it comes from
    expect([arrive('2001:db8::1'), arrive('2001:db8::2'), arrive('2001:db8::ffff:3')].map((s) => s.destroyed)).toEqual([false, false, true]);
    // another /64 is another client
    expect(arrive('2001:db8:0:1::1').destroyed).toBe(false);
    // IPv4 clients of a dual-stack listener are not lumped into one IPv6 prefix
    expect([arrive('::ffff:192.0.2.1'), arrive('::ffff:192.0.2.2'), arrive('192.0.2.1')].map((s) => s.destroyed)).toEqual([false, false, false]);
    expect(arrive('::ffff:192.0.2.1').destroyed).toBe(true);
  });

  it('defaults to nine tenths of the open-files limit, keeping the rest for the database', () => {
    expect(defaultMaxConnections(20_000)).toBe(18_000);
    expect(defaultMaxConnections(1_024)).toBe(921);
    expect(defaultMaxConnections(null)).toBe(0);
  });
});

describe('waiting checks are capped', () => {
  it('holds at most MAX_WAITING_CHECKS_PER_ORDER on one order; the others answer at once with the current status', async () => {
    const stack = await startStack({ maxWaitingChecksPerOrder: 2 }, false);
    try {
      const order = await createOrder(stack.serverUrl);
      const sentAt = Date.now();
      const checks = Array.from({ length: 6 }, () =>
        check(stack.serverUrl, order, { waitMs: 20_000 }).then((answer) => ({ answer, after: Date.now() - sentAt })),
      );
      await sleep(1_500);
      const notify = await postForm(`${stack.serverUrl}/api/pay/notify`, xwjfNotify(order));
      expect(notify.text).toBe('success');
      const answers = await Promise.all(checks);
      const atOnce = answers.filter((a) => a.answer.status === 'pending');
      const held = answers.filter((a) => a.answer.status === 'paid');
      expect(held).toHaveLength(2);
      expect(atOnce).toHaveLength(4);
      for (const a of atOnce) expect(a.after).toBeLessThan(1_500);
      for (const a of held) expect(a.after).toBeGreaterThanOrEqual(1_400);
      // the slots came back: a new check waits again
      const other = await createOrder(stack.serverUrl);
      const again = check(stack.serverUrl, other, { waitMs: 20_000 });
      await sleep(500);
      await postForm(`${stack.serverUrl}/api/pay/notify`, xwjfNotify(other));
      expect((await again).status).toBe('paid');
    } finally {
      await stack.close();
    }
  }, 30_000);

  it('holds at most MAX_WAITING_CHECKS in all; past it a check answers at once, and a freed slot is used again', async () => {
    const stack = await startStack({ maxWaitingChecks: 3 }, false);
    try {
      const orders: CreateOrderResponse[] = [];
      for (let i = 0; i < 5; i++) orders.push(await createOrder(stack.serverUrl));
      const waits = orders.slice(0, 3).map((order) => check(stack.serverUrl, order, { waitMs: 20_000 }));
      await sleep(500);
      for (const order of orders.slice(3)) {
        const sentAt = Date.now();
        expect((await check(stack.serverUrl, order, { waitMs: 20_000 })).status).toBe('pending');
        expect(Date.now() - sentAt).toBeLessThan(1_500);
      }
      await postForm(`${stack.serverUrl}/api/pay/notify`, xwjfNotify(orders[0]));
      expect((await waits[0]).status).toBe('paid');
      const freed = check(stack.serverUrl, orders[3], { waitMs: 20_000 });
      await sleep(500);
      await postForm(`${stack.serverUrl}/api/pay/notify`, xwjfNotify(orders[3]));
      expect((await freed).status).toBe('paid');
      for (const order of [orders[1], orders[2]]) await postForm(`${stack.serverUrl}/api/pay/notify`, xwjfNotify(order));
      for (const wait of waits.slice(1)) expect((await wait).status).toBe('paid');
    } finally {
      await stack.close();
    }
  }, 30_000);
});

describe('rate limits per client', () => {
  const PROXY_CLIENT_A = { 'x-forwarded-for': '203.0.113.7' };
  const PROXY_CLIENT_B = { 'x-forwarded-for': '198.51.100.23' };

  it('behind TRUST_PROXY counts checks and orders per real client (X-Forwarded-For), not per proxy', async () => {
    const stack = await startStack({ trustProxy: ['127.0.0.1'], checkRateLimitPerMinute: 3, orderRateLimitPerMinute: 2 }, false);
    try {
      const order = await createOrder(stack.serverUrl);
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await checkWith(stack.serverUrl, order, 0, PROXY_CLIENT_A)).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const limited = await checkWith(stack.serverUrl, order, 0, PROXY_CLIENT_A);
      expect(json(limited)).toEqual({
        error: { code: 'rate_limited', message: expect.stringMatching(/^Too many checks from this address \(limit 3 per minute\); retry in \d+ s$/) },
      });
      // another client behind the same proxy has its own budget
      expect(json<PayCheckResponse>(await checkWith(stack.serverUrl, order, 0, PROXY_CLIENT_B)).status).toBe('pending');

      const createAs = (headers: Record<string, string>) =>
        request(`${stack.serverUrl}/api/orders`, { method: 'POST', contentType: 'application/json', body: '{"sku":"vip-month"}', headers });
      // the first order above came without X-Forwarded-For: it counted for the proxy itself
      expect((await createAs(PROXY_CLIENT_A)).status).toBe(201);
      expect((await createAs(PROXY_CLIENT_A)).status).toBe(201);
      const third = await createAs(PROXY_CLIENT_A);
      expect(third.status).toBe(429);
      expect(json(third)).toHaveProperty('error.message', expect.stringMatching(/^Too many orders from this address/));
      expect((await createAs(PROXY_CLIENT_B)).status).toBe(201);
    } finally {
      await stack.close();
    }
  });

  it('without TRUST_PROXY ignores X-Forwarded-For: a client cannot dodge its limit by naming others', async () => {
    const stack = await startStack({ checkRateLimitPerMinute: 3 }, false);
    try {
      const order = await createOrder(stack.serverUrl);
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        statuses.push((await checkWith(stack.serverUrl, order, 0, { 'x-forwarded-for': `192.0.2.${i}` })).status);
      }
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
    } finally {
      await stack.close();
    }
  });
});
