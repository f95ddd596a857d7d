// npm run bench:stress [-- --connections N] [--reconnect-per-second N] [--checks N] [--seconds N] [--out FILE]
//
// The backend held under abuse, alone in a child process; the attacks come from another child process
// (bench/lib/attacker.ts) and the measuring client is this one, all on 127.0.0.1: one client address.
//
// 1. Slow and idle connections: one client tries to hold N (default 10,000): a third silent, a third sending their
//    headers a byte every 2 s, a third their body a byte every 2 s; every one the backend closes is opened again (at
//    most 2,000 a second). Meanwhile /healthz and a signed notify (each for another pending order) are timed on fresh
//    connections 4 times a second, from another loopback address (127.0.0.2: the provider and the other users are not
//    the attacking client). With the backend's defaults: its per-address connection cap turns most away.
// 2. The same with the per-address cap lifted, as if the connections came from many addresses: all N are held, and
//    only the request timeout, the keep-alive timeout and the global cap stand.
// 3. Checks on one order: N (default 20,000) checks with waitMs 30000 on one order through 2,000 keep-alive
//    connections; the backend's count of held checks is sampled every 50 ms; then a notify pays the order. With the
//    rate limits and the per-address cap lifted: the waiting-check caps alone.
// 4. The same with the backend's defaults.
//
// Prints the figures and writes them into bench/results/latest.json under `stress` (the other keys are kept).
// Figures on a shared machine follow its load: the backend's CPU use, its longest event-loop block and the load
// average are printed with them.
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { request, type HttpAnswer, type RequestOptions } from '../common/http-client';
import { DEFAULT_CONNECTION_LIMITS, openFilesLimit } from '../common/limits';
import { DEFAULT_LIMITS } from '../server/config';
import type { ServerOptions } from '../server';
import type { CreateOrderResponse } from '../typings/api';
import type { AttackStats } from './lib/attacker';
import { startBackendChild, type BackendChild } from './lib/backend-child';
import { paidNotifyFields } from './lib/notify';
import { percentiles, round, sleep, type Percentiles } from './lib/stats';

interface Args {
  connections: number;
  reconnectPerSecond: number;
  checks: number;
  seconds: number;
  out: string;
}

function parseArgs(argv: string[]): Args {
  const known = new Set(['--connections', '--reconnect-per-second', '--checks', '--seconds', '--out']);
  for (const arg of argv) {
    if (arg.startsWith('--') && !known.has(arg)) throw new Error(`unknown option ${arg}; known: ${[...known].join(' ')}`);
  }
  const value = (flag: string): string | undefined => {
    const at = argv.indexOf(flag);
    return at < 0 ? undefined : argv[at + 1];
  };
  const int = (flag: string, fallback: number, min: number): number => {
    const raw = value(flag);
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < min) throw new Error(`${flag} must be an integer >= ${min}, got "${raw}"`);
    return Number(raw);
  };
  return {
    connections: int('--connections', 10_000, 1),
    reconnectPerSecond: int('--reconnect-per-second', 2_000, 0),
    checks: int('--checks', 20_000, 1),
    seconds: int('--seconds', 25, 1),
    out: value('--out') ?? path.join(__dirname, 'results', 'latest.json'),
  };
}

// --- the attacker, in its own process ----------------------------------------------------------------------------

interface Attacker {
  /** connections: the time to open them all; checks: the time to send them all */
  readyMs: number;
  stats(): Promise<AttackStats>;
  stop(): Promise<void>;
}

async function startAttacker(args: string[]): Promise<Attacker> {
  const child = fork(path.join(__dirname, 'lib', 'attacker.ts'), args, {
    execArgv: ['-r', 'esbuild-register'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const readyMs = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { type: string; openingMs: number }) => (m.type === 'ready' ? resolve(m.openingMs) : reject(new Error('unexpected message'))));
    child.once('exit', (code) => reject(new Error(`the attacker exited with code ${code} before it was ready`)));
  });
  return {
    readyMs,
    stats: () =>
      new Promise<AttackStats>((resolve) => {
        const onMessage = (m: AttackStats): void => {
          if (m.type !== 'stats') return;
          child.off('message', onMessage);
          resolve(m);
        };
        child.on('message', onMessage);
        child.send({ type: 'stats' });
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.send({ type: 'stop' });
      }),
  };
}

// --- the measuring client ----------------------------------------------------------------------------------------

/**
 * The measuring client connects from another loopback address than the attacker (Linux routes all of 127.0.0.0/8 to
 * the loopback interface): it stands for the provider and the other users, who are not the attacking client.
 */
