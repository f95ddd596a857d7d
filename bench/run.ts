// npm run bench [-- --quick] [--payments N] [--seed N] [--only long-poll,poll-1s] [--skip-server] [--waiting-checks N]
//                [--skip-postgres]
//
// Part 1, confirmation strategies: the mini program's own confirmer (miniprogram/lib/confirmer.ts), configured as
// each strategy, confirms the same seeded list of payments against a real backend and sandbox (bench/lib/strategies.ts).
// Part 2, backend capacity: checks/s, memory of N held long-polls, notifies/s (bench/lib/capacity.ts), plus the
// backend engineer's notify -> waiting check latency (bench/notify-to-check.ts).
// Part 3, several instances on PostgreSQL (bench/postgres.ts; alone: npm run bench:postgres).
// Prints a table and writes bench/results/latest.json (keeping the `stress` figures of npm run bench:stress).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { measureCapacity, type CapacityResult } from './lib/capacity';
import { LOST_SHARE, NOTIFY_DELAY_MIX, planPayments } from './lib/mix';
import { runStrategy, STRATEGIES, type StrategyResult } from './lib/strategies';
import { measureNotifyToCheck, type LatencySummary } from './notify-to-check';
import { measurePostgres, printPostgres, type PostgresResult } from './postgres';
import { findPostgresBin } from '../test/fixtures/pg-cluster';

interface Args {
  quick: boolean;
  payments: number;
  seed: number;
  only: string[] | null;
  skipServer: boolean;
  skipPostgres: boolean;
  waitingChecks: number;
  out: string;
}

