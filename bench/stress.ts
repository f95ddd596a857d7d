// npm run bench:stress [-- --connections N] [--reconnect-per-second N] [--checks N] [--seconds N] [--out FILE]
//
// The backend held under abuse, with its default limits (request timeouts, keep-alive, connection cap, caps on
// waiting checks), alone in a child process. The attacks come from another child process (bench/lib/attacker.ts) and
// the measuring client is this one, all on 127.0.0.1: one client address. Rate limits are lifted unless said
// otherwise, so what holds is the limits themselves, not the 429s.
//
// 1. Slow and idle connections: N (default 10,000) held open, a third silent, a third sending their headers a byte
//    every 2 s, a third their body a byte every 2 s; every one the server cuts is opened again (at most 2,000 a
//    second). Meanwhile /healthz and a signed notify (each for another pending order) are timed on fresh
//    connections 4 times a second.
// 2. Checks on one order: N (default 20,000) checks with waitMs 30000 on one order through 2,000 keep-alive
//    connections; the backend's count of held checks is sampled every 50 ms; then a notify pays the order. Once with
//    the rate limits lifted (the caps alone), once with the default rate limits (as the backend meets it).
//
// Prints the figures and writes them into bench/results/latest.json under `stress` (the other keys are kept).
// Figures on a shared machine follow its load: the backend's CPU use, its longest event-loop block and the load
// average are printed with them.
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { request } from '../common/http-client';
import { openFilesLimit } from '../common/limits';
import { withSign } from '../common/sign';
import { DEV_MERCHANT_ID, DEV_MERCHANT_KEY } from '../config/dev-defaults';
import { DEFAULT_LIMITS } from '../server/config';
import type { ServerConfig } from '../server';
import type { CreateOrderResponse } from '../typings/api';
import type { AttackStats } from './lib/attacker';
import { startBackendChild, type BackendChild } from './lib/backend-child';
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

async function createOrder(url: string): Promise<CreateOrderResponse> {
  const answer = await request(`${url}/api/orders`, {
    method: 'POST',
    contentType: 'application/json',
    body: '{"sku":"vip-month"}',
    timeoutMs: 30_000,
  });
  if (answer.status !== 201) throw new Error(`POST /api/orders answered ${answer.status}: ${answer.text.slice(0, 200)}`);
  return JSON.parse(answer.text) as CreateOrderResponse;
}