const MEASURING_ADDRESS = '127.0.0.2';

function measure(url: string, options: Omit<RequestOptions, 'localAddress'> = {}): Promise<HttpAnswer> {
  return request(url, { timeoutMs: 10_000, ...options, localAddress: MEASURING_ADDRESS });
}

async function createOrder(url: string): Promise<CreateOrderResponse> {
  const answer = await measure(`${url}/api/orders`, {
    method: 'POST',
    contentType: 'application/json',
    body: '{"sku":"vip-month"}',
    timeoutMs: 30_000,
  });
  if (answer.status !== 201) throw new Error(`POST /api/orders answered ${answer.status}: ${answer.text.slice(0, 200)}`);
  return JSON.parse(answer.text) as CreateOrderResponse;
}

function notify(url: string, order: CreateOrderResponse): Promise<{ status: number; text: string }> {
  const fields = paidNotifyFields(order, `STRESS${order.outTradeNo.slice(-10)}`, `T${order.outTradeNo.slice(-16)}`);
  return measure(`${url}/api/pay/notify`, {
    method: 'POST',
    contentType: 'application/x-www-form-urlencoded',
    body: new URLSearchParams(fields).toString(),
  });
}

interface Timed {
  ms: number[];
  failures: string[];
}

/** Times one request on a fresh connection, as the provider's notify or a health check arrives. */
async function timed(into: Timed, send: () => Promise<{ status: number; text: string }>, ok: (a: { status: number; text: string }) => boolean): Promise<void> {
  const started = performance.now();
  try {
    const answer = await send();
    if (ok(answer)) into.ms.push(performance.now() - started);
    else into.failures.push(`HTTP ${answer.status} ${answer.text.slice(0, 80)}`);
  } catch (error) {
    into.failures.push((error as Error).message);
  }
}

type Summary = Percentiles & { failures: number; firstFailure?: string };

function summary(t: Timed): Summary {
  return { ...percentiles(t.ms), failures: t.failures.length, ...(t.failures[0] ? { firstFailure: t.failures[0] } : {}) };
}

const healthy = (a: { status: number }): boolean => a.status === 200;
const accepted = (a: { status: number; text: string }): boolean => a.status === 200 && a.text === 'success';

/** The backend's own view of a window: CPU use (% of one core) and its longest event-loop block. */
async function backendLoad(child: BackendChild, work: () => Promise<void>): Promise<{ cpuPercent: number; eventLoopBlockedMaxMs: number }> {
  const before = await child.stats(false, true);
  const started = performance.now();
  await work();
  const after = await child.stats();
  return {
    cpuPercent: Math.round((after.cpuMicros - before.cpuMicros) / 10 / (performance.now() - started)),
    eventLoopBlockedMaxMs: after.eventLoopDelayMaxMs,
  };
}

// --- the scenes -------------------------------------------------------------------------------------------------

async function slowAndIdle(child: BackendChild, args: Args, log: (line: string) => void) {
  const orders: CreateOrderResponse[] = [];
  for (let i = 0; i < args.seconds * 4 + 8; i++) orders.push(await createOrder(child.url));

  const attacker = await startAttacker(['connections', child.url, String(args.connections), String(args.reconnectPerSecond)]);
  log(`    opened in ${attacker.readyMs} ms; timing /healthz and notify on fresh connections for ${args.seconds} s`);
  const health: Timed = { ms: [], failures: [] };
  const notified: Timed = { ms: [], failures: [] };
  const attackerOpen: number[] = [];
  const serverConnections: number[] = [];
  const backend = await backendLoad(child, async () => {
    const pending: Promise<void>[] = [];
    const until = performance.now() + args.seconds * 1000;
    for (let i = 0; performance.now() < until; i++) {
      pending.push(
        timed(health, () => measure(`${child.url}/healthz`), healthy),
        timed(notified, () => notify(child.url, orders[i % orders.length]), accepted),
      );
      if (i % 4 === 0) {
        attackerOpen.push((await attacker.stats()).open);
        serverConnections.push((await child.stats()).connections);
      }
      await sleep(250);
    }
    await Promise.all(pending);
  });
  const attack = await attacker.stats();
  await attacker.stop();
  return {
    connectionsAsked: args.connections,
    reconnectPerSecond: args.reconnectPerSecond,
    openingMs: attacker.readyMs,
    heldOpen: { min: Math.min(...attackerOpen), max: Math.max(...attackerOpen) },
    serverConnections: { min: Math.min(...serverConnections), max: Math.max(...serverConnections) },
    cutByServer: attack.cut,
    failedToOpen: attack.failedToOpen,
    seconds: args.seconds,
    backend,
    loadAverage: round(os.loadavg()[0], 1),
    healthz: summary(health),
    notify: summary(notified),
  };
}