function parseArgs(argv: string[]): Args {
  const quick = argv.includes('--quick');
  const value = (flag: string): string | undefined => {
    const at = argv.indexOf(flag);
    if (at < 0) return undefined;
    const v = argv[at + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value`);
    return v;
  };
  const int = (flag: string, fallback: number, min: number): number => {
    const raw = value(flag);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new Error(`${flag} must be an integer >= ${min}, got "${raw}"`);
    return n;
  };
  const known = new Set(['--quick', '--payments', '--seed', '--only', '--skip-server', '--skip-postgres', '--waiting-checks', '--out']);
  for (const arg of argv) {
    if (arg.startsWith('--') && !known.has(arg)) throw new Error(`unknown option ${arg}; known: ${[...known].join(' ')}`);
  }
  const only = value('--only')?.split(',') ?? null;
  const names = STRATEGIES.map((s) => s.name);
  for (const name of only ?? []) {
    if (!names.includes(name)) throw new Error(`--only: no strategy "${name}"; strategies: ${names.join(', ')}`);
  }
  return {
    quick,
    payments: int('--payments', quick ? 40 : 200, 1),
    seed: int('--seed', 20240601, 0),
    only,
    skipServer: argv.includes('--skip-server'),
    skipPostgres: argv.includes('--skip-server') || argv.includes('--skip-postgres'),
    waitingChecks: int('--waiting-checks', quick ? 1_000 : 10_000, 1),
    out: value('--out') ?? path.join(__dirname, 'results', 'latest.json'),
  };
}

const fmt = (v: number | null | undefined): string => (v === null || v === undefined ? '-' : String(v));

function table(rows: StrategyResult[]): string {
  const header = ['strategy', 'p50 ms', 'p95 ms', 'p99 ms', 'requests/payment', 'provider queries/payment', 'unconfirmed', 'p95 notified', 'p95 found by query', 'user wait p50/p95 ms'];
  const lines = rows.map((r) => [
    r.name,
    fmt(r.p50Ms),
    fmt(r.p95Ms),
    fmt(r.p99Ms),
    fmt(r.requestsPerPayment),
    fmt(r.providerQueriesPerPayment),
    `${r.unconfirmed}/${r.payments}`,
    `${fmt(r.byNotify.p95Ms)} (${r.byNotify.count})`,
    `${fmt(r.byQuery.p95Ms)} (${r.byQuery.count})`,
    `${fmt(r.userWait.p50Ms)}/${fmt(r.userWait.p95Ms)}`,
  ]);
  const all = [header, ...lines];
  const widths = header.map((_, i) => Math.max(...all.map((row) => row[i].length)));
  const row = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [row(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(row)].join('\n');
}

interface Target {
  target: string;
  met: boolean;
  figure: string;
}

function targets(results: StrategyResult[]): Target[] {
  const longPoll = results.find((r) => r.name === 'long-poll');
  const poll = results.find((r) => r.name === 'poll-1s');
  const out: Target[] = [];
  if (longPoll) {
    out.push({ target: 'long-poll p95 < 50 ms', met: (longPoll.p95Ms ?? Infinity) < 50, figure: `${longPoll.p95Ms} ms` });
    out.push({ target: 'long-poll <= 3 backend requests per payment', met: longPoll.requestsPerPayment <= 3, figure: `${longPoll.requestsPerPayment}` });
    out.push({ target: 'long-poll: zero unconfirmed payments', met: longPoll.unconfirmed === 0, figure: `${longPoll.unconfirmed}` });
  }
  if (longPoll && poll) {
    const ratio = Math.round((poll.requestsPerPayment / longPoll.requestsPerPayment) * 10) / 10;
    out.push({ target: '>= 10x fewer backend requests than poll-1s', met: ratio >= 10, figure: `${ratio}x` });
    out.push({
      target: 'p95 equal or better than poll-1s',
      met: (longPoll.p95Ms ?? Infinity) <= (poll.p95Ms ?? Infinity),
      figure: `${longPoll.p95Ms} vs ${poll.p95Ms} ms`,
    });
  }
  return out;
}

function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: __dirname, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const delayScale = args.quick ? 0.2 : 1;
  const meanArrivalGapMs = args.quick ? 20 : 30;
  const plan = planPayments({ payments: args.payments, seed: args.seed, delayScale, meanArrivalGapMs });
  const lost = plan.filter((p) => p.notifyDelayMs === null).length;
  console.log(
    `Confirmation strategies: ${args.payments} payments each (seed ${args.seed}${args.quick ? ', --quick: delays x0.2' : ''}), ` +
      `${lost} with a lost notify, the rest notified after 0-${Math.round(25 * delayScale)} s`,
  );
  const results: StrategyResult[] = [];
  for (const strategy of STRATEGIES.filter((s) => !args.only || args.only.includes(s.name))) {
    process.stdout.write(`  ${strategy.name}: ${strategy.description} ... `);
    const result = await runStrategy(strategy, plan);
    results.push(result);
    console.log(`${(result.wallMs / 1000).toFixed(1)} s`);
  }
  console.log('');
  console.log('Latency = client saw paid - order became paid at the backend (paidAt), all payments; "notified" /');
  console.log('"found by query" split them by how the backend learnt of the payment (count in brackets).');
  console.log(table(results));
  console.log('');

  let server: (CapacityResult & { notifyToCheck: LatencySummary }) | null = null;
  if (!args.skipServer) {
    console.log('Backend capacity (backend in a child process, load from this one):');
    const capacity = await measureCapacity(
      {
        checkSeconds: args.quick ? 2 : 10,
        connections: 50,
        waitingChecks: args.waitingChecks,
        notifies: args.quick ? 300 : 3_000,
      },
      (line) => console.log(line),
    );
    const notifyToCheck = await measureNotifyToCheck(args.quick ? 30 : 100);
    server = { ...capacity, notifyToCheck };
    const w = capacity.waitingChecks;
    console.log(`  non-waiting checks answered: ${capacity.checksPerSecond}/s (p50 ${capacity.checkLatencyP50Ms} ms, p99 ${capacity.checkLatencyP99Ms} ms, ${capacity.connections} connections, errors ${capacity.checkErrors}); first checks (a commit each): ${capacity.firstChecksPerSecond}/s`);
    console.log(`  ${w.held} of ${w.asked} waiting checks held: RSS +${w.rssDeltaMB} MB over ${w.rssBeforeMB} MB, heap +${w.heapDeltaMB} MB, ~${w.bytesPerCheck} bytes each (ulimit -n ${fmt(w.openFilesLimit)})`);
    const failed = Object.entries(w.failed).map(([code, n]) => `${n} ${code}`);
    if (failed.length || w.answeredEarly) console.log(`  (waiting checks not held: ${[...failed, `${w.answeredEarly} answered early`].join(', ')})`);
    console.log(`  notifies accepted: ${capacity.notifiesPerSecond}/s (p50 ${capacity.notifyLatencyP50Ms} ms, p99 ${capacity.notifyLatencyP99Ms} ms, errors ${capacity.notifyErrors})`);
    console.log(`  notify accepted -> waiting check answered: median ${notifyToCheck.notifyToCheck.median} ms, p95 ${notifyToCheck.notifyToCheck.p95} ms`);
    console.log('');
  }

  let postgres: PostgresResult | { skipped: string } | null = null;
  if (!args.skipPostgres) {
    console.log('Several instances on PostgreSQL:');
    let missing: string | null = null;
    try {
      findPostgresBin();
    } catch (error) {
      missing = (error as Error).message;
    }
    if (missing) {
      console.log(`  skipped: ${missing}`);
      postgres = { skipped: missing };
    } else {
      const result = await measurePostgres(
        {
          checkSeconds: args.quick ? 2 : 10,
          connections: 50,
          notifies: args.quick ? 300 : 3_000,
          latencyOrders: args.quick ? 30 : 200,
          waitingChecks: args.waitingChecks,
        },
        (line) => console.log(line),
      );
      printPostgres(result, (line) => console.log(line));
      postgres = result;
    }
    console.log('');
  }

  const checked = targets(results);
  for (const t of checked) console.log(`${t.met ? 'MET    ' : 'MISSED '} ${t.target}: ${t.figure}`);

  const strategies = Object.fromEntries(
    results.map((r) => [
      r.name,
      {
        p50Ms: r.p50Ms,
        p95Ms: r.p95Ms,
        p99Ms: r.p99Ms,
        requestsPerPayment: r.requestsPerPayment,
        providerQueriesPerPayment: r.providerQueriesPerPayment,
        unconfirmed: r.unconfirmed,
        maxMs: r.maxMs,
        serverRequestsPerPayment: r.serverRequestsPerPayment,
        payments: r.payments,
        byNotify: r.byNotify,
        byQuery: r.byQuery,
        userWait: r.userWait,
        description: r.description,
        wallMs: r.wallMs,
      },
    ]),
  );
  const report = {
    strategies,
    server,
    postgres,
    targets: checked,
    meta: {
      date: new Date().toISOString(),
      quick: args.quick,
      payments: args.payments,
      seed: args.seed,
      notifyDelayMix: { bands: NOTIFY_DELAY_MIX, lostShare: Math.round(LOST_SHARE * 100) / 100, delayScale, lostInPlan: lost },
      meanArrivalGapMs,
      deadlineMs: 60_000,
      machine: {
        cpu: os.cpus()[0]?.model ?? 'unknown',
        cores: os.cpus().length,
        memoryGB: Math.round(os.totalmem() / 1024 ** 3),
        platform: `${os.platform()} ${os.release()}`,
        node: process.version,
      },
      commit: gitCommit(),
      wallSeconds: Math.round((Date.now() - started) / 1000),
    },
  };
  // the stress figures (npm run bench:stress) live in the same file: keep them
  let stress: unknown;
  try {
    stress = (JSON.parse(fs.readFileSync(args.out, 'utf8')) as { stress?: unknown }).stress;
  } catch {
    stress = undefined;
  }
  fs.mkdirSync(path.dirname(args.out), { recursive: true });
  fs.writeFileSync(args.out, `${JSON.stringify(stress === undefined ? report : { ...report, stress }, null, 2)}\n`);
  console.log(`\nwrote ${path.relative(process.cwd(), args.out)} (${report.meta.wallSeconds} s)`);
}

main().catch((error: Error) => {
  console.error(`benchmark failed: ${error.stack ?? error.message}`);
  process.exit(1);
});
