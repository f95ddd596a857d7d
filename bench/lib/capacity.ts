// Backend capacity on this machine, the backend in a child process (backend-child.ts), load from this one:
// - checks answered per second: autocannon, non-waiting checks (waitMs 0) of pending orders, keep-alive connections;
// - memory of N concurrent waiting checks: RSS and heap of the backend before and while N long-poll checks of N
//   distinct orders are held (raw node:http, one socket each, agent maxSockets Infinity);
// - notifies accepted per second: autocannon, signed 小微聚付 notifies, each for a distinct pending order.
import http from 'node:http';
import autocannon from 'autocannon';
import { openFilesLimit } from '../../common/limits';
import type { CreateOrderResponse } from '../../typings/api';
import { startBackendChild, type BackendChild } from './backend-child';
import { postWith } from './http';
import { paidNotifyBody } from './notify';
import { round, sleep } from './stats';

export interface CapacityOptions {
  /** seconds of autocannon load for the check figure */
  checkSeconds: number;
  connections: number;
  waitingChecks: number;
  notifies: number;
}

export interface CapacityResult {
  checksPerSecond: number;
  checkLatencyP50Ms: number;
  checkLatencyP99Ms: number;
  checkErrors: number;
  /** an order's first check records "the user came back": one commit each, 16 concurrent clients */
  firstChecksPerSecond: number;
  waitingChecks: {
    asked: number;
    /** held at the server when measured (its count of unanswered requests) */
    held: number;
    /** checks that failed, by error code (none expected) */
    failed: Record<string, number>;
    /** checks answered before the measurement (none expected: nothing pays these orders) */
    answeredEarly: number;
    rssBeforeMB: number;
    rssDeltaMB: number;
    heapDeltaMB: number;
    bytesPerCheck: number;
    heapBytesPerCheck: number;
    openFilesLimit: number | null;
  };
  notifiesPerSecond: number;
  notifyLatencyP50Ms: number;
  notifyLatencyP99Ms: number;
  notifyErrors: number;
  ordersCreatedPerSecond: number;
  connections: number;
}

const postJsonWith = (agent: http.Agent, url: string, value: unknown): Promise<{ status: number; text: string }> =>
  postWith(agent, url, JSON.stringify(value), 'application/json');

/** Creates `count` orders, 16 at a time over keep-alive connections. */
export async function createOrders(url: string, count: number): Promise<CreateOrderResponse[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const orders: CreateOrderResponse[] = [];
  let next = 0;
  try {
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < count) {
          next++;
          const answer = await postJsonWith(agent, `${url}/api/orders`, { sku: 'vip-month' });
          if (answer.status !== 201) throw new Error(`POST /api/orders answered ${answer.status}: ${answer.text.slice(0, 200)}`);
          orders.push(JSON.parse(answer.text) as CreateOrderResponse);
        }
      }),
    );
  } finally {
    agent.destroy();
  }
  return orders;
}

export async function warmUp(url: string, orders: CreateOrderResponse[]): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  let next = 0;
  try {
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < orders.length) {
          const order = orders[next++];
          const answer = await postJsonWith(agent, `${url}/api/pay/check`, { outTradeNo: order.outTradeNo, orderToken: order.orderToken });
          if (answer.status !== 200) throw new Error(`POST /api/pay/check answered ${answer.status}: ${answer.text.slice(0, 200)}`);
        }
      }),
    );
  } finally {
    agent.destroy();
  }
}

export async function measureChecks(url: string, orders: CreateOrderResponse[], seconds: number, connections: number) {
  const bodies = orders.map((o) => JSON.stringify({ outTradeNo: o.outTradeNo, orderToken: o.orderToken, waitMs: 0 }));
  let next = 0;
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        path: '/api/pay/check',
        headers: { 'content-type': 'application/json' },
        setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length] }),
      },
    ],
  });
  return result;
}