async function checksOnOneOrder(child: BackendChild, args: Args) {
  const order = await createOrder(child.url);
  let maxHeld = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      maxHeld = Math.max(maxHeld, (await child.stats()).waitingChecks.held);
      await sleep(50);
    }
  })();
  const health: Timed = { ms: [], failures: [] };
  const probe = setInterval(() => void timed(health, () => measure(`${child.url}/healthz`), healthy), 250);
  let attacker: Attacker | undefined;
  let answeredAtOnce = 0;
  let answeredAtOnceMs = 0;
  const backend = await backendLoad(child, async () => {
    const started = performance.now();
    attacker = await startAttacker(['checks', child.url, String(args.checks), order.outTradeNo, order.orderToken]);
    // all but the held ones answer at once
    for (;;) {
      answeredAtOnce = Object.values((await attacker.stats()).answers).reduce((a, b) => a + b, 0);
      const held = (await child.stats()).waitingChecks.held;
      if (answeredAtOnce + held >= args.checks || performance.now() - started > 120_000) break;
      await sleep(100);
    }
    answeredAtOnceMs = Math.round(performance.now() - started);
  });
  clearInterval(probe);
  const waiting = (await child.stats()).waitingChecks;
  // the notify pays the order and wakes the held checks
  const paid = await notify(child.url, order);
  const atOnce = (await attacker!.stats()).answers;
  let answers = atOnce;
  for (let i = 0; i < 100 && Object.values(answers).reduce((a, b) => a + b, 0) < args.checks; i++) {
    await sleep(50);
    answers = (await attacker!.stats()).answers;
  }
  await attacker!.stop();
  sampling = false;
  await sampler;
  return {
    checksSent: args.checks,
    capPerOrder: DEFAULT_LIMITS.maxWaitingChecksPerOrder,
    capTotal: DEFAULT_LIMITS.maxWaitingChecks,
    maxHeldSampled: maxHeld,
    peakHeld: waiting.peak,
    peakHeldOnOneOrder: waiting.peakPerOrder,
    turnedAwayByTheCaps: waiting.turnedAway,
    answeredAtOnce,
    answeredAtOnceMs,
    answersBeforeTheNotify: atOnce,
    notify: paid.text,
    answers,
    backend,
    healthz: summary(health),
  };
}

async function withBackend<T>(options: ServerOptions, scene: (child: BackendChild) => Promise<T>): Promise<T> {
  const child = await startBackendChild(options);
  try {
    return await scene(child);
  } finally {
    await child.close();
  }
}

const ms = (s: Summary): string => `p50 ${s.p50Ms} ms, p95 ${s.p95Ms} ms, max ${s.maxMs} ms (${s.count} answered, ${s.failures} failed)`;

/** The backend's defaults, as it meets one client: rate limits and the per-address connection cap on. */
const DEFAULTS: ServerOptions = {
  checkRateLimitPerMinute: DEFAULT_LIMITS.checkRateLimitPerMinute,
  orderRateLimitPerMinute: DEFAULT_LIMITS.orderRateLimitPerMinute,
  limits: { maxConnectionsPerClient: DEFAULT_CONNECTION_LIMITS.maxConnectionsPerClient },
};
/** Only the timeouts, the global connection cap and the waiting-check caps: as if the load came from many addresses. */
const LIFTED: ServerOptions = { checkRateLimitPerMinute: 1e9, orderRateLimitPerMinute: 1e9, limits: { maxConnectionsPerClient: 0 } };

function logSlow(log: (line: string) => void, slow: Awaited<ReturnType<typeof slowAndIdle>>): void {
  log(
    `    held open ${slow.heldOpen.min}-${slow.heldOpen.max} (the backend saw ${slow.serverConnections.min}-${slow.serverConnections.max}); ` +
      `${slow.cutByServer} closed by the backend and reopened; backend CPU ${slow.backend.cpuPercent} % of a core, event loop ` +
      `blocked ${slow.backend.eventLoopBlockedMaxMs} ms at most; load average ${slow.loadAverage}`,
  );
  log(`    /healthz        ${ms(slow.healthz)}`);
  log(`    /api/pay/notify ${ms(slow.notify)}`);
}

