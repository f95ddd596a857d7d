// Several instances on PostgreSQL (issue 11). A throwaway cluster with production durability (fsync and
// synchronous_commit on), backend instances in child processes (bench/lib/capacity-server.ts with DATABASE_URL),
// load from this process, all on the same machine:
// - a notify accepted by one instance -> the check waiting on the other answers: median, p95 (one order at a time);
// - checks/s and notifies/s with one instance and with two (the same total load split over both);
// - N waiting checks spread over two instances, all woken through LISTEN/NOTIFY by payments made by a third.
//
//   npm run bench:postgres [-- --quick] [--waiting-checks N]     (writes `postgres` into bench/results/latest.json)
//
// Exported as measurePostgres() for bench/run.ts.

import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { PostgresStore } from '../server/store/postgres/store';
import { startPgCluster } from '../test/fixtures/pg-cluster';
import type { CreateOrderResponse } from '../typings/api';
import { startBackendChild, type BackendChild } from './lib/backend-child';
import { createOrders, measureChecks, measureNotifies, warmUp } from './lib/capacity';
import { postWith } from './lib/http';
import { paidNotifyBody } from './lib/notify';
import { round, sleep, spread, type Spread } from './lib/stats';

export interface PostgresBenchOptions {
  checkSeconds: number;
  /** autocannon connections in total, split evenly over the instances */
  connections: number;
  notifies: number;
  latencyOrders: number;
  waitingChecks: number;
}

interface Throughput {
  checksPerSecond: number;
  notifiesPerSecond: number;
  checkP99Ms: number;
  notifyP99Ms: number;
  errors: number;
}

export interface PostgresResult {
  postgres: string;
  durability: string;
  notifyToOtherInstance: { orders: number; notifyAcceptedToCheckMs: Spread; notifySentToCheckMs: Spread };
  /** the same load on one instance with the embedded SQLite store, in the same run: the baseline under today's load */
  sqliteOneInstance: Throughput;
  oneInstance: Throughput;
  twoInstances: Throughput;
  waitingChecks: {
    asked: number;
    held: number;
    wokenPaid: number;
    /** checks whose 30 s wait ran out before their notify came, asked again as the mini program does */
    reasked: number;
    failed: number;
    /** what failed for good, by reason (none expected) */
    failures: Record<string, number>;
    /** checks asked again after an error answer (a loaded instance's 503, a reset connection), by reason */
    retriedAfterError: Record<string, number>;
    /** paid transitions per second from the third instance */
    paymentsPerSecond: number;
    firstPaymentToLastAnswerMs: number;
    /** per order: its paid transition committed -> the held check's answer (from instance A or B) */
    paidToCheckMs: Spread;
  };
  connections: number;
  /** 1-minute load average of the machine at the start and the end (the figures are only as quiet as the machine) */
  loadAverage: { start: number; end: number };
  wallSeconds: number;
}

const checkBody = (order: CreateOrderResponse, waitMs: number): string =>
  JSON.stringify({ outTradeNo: order.outTradeNo, orderToken: order.orderToken, waitMs });

async function notifyToOtherInstance(a: BackendChild, b: BackendChild, orders: number): Promise<PostgresResult['notifyToOtherInstance']> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  const accepted: number[] = [];
  const sent: number[] = [];
  try {
    for (let i = 0; i < orders; i++) {
      // alternate the direction: notify on A with the check on B, then the other way round
      const [notified, waiting] = i % 2 ? [b, a] : [a, b];
      const [order] = await createOrders(notified.url, 1);
      let answeredAt = 0;
      const check = postWith(agent, `${waiting.url}/api/pay/check`, checkBody(order, 10_000), 'application/json').then((answer) => {
        answeredAt = performance.now();
        return JSON.parse(answer.text) as { status: string };
      });
      await sleep(20); // let the check reach its wait on the other instance
      const sentAt = performance.now();
      const answer = await postWith(agent, `${notified.url}/api/pay/notify`, paidNotifyBody(order, `PG${i}`, `T${i}`), 'application/x-www-form-urlencoded');
      const acceptedAt = performance.now();
      if (answer.text !== 'success') throw new Error(`notify ${i} answered ${answer.status} ${answer.text}`);
      const status = await check;
      if (status.status !== 'paid') throw new Error(`check ${i} on the other instance answered ${status.status}, expected paid`);
      accepted.push(answeredAt - acceptedAt);
      sent.push(answeredAt - sentAt);
    }
  } finally {
    agent.destroy();
  }
  return { orders, notifyAcceptedToCheckMs: spread(accepted), notifySentToCheckMs: spread(sent) };
}