async function measureWaiting(child: BackendChild, orders: CreateOrderResponse[]): Promise<CapacityResult['waitingChecks']> {
  const before = await child.stats(true);
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  const requests: http.ClientRequest[] = [];
  const failures = new Map<string, number>();
  let answeredEarly = 0;
  let held = 0;
  const deadline = Date.now() + 180_000;
  for (let i = 0; i < orders.length && Date.now() < deadline; i++) {
    // Pace to the backend: each first check is a commit (~2 ms here), and while it commits the backend does not
    // accept connections; thousands of SYNs at once overflow the listen backlog and get reset.
    while (requests.length - held - answeredEarly - sum(failures) >= 200 && Date.now() < deadline) {
      await sleep(20);
      held = (await child.stats()).inFlight;
    }
    const body = JSON.stringify({ outTradeNo: orders[i].outTradeNo, orderToken: orders[i].orderToken, waitMs: 30_000 });
    const req = http.request(`${child.url}/api/pay/check`, {
      method: 'POST',
      agent,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    });
    req.on('response', (res) => {
      answeredEarly++;
      res.resume();
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? error.message;
      failures.set(code, (failures.get(code) ?? 0) + 1);
    });
    req.end(body);
    requests.push(req);
  }
  while (held + answeredEarly + sum(failures) < requests.length && Date.now() < deadline) {
    await sleep(100);
    held = (await child.stats()).inFlight;
  }
  await sleep(500);
  const during = await child.stats(true);
  held = during.inFlight;
  for (const req of requests) req.destroy();
  agent.destroy();
  const mb = (bytes: number): number => round(bytes / 1024 / 1024, 1);
  return {
    asked: orders.length,
    held,
    failed: Object.fromEntries(failures),
    answeredEarly,
    rssBeforeMB: mb(before.rss),
    rssDeltaMB: mb(during.rss - before.rss),
    heapDeltaMB: mb(during.heapUsed - before.heapUsed),
    bytesPerCheck: Math.round((during.rss - before.rss) / Math.max(1, held)),
    heapBytesPerCheck: Math.round((during.heapUsed - before.heapUsed) / Math.max(1, held)),
    openFilesLimit: openFilesLimit(),
  };
}

const sum = (counts: Map<string, number>): number => [...counts.values()].reduce((a, b) => a + b, 0);

export async function measureNotifies(url: string, orders: CreateOrderResponse[], connections: number) {
  const bodies = orders.map((order, i) => paidNotifyBody(order, `BENCH${i}`, `T${i}`));
  let next = 0;
  let accepted = 0;
  // autocannon ends an `amount` run at its next 1 s sample, so its own duration is rounded up to whole seconds (3,000
  // notifies done in 3.2 s read as 4.01 s); the rate is taken from the start to the last answer instead.
  const startedAt = performance.now();
  let lastAnswerAt = startedAt;
  const result = await autocannon({
    url,
    connections,
    amount: bodies.length,
    requests: [
      {
        method: 'POST',
        path: '/api/pay/notify',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length] }),
        onResponse: (status, body) => {
          lastAnswerAt = performance.now();
          if (status === 200 && body === 'success') accepted++;
        },
      },
    ],
  });
  return { ...result, duration: (lastAnswerAt - startedAt) / 1000, accepted, amountOfBodies: bodies.length };
}

export async function measureCapacity(options: CapacityOptions, log: (line: string) => void): Promise<CapacityResult> {
  // every waiting check is to be held: the cap is the number asked for
  const child = await startBackendChild({ maxWaitingChecks: options.waitingChecks });
  try {
    const t0 = Date.now();
    const checkOrders = await createOrders(child.url, 1000);
    const ordersCreatedPerSecond = round(1000 / ((Date.now() - t0) / 1000), 0);
    log(`  checks: ${options.checkSeconds} s of autocannon, ${options.connections} connections, waitMs 0 over 1000 pending orders`);
    // every order's first check is a commit (it records "the user came back"); polling clients repeat checks, so
    // the figure is taken after one check of each order
    const t1 = Date.now();
    await warmUp(child.url, checkOrders);
    const firstChecksPerSecond = round(checkOrders.length / ((Date.now() - t1) / 1000), 0);
    const checks = await measureChecks(child.url, checkOrders, options.checkSeconds, options.connections);

    log(`  waiting checks: creating ${options.waitingChecks} orders (${ordersCreatedPerSecond}/s), then holding one check each`);
    const waitingOrders = await createOrders(child.url, options.waitingChecks);
    const waitingChecks = await measureWaiting(child, waitingOrders);

    log(`  notifies: ${options.notifies} signed notifies for distinct orders`);
    const notifyOrders = await createOrders(child.url, options.notifies);
    const notifies = await measureNotifies(child.url, notifyOrders, options.connections);
    const notifyErrors = notifies.errors + notifies.timeouts + notifies.non2xx + (notifies.amountOfBodies - notifies.accepted);
    return {
      checksPerSecond: round(checks.requests.average, 0),
      checkLatencyP50Ms: checks.latency.p50,
      checkLatencyP99Ms: checks.latency.p99,
      checkErrors: checks.errors + checks.timeouts + checks.non2xx,
      firstChecksPerSecond,
      waitingChecks,
      notifiesPerSecond: round(notifies.accepted / notifies.duration, 0),
      notifyLatencyP50Ms: notifies.latency.p50,
      notifyLatencyP99Ms: notifies.latency.p99,
      notifyErrors,
      ordersCreatedPerSecond,
      connections: options.connections,
    };
  } finally {
    await child.close();
  }
}