function logChecks(log: (line: string) => void, checks: Awaited<ReturnType<typeof checksOnOneOrder>>): void {
  log(
    `    at most ${checks.peakHeld} held (cap ${checks.capPerOrder} per order; sampled max ${checks.maxHeldSampled}); ` +
      `${checks.answeredAtOnce} answered at once within ${checks.answeredAtOnceMs} ms; in the end: ${JSON.stringify(checks.answers)}`,
  );
  log(`    /healthz meanwhile ${ms(checks.healthz)}; backend CPU ${checks.backend.cpuPercent} % of a core`);
}

const answeredWithinOneSecond = (slow: Awaited<ReturnType<typeof slowAndIdle>>): boolean =>
  (slow.healthz.maxMs ?? Infinity) < 1000 && (slow.notify.maxMs ?? Infinity) < 1000 && slow.healthz.failures + slow.notify.failures === 0;

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const limit = openFilesLimit();
  if (limit !== null && args.connections > limit - 500) {
    throw new Error(`--connections ${args.connections} needs more open files than ulimit -n allows (${limit}); raise it or ask for fewer`);
  }
  const log = (line: string): void => console.log(line);
  log(`Stress: the backend alone in a child process; ulimit -n ${limit ?? 'unknown'}, ${os.cpus().length} cores`);
  const started = Date.now();

  log(`1. ${args.connections} slow or idle connections from one client, the backend's defaults (at most ${DEFAULT_CONNECTION_LIMITS.maxConnectionsPerClient} connections per address)`);
  const slow = await withBackend(DEFAULTS, (child) => slowAndIdle(child, args, log));
  logSlow(log, slow);
  log(`2. the same with the per-address cap lifted, as if they came from many addresses: the timeouts alone hold them`);
  const slowUncapped = await withBackend(LIFTED, (child) => slowAndIdle(child, args, log));
  logSlow(log, slowUncapped);

  log(`3. ${args.checks} checks (waitMs 30000) on one order through 2,000 connections, rate limits and per-address cap lifted`);
  const checks = await withBackend(LIFTED, (child) => checksOnOneOrder(child, args));
  logChecks(log, checks);
  log(`4. the same with the backend's defaults (${DEFAULT_LIMITS.checkRateLimitPerMinute} checks a minute and ${DEFAULT_CONNECTION_LIMITS.maxConnectionsPerClient} connections per address)`);
  const limited = await withBackend(DEFAULTS, (child) => checksOnOneOrder(child, args));
  logChecks(log, limited);

  const targets = {
    answersWithinOneSecond: answeredWithinOneSecond(slow),
    answersWithinOneSecondUncapped: answeredWithinOneSecond(slowUncapped),
    capHeld: checks.peakHeldOnOneOrder <= checks.capPerOrder && limited.peakHeldOnOneOrder <= limited.capPerOrder,
  };
  const mark = (met: boolean): string => (met ? 'MET    ' : 'MISSED ');
  log('');
  log(`${mark(targets.answersWithinOneSecond)} /healthz and notify answer within 1 s while one client tries to hold ${args.connections} slow/idle connections`);
  log(`${mark(targets.answersWithinOneSecondUncapped)} the same with all ${args.connections} held (per-address cap lifted): p95 ${slowUncapped.healthz.p95Ms} / ${slowUncapped.notify.p95Ms} ms, max ${slowUncapped.healthz.maxMs} / ${slowUncapped.notify.maxMs} ms`);
  log(`${mark(targets.capHeld)} ${args.checks} checks on one order never hold more than the cap (${Math.max(checks.peakHeldOnOneOrder, limited.peakHeldOnOneOrder)} <= ${checks.capPerOrder})`);

  const stress = {
    slowAndIdle: slow,
    slowAndIdleUncapped: slowUncapped,
    checksOnOneOrder: checks,
    checksOnOneOrderDefaults: limited,
    targets,
    meta: { date: new Date().toISOString(), openFilesLimit: limit, cores: os.cpus().length, node: process.version, wallSeconds: Math.round((Date.now() - started) / 1000) },
  };
  let report: Record<string, unknown> = {};
  try {
    report = JSON.parse(fs.readFileSync(args.out, 'utf8')) as Record<string, unknown>;
  } catch {
    // no earlier figures: the file holds these alone
  }
  fs.mkdirSync(path.dirname(args.out), { recursive: true });
  fs.writeFileSync(args.out, `${JSON.stringify({ ...report, stress }, null, 2)}\n`);
  log(`\nwrote ${path.relative(process.cwd(), args.out)} (stress, ${stress.meta.wallSeconds} s)`);
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(`stress benchmark failed: ${error.stack ?? error.message}`);
    process.exit(1);
  },
);