/** The same load (checks, then notifies) spread evenly over `instances`, each with its share of the connections. */
async function throughput(instances: BackendChild[], options: PostgresBenchOptions): Promise<Throughput> {
  const perInstance = Math.max(1, Math.round(options.connections / instances.length));
  const checkOrders = await createOrders(instances[0].url, 1000);
  await warmUp(instances[0].url, checkOrders);
  const checks = await Promise.all(instances.map((child) => measureChecks(child.url, checkOrders, options.checkSeconds, perInstance)));
  const notifyOrders = await createOrders(instances[0].url, options.notifies);
  const share = Math.ceil(notifyOrders.length / instances.length);
  const notifies = await Promise.all(
    instances.map((child, i) => measureNotifies(child.url, notifyOrders.slice(i * share, (i + 1) * share), perInstance)),
  );
  const acceptedTotal = notifies.reduce((sum, n) => sum + n.accepted, 0);
  const longest = Math.max(...notifies.map((n) => n.duration));
  return {
    checksPerSecond: round(checks.reduce((sum, c) => sum + c.requests.average, 0), 0),
    notifiesPerSecond: round(acceptedTotal / longest, 0),
    checkP99Ms: Math.max(...checks.map((c) => c.latency.p99)),
    notifyP99Ms: Math.max(...notifies.map((n) => n.latency.p99)),
    errors:
      checks.reduce((sum, c) => sum + c.errors + c.timeouts + c.non2xx, 0) +
      notifies.reduce((sum, n) => sum + n.errors + n.timeouts + n.non2xx + (n.amountOfBodies - n.accepted), 0),
  };
}