function notify(url: string, order: CreateOrderResponse): Promise<{ status: number; text: string }> {
  const fields = withSign(
    {
      status: '1',
      total_fee: String(order.totalFee),
      out_trade_no: order.outTradeNo,
      order_no: `STRESS${order.outTradeNo.slice(-10)}`,
      transaction_id: `T${order.outTradeNo.slice(-16)}`,
      mchid: DEV_MERCHANT_ID,
    },
    DEV_MERCHANT_KEY,
  ) as Record<string, string>;
  return request(`${url}/api/pay/notify`, {
    method: 'POST',
    contentType: 'application/x-www-form-urlencoded',
    body: new URLSearchParams(fields).toString(),
    timeoutMs: 10_000,
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

  log(`  ${args.connections} slow or idle connections from another process (a third each: silent, headers 1 byte / 2 s, body 1 byte / 2 s; reconnecting up to ${args.reconnectPerSecond}/s)`);
  const attacker = await startAttacker(['connections', child.url, String(args.connections), String(args.reconnectPerSecond)]);
  log(`  all open after ${attacker.readyMs} ms; timing /healthz and notify on fresh connections for ${args.seconds} s`);
  const health: Timed = { ms: [], failures: [] };
  const notified: Timed = { ms: [], failures: [] };
  const attackerOpen: number[] = [];
  const serverConnections: number[] = [];
  const backend = await backendLoad(child, async () => {
    const pending: Promise<void>[] = [];
    const until = performance.now() + args.seconds * 1000;
    for (let i = 0; performance.now() < until; i++) {
      pending.push(
        timed(health, () => request(`${child.url}/healthz`, { timeoutMs: 10_000 }), healthy),
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
  const probe = setInterval(() => void timed(health, () => request(`${child.url}/healthz`, { timeoutMs: 10_000 }), healthy), 250);
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

async function withBackend<T>(options: Partial<ServerConfig>, scene: (child: BackendChild) => Promise<T>): Promise<T> {
  const child = await startBackendChild(options);
  try {
    return await scene(child);
  } finally {
    await child.close();
  }
}

const ms = (s: Summary): string => `p50 ${s.p50Ms} ms, p95 ${s.p95Ms} ms, max ${s.maxMs} ms (${s.count} answered, ${s.failures} failed)`;

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const limit = openFilesLimit();
  if (limit !== null && args.connections > limit - 500) {
    throw new Error(`--connections ${args.connections} needs more open files than ulimit -n allows (${limit}); raise it or ask for fewer`);
  }
  const log = (line: string): void => console.log(line);
  log(`Stress: the backend alone in a child process with its default limits; ulimit -n ${limit ?? 'unknown'}, ${os.cpus().length} cores`);
  const started = Date.now();
  const lifted = { checkRateLimitPerMinute: 1e9, orderRateLimitPerMinute: 1e9 };

  const slow = await withBackend(lifted, (child) => slowAndIdle(child, args, log));
  log(
    `  held open ${slow.heldOpen.min}-${slow.heldOpen.max} (the backend saw ${slow.serverConnections.min}-${slow.serverConnections.max}); ` +
      `${slow.cutByServer} cut by the backend and reopened; backend CPU ${slow.backend.cpuPercent} % of a core, event loop ` +
      `blocked ${slow.backend.eventLoopBlockedMaxMs} ms at most; load average ${slow.loadAverage}`,
  );
  log(`    /healthz        ${ms(slow.healthz)}`);
  log(`    /api/pay/notify ${ms(slow.notify)}`);

  log(`  ${args.checks} checks (waitMs 30000) on one order from another process through 2,000 connections, rate limits lifted`);
  const checks = await withBackend(lifted, (child) => checksOnOneOrder(child, args));
  log(
    `    at most ${checks.peakHeld} held (cap ${checks.capPerOrder} per order; sampled max ${checks.maxHeldSampled}); ` +
      `${checks.answeredAtOnce} answered at once within ${checks.answeredAtOnceMs} ms; after the notify: ${JSON.stringify(checks.answers)}`,
  );
  log(`    /healthz meanwhile ${ms(checks.healthz)}; backend CPU ${checks.backend.cpuPercent} %`);

  log(`  the same with the default rate limits (${DEFAULT_LIMITS.checkRateLimitPerMinute} checks a minute per client)`);
  const limited = await withBackend(
    { checkRateLimitPerMinute: DEFAULT_LIMITS.checkRateLimitPerMinute, orderRateLimitPerMinute: DEFAULT_LIMITS.orderRateLimitPerMinute },
    (child) => checksOnOneOrder(child, args),
  );
  log(`    ${JSON.stringify(limited.answers)} within ${limited.answeredAtOnceMs} ms, at most ${limited.peakHeld} held`);
  log(`    /healthz meanwhile ${ms(limited.healthz)}; backend CPU ${limited.backend.cpuPercent} %`);

  const withinOneSecond =
    (slow.healthz.maxMs ?? Infinity) < 1000 && (slow.notify.maxMs ?? Infinity) < 1000 && slow.healthz.failures + slow.notify.failures === 0;
  const capHeld = checks.peakHeldOnOneOrder <= checks.capPerOrder && limited.peakHeldOnOneOrder <= limited.capPerOrder;
  log('');
  log(`${withinOneSecond ? 'MET    ' : 'MISSED '} /healthz and notify answer within 1 s while ${slow.connectionsAsked} slow/idle connections are held`);
  log(`${capHeld ? 'MET    ' : 'MISSED '} ${checks.checksSent} checks on one order never hold more than the cap (${checks.peakHeldOnOneOrder} <= ${checks.capPerOrder})`);

  const stress = {
    slowAndIdle: slow,
    checksOnOneOrder: checks,
    checksOnOneOrderRateLimited: limited,
    targets: { answersWithinOneSecond: withinOneSecond, capHeld },
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