async function wakeMany(a: BackendChild, b: BackendChild, databaseUrl: string, count: number, log: (line: string) => void): Promise<PostgresResult['waitingChecks']> {
  const instances = [a, b];
  log(`  waiting checks: creating ${count} orders over both instances`);
  const halves = await Promise.all([createOrders(a.url, Math.ceil(count / 2)), createOrders(b.url, Math.floor(count / 2))]);
  const orders = [...halves[0], ...halves[1]];
  const holdAgent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  const answeredAt = new Map<string, number>();
  let wokenPaid = 0;
  let reasked = 0;
  let failed = 0;
  const failures: Record<string, number> = {};
  const retriedAfterError: Record<string, number> = {};
  const fail = (reason: string): void => {
    failed++;
    failures[reason] = (failures[reason] ?? 0) + 1;
  };

  const hold = (order: CreateOrderResponse, child: BackendChild): void => {
    postWith(holdAgent, `${child.url}/api/pay/check`, checkBody(order, 30_000), 'application/json').then(
      (answer) => {
        const status = answer.status === 200 ? (JSON.parse(answer.text) as { status: string }).status : `HTTP ${answer.status}`;
        if (status === 'paid') {
          answeredAt.set(order.outTradeNo, performance.now());
          wokenPaid++;
        } else if (status === 'pending') {
          reasked++;
          hold(order, child);
        } else if (status === 'HTTP 503') {
          askAgainLater(order, child, 'check answered 503');
        } else {
          fail(`check answered ${status}`);
        }
      },
      (error: NodeJS.ErrnoException) =>
        error.code === 'ECONNRESET' ? askAgainLater(order, child, 'check ECONNRESET') : fail(`check ${error.code ?? error.message}`),
    );
  };
  // as the mini program's confirmer does after an error: ask again after a short randomised backoff
  const askAgainLater = (order: CreateOrderResponse, child: BackendChild, reason: string): void => {
    retriedAfterError[reason] = (retriedAfterError[reason] ?? 0) + 1;
    setTimeout(() => hold(order, child), 250 + Math.random() * 750);
  };
  // the checks of order i wait on instance i % 2; paced so the listen backlogs do not overflow
  log(`  waiting checks: holding ${orders.length} checks, half on each instance`);
  // the servers' count of unanswered requests; autocannon leaves a few behind when it stops mid-request
  const inFlight = async (): Promise<number> => (await Promise.all(instances.map((c) => c.stats()))).reduce((s, x) => s + x.inFlight, 0);
  const baseline = await inFlight();
  const servers = async (): Promise<number> => Math.min(orders.length, (await inFlight()) - baseline);
  let held = 0;
  for (let i = 0; i < orders.length; i++) {
    while (i - held >= 200) {
      await sleep(20);
      held = await servers();
    }
    hold(orders[i], instances[i % 2]);
  }
  const holdDeadline = Date.now() + 60_000;
  while (held < orders.length - failed && Date.now() < holdDeadline) {
    await sleep(100);
    held = await servers();
  }

  // The payments come from a third instance's store: the transaction a notify makes once its sign is checked, with
  // its pg_notify, but without the HTTP in front, so that 10,000 of them land within the checks' 30 s wait on this
  // machine and the figure is the wake-up fan-out (notify throughput over HTTP is measured above).
  log(`  waiting checks: ${held} held; paying every order from a third instance's store`);
  const payer = await PostgresStore.open({
    settings: { url: databaseUrl, poolMax: 20, statementTimeoutMs: 30_000, connectTimeoutMs: 30_000 },
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
  });
  const paidAt = new Map<string, number>();
  const started = performance.now();
  let next = 0;
  try {
    await Promise.all(
      Array.from({ length: 40 }, async () => {
        while (next < orders.length) {
          const order = orders[next++];
          try {
            await payer.markPaid(
              {
                outTradeNo: order.outTradeNo,
                providerOrderId: `PG-${order.outTradeNo}`,
                transactionId: null,
                openid: null,
                at: Date.now(),
                source: 'notify',
                fields: { bench: true },
              },
              { fulfillment: false },
            );
            paidAt.set(order.outTradeNo, performance.now());
          } catch (error) {
            fail(`payment ${(error as Error).message.slice(0, 80)}`);
          }
        }
      }),
    );
  } finally {
    await payer.close();
  }
  const paymentsDone = performance.now();
  const answerDeadline = Date.now() + 60_000;
  while (wokenPaid + failed < orders.length && Date.now() < answerDeadline) await sleep(20);
  const lastAnswer = Math.max(...answeredAt.values());
  holdAgent.destroy();
  const lags = orders
    .filter((o) => answeredAt.has(o.outTradeNo) && paidAt.has(o.outTradeNo))
    .map((o) => (answeredAt.get(o.outTradeNo) as number) - (paidAt.get(o.outTradeNo) as number));
  return {
    asked: orders.length,
    held,
    wokenPaid,
    reasked,
    failed,
    failures,
    retriedAfterError,
    paymentsPerSecond: round(paidAt.size / ((paymentsDone - started) / 1000), 0),
    firstPaymentToLastAnswerMs: round(lastAnswer - started, 0),
    paidToCheckMs: spread(lags),
  };
}

export async function measurePostgres(options: PostgresBenchOptions, log: (line: string) => void): Promise<PostgresResult> {
  const started = Date.now();
  const loadAtStart = round(os.loadavg()[0], 1);
  const cluster = await startPgCluster({ durable: true, database: 'bench_one' });
  const children: BackendChild[] = [];
  try {
    const version = fs.readFileSync(path.join(cluster.dir, 'data', 'PG_VERSION'), 'utf8').trim();
    log(`  PostgreSQL ${version} (throwaway cluster, fsync and synchronous_commit on), instances in child processes`);

    log(`  one instance on SQLite (baseline): ${options.checkSeconds} s of checks, ${options.notifies} notifies, ${options.connections} connections`);
    const sqlite = await startBackendChild();
    children.push(sqlite);
    const sqliteOneInstance = await throughput([sqlite], options);
    await sqlite.close();
    children.length = 0;

    log(`  one instance on PostgreSQL: the same load`);
    const one = await startBackendChild({ databaseUrl: cluster.url });
    children.push(one);
    const oneInstance = await throughput([one], options);
    await one.close();
    children.length = 0;

    const twoUrl = await cluster.createDatabase('bench_two');
    const [a, b] = await Promise.all([startBackendChild({ databaseUrl: twoUrl }), startBackendChild({ databaseUrl: twoUrl })]);
    children.push(a, b);
    log(`  two instances: the same load split over both`);
    const twoInstances = await throughput([a, b], options);
    log(`  notify on one instance -> check waiting on the other: ${options.latencyOrders} orders, one at a time`);
    const latency = await notifyToOtherInstance(a, b, options.latencyOrders);
    const waiting = await wakeMany(a, b, twoUrl, options.waitingChecks, log);
    return {
      postgres: version,
      durability: 'fsync=on, synchronous_commit=on (PostgreSQL defaults)',
      notifyToOtherInstance: latency,
      sqliteOneInstance,
      oneInstance,
      twoInstances,
      waitingChecks: waiting,
      connections: options.connections,
      loadAverage: { start: loadAtStart, end: round(os.loadavg()[0], 1) },
      wallSeconds: Math.round((Date.now() - started) / 1000),
    };
  } finally {
    await Promise.all(children.map((child) => child.close()));
    await cluster.stop();
  }
}

export function printPostgres(result: PostgresResult, log: (line: string) => void): void {
  const l = result.notifyToOtherInstance;
  const w = result.waitingChecks;
  log(`  notify accepted on one instance -> check waiting on the other answered (${l.orders} orders): median ${l.notifyAcceptedToCheckMs.median} ms, p95 ${l.notifyAcceptedToCheckMs.p95} ms, max ${l.notifyAcceptedToCheckMs.max} ms`);
  log(`  (from the notify being sent: median ${l.notifySentToCheckMs.median} ms, p95 ${l.notifySentToCheckMs.p95} ms)`);
  for (const [name, r] of [
    ['SQLite, one instance     ', result.sqliteOneInstance],
    ['PostgreSQL, one instance ', result.oneInstance],
    ['PostgreSQL, two instances', result.twoInstances],
  ] as const) {
    log(`  ${name}: ${r.checksPerSecond} checks/s (p99 ${r.checkP99Ms} ms), ${r.notifiesPerSecond} notifies/s (p99 ${r.notifyP99Ms} ms), errors ${r.errors}`);
  }
  log(`  ${w.held} of ${w.asked} waiting checks held over two instances; ${w.wokenPaid} answered paid, each woken through LISTEN/NOTIFY by a payment from a third instance (${w.paymentsPerSecond} payments/s); ${w.reasked} asked again after 30 s, ${JSON.stringify(w.retriedAfterError)} asked again after an error, ${w.failed} failed ${JSON.stringify(w.failures)}`);
  log(`  machine load average (1 min): ${result.loadAverage.start} at the start, ${result.loadAverage.end} at the end, ${os.cpus().length} cores`);
  log(`  first payment -> last check answered: ${w.firstPaymentToLastAnswerMs} ms; per order paid -> check answered: median ${w.paidToCheckMs.median} ms, p95 ${w.paidToCheckMs.p95} ms, max ${w.paidToCheckMs.max} ms`);
}

/** Puts `postgres` into an existing latest.json (or a new one), leaving the other parts as they are. */
export function writePostgres(result: PostgresResult, file: string): void {
  const existing = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify({ ...existing, postgres: { ...result, date: new Date().toISOString(), machine: { cores: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'unknown', node: process.version } } }, null, 2)}\n`);
}

// run directly, or through scripts/run-ts.js (npm run bench:postgres), which puts this file in argv[1]
if (require.main === module || process.argv[1] === __filename) {
  const argv = process.argv.slice(2);
  const quick = argv.includes('--quick');
  const at = argv.indexOf('--waiting-checks');
  const waitingChecks = at >= 0 ? Number(argv[at + 1]) : quick ? 1_000 : 10_000;
  if (!Number.isInteger(waitingChecks) || waitingChecks < 2) {
    console.error('--waiting-checks must be an integer >= 2');
    process.exit(2);
  }
  const out = path.join(__dirname, 'results', 'latest.json');
  console.log('PostgreSQL, several instances:');
  measurePostgres(
    { checkSeconds: quick ? 2 : 10, connections: 50, notifies: quick ? 300 : 3_000, latencyOrders: quick ? 30 : 200, waitingChecks },
    (line) => console.log(line),
  ).then(
    (result) => {
      printPostgres(result, (line) => console.log(line));
      writePostgres(result, out);
      console.log(`\nwrote postgres into ${path.relative(process.cwd(), out)} (${result.wallSeconds} s)`);
    },
    (error: Error) => {
      console.error(`benchmark failed: ${error.stack ?? error.message}`);
      process.exit(1);
    },
  );
}
