// Confirmation strategies, each one the mini program's own confirmer (miniprogram/lib/confirmer.ts) configured
// differently, run for a list of payments against a real backend and sandbox on 127.0.0.1.
//
// Stack per strategy (fresh, so counts do not mix): sandbox <- counting proxy <- backend (providerBaseUrl = proxy);
// the sandbox's notifies go straight to the backend. Per payment, serially (the sandbox's scenario is global):
// create the order, set the scenario (paid; notify after its delay, or lost), POST /pay with the order's payParams
// (the pay mini program's part), then start the strategy's client at once, with the returned payjsOrderId as the
// mini program passes it. Clients of all payments run concurrently.
//
// Latency = (client saw `paid`) - (the backend's paidAt: notify accepted, or the provider query that found it paid).
import diagnostics from 'node:diagnostics_channel';
import http from 'node:http';
import type { ConfirmConfig } from '../../miniprogram/lib/config';
import { createConfirmer, type ConfirmResult } from '../../miniprogram/lib/confirmer';
import { startStack } from '../../scripts/stack';
import { postJson } from '../../common/http-client';
import { createNodeRequestPort, nodeClock } from '../../test/fixtures/fake-wx-node';
import type { CreateOrderResponse } from '../../typings/api';
import type { ProviderReturnData } from '../../typings/provider';
import { startCountingProxy, type CountingProxy } from './counting-proxy';
import type { PlannedPayment } from './mix';
import { percentiles, round, sleep, type Percentiles } from './stats';

export interface Strategy {
  name: string;
  description: string;
  /** the confirmer's configuration (merged over CONFIRM_DEFAULTS, as the page does) */
  config: Partial<ConfirmConfig>;
  /** pause between coming back and the first check */
  firstCheckDelayMs: number;
  /** the user tapping "我已支付，重新查询": one more confirm() every `everyMs`, at most `times` */
  manualRechecks?: { everyMs: number; times: number };
}

export const STRATEGIES: readonly Strategy[] = [
  {
    name: 'provider-doc',
    description: 'one check 1.5 s after return, then the user taps "check again" every 5 s (at most 11 times, < 60 s)',
    config: { waitMs: 0, maxChecks: 1 },
    firstCheckDelayMs: 1_500,
    manualRechecks: { everyMs: 5_000, times: 11 },
  },
  {
    name: 'poll-1s',
    description: 'a non-waiting check every 1 s until paid or the 60 s deadline',
    config: { waitMs: 0, minCheckIntervalMs: 1_000 },
    firstCheckDelayMs: 0,
  },
  {
    name: 'backoff',
    description: 'non-waiting checks at 0.5 s doubling to 8 s (0, 0.5, 1.5, 3.5, 7.5, 15.5 s, ...), 60 s deadline',
    config: { waitMs: 0, minCheckIntervalMs: 500, checkIntervalGrowth: 2, maxCheckIntervalMs: 8_000 },
    firstCheckDelayMs: 0,
  },
  {
    name: 'long-poll',
    description: "the project's default: checks held up to 25 s by the backend (CONFIRM_DEFAULTS), 60 s deadline",
    config: {},
    firstCheckDelayMs: 0,
  },
];

/** The client's deadline for every strategy (CONFIRM_DEFAULTS.deadlineMs): not seen paid by then = unconfirmed. */
export const DEADLINE_MS = 60_000;

export interface PaymentRecord {
  index: number;
  notifyDelayMs: number | null;
  /** how the backend learnt of the payment: its notify, or its provider order query */
  paidBy: 'notify' | 'query' | 'unknown';
  seenPaid: boolean;
  latencyMs: number | null;
  /** ms from coming back to seeing paid */
  waitMs: number | null;
  requests: number;
  outcome: string;
}

export interface StrategyResult {
  name: string;
  description: string;
  payments: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  requestsPerPayment: number;
  /** checks counted by the backend's HTTP server (diagnostics channel), to verify the client's count */
  serverRequestsPerPayment: number;
  providerQueriesPerPayment: number;
  unconfirmed: number;
  /** latency of the payments the backend learnt of by notify, and of those it found by provider query */
  byNotify: Percentiles;
  byQuery: Percentiles;
  /** ms from coming back to seeing paid (what the user waits, including time before the order was paid) */
  userWait: Percentiles;
  wallMs: number;
}

async function json<T>(answer: Promise<{ status: number; text: string }>, what: string): Promise<T> {
  const { status, text } = await answer;
  if (status < 200 || status >= 300) throw new Error(`${what} answered HTTP ${status}: ${text.slice(0, 200)}`);
  return JSON.parse(text) as T;
}

/** Counts POST /api/pay/check requests arriving at the HTTP server listening on `port`. */
function countServerChecks(port: number): { readonly count: number; stop(): void } {
  let count = 0;
  const channel = diagnostics.channel('http.server.request.start');
  const onStart = (message: unknown): void => {
    const { request, socket } = message as { request: http.IncomingMessage; socket: { localPort?: number } };
    if (socket.localPort === port && request.method === 'POST' && request.url === '/api/pay/check') count++;
  };
  channel.subscribe(onStart);
  return {
    get count() {
      return count;
    },
    stop: () => channel.unsubscribe(onStart),
  };
}

export async function runStrategy(strategy: Strategy, plan: readonly PlannedPayment[]): Promise<StrategyResult> {
  const relays: CountingProxy[] = [];
  const stack = await startStack({
    env: {},
    tempData: true,
    sandbox: { port: 0, logLevel: 'silent' },
    backend: {
      port: 0,
      logLevel: 'silent',
      // every simulated user is on 127.0.0.1: no per-address limits
      orderRateLimitPerMinute: 1_000_000,
      checkRateLimitPerMinute: 1_000_000,
      limits: { maxConnectionsPerClient: 0 },
    },
    relay: async (sandboxUrl) => {
      const relay = await startCountingProxy(sandboxUrl);
      relays.push(relay);
      return relay;
    },
  });
  const { backend: server, sandbox } = stack;
  const proxy = relays[0];
  const serverChecks = countServerChecks(server.port);
  // like WeChat's own connection pool: connections are reused, any number may be open
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const confirmer = createConfirmer({
    clock: nodeClock,
    request: createNodeRequestPort({ agent }),
    baseUrl: server.url,
    config: strategy.config,
  });
  const records: PaymentRecord[] = [];
  const paidAtOf = new Map<number, number>();
  const outTradeNos: string[] = [];
  const started = Date.now();
  try {
    const clients: Promise<void>[] = [];
    for (const payment of plan) {
      if (payment.arrivalGapMs > 0) await sleep(payment.arrivalGapMs);
      const order = await json<CreateOrderResponse>(postJson(`${server.url}/api/orders`, { sku: 'vip-month' }), 'POST /api/orders');
      outTradeNos[payment.index] = order.outTradeNo;
      await json(
        postJson(`${sandbox.url}/scenario`, {
          outcome: 'paid',
          notify: payment.notifyDelayMs === null ? 'lost' : 'normal',
          notifyDelayMs: payment.notifyDelayMs ?? 0,
        }),
        'POST /scenario',
      );
      const extraData = await json<ProviderReturnData>(postJson(`${sandbox.url}/pay`, order.payParams), 'POST /pay');
      if (!extraData.payjsOrderId) throw new Error(`the sandbox's /pay returned no payjsOrderId: ${JSON.stringify(extraData)}`);
      const returnedAt = Date.now();
      const target = { outTradeNo: order.outTradeNo, orderToken: order.orderToken };
      const options = { payjsOrderId: extraData.payjsOrderId };
      clients.push(
        (async () => {
          const record: PaymentRecord = {
            index: payment.index,
            notifyDelayMs: payment.notifyDelayMs,
            paidBy: 'unknown',
            seenPaid: false,
            latencyMs: null,
            waitMs: null,
            requests: 0,
            outcome: 'none',
          };
          records.push(record);
          await sleep(strategy.firstCheckDelayMs);
          let result: ConfirmResult = await confirmer.confirm(target, options);
          record.requests += result.requests;
          for (let tap = 0; strategy.manualRechecks && result.outcome === 'timeout' && tap < strategy.manualRechecks.times; tap++) {
            await sleep(strategy.manualRechecks.everyMs);
            result = await confirmer.confirm(target, options);
            record.requests += result.requests;
          }
          const seenAt = Date.now();
          record.outcome = result.outcome === 'final' ? result.status : result.outcome;
          if (result.outcome === 'final' && result.status === 'paid' && seenAt - returnedAt <= DEADLINE_MS) {
            record.seenPaid = true;
            const paidAt = Date.parse(result.paidAt ?? '');
            if (!Number.isFinite(paidAt)) throw new Error(`payment ${payment.index}: a paid answer without paidAt`);
            paidAtOf.set(payment.index, paidAt);
            record.latencyMs = seenAt - paidAt;
            record.waitMs = seenAt - returnedAt;
          }
        })(),
      );
    }
    await Promise.all(clients);
    // the sandbox's record of notify attempts tells which path made each order paid: a notify sent before paidAt
    // was the one accepted; otherwise the provider query got there first
    const { orders } = await json<{ orders: { outTradeNo: string; notifyAttempts: { at: number; accepted: boolean }[] }[] }>(
      fetch(`${sandbox.url}/orders`).then(async (r) => ({ status: r.status, text: await r.text() })),
      'GET /orders',
    );
    const attemptsOf = new Map(orders.map((o) => [o.outTradeNo, o.notifyAttempts]));
    for (const record of records) {
      const paidAt = paidAtOf.get(record.index);
      if (paidAt === undefined) continue;
      const attempts = attemptsOf.get(outTradeNos[record.index]) ?? [];
      record.paidBy = attempts.some((a) => a.accepted && a.at <= paidAt) ? 'notify' : 'query';
    }
  } finally {
    serverChecks.stop();
    agent.destroy();
    await stack.close();
  }
  records.sort((a, b) => a.index - b.index);
  const latencies = (filter: (r: PaymentRecord) => boolean) =>
    records.filter((r) => r.seenPaid && filter(r)).map((r) => r.latencyMs as number);
  const all = percentiles(latencies(() => true));
  const n = records.length;
  const providerQueries = proxy.count('POST /order/info') + proxy.count('POST /api/check');
  return {
    name: strategy.name,
    description: strategy.description,
    payments: n,
    p50Ms: all.p50Ms,
    p95Ms: all.p95Ms,
    p99Ms: all.p99Ms,
    maxMs: all.maxMs,
    requestsPerPayment: round(records.reduce((sum, r) => sum + r.requests, 0) / n, 2),
    serverRequestsPerPayment: round(serverChecks.count / n, 2),
    providerQueriesPerPayment: round(providerQueries / n, 2),
    unconfirmed: records.filter((r) => !r.seenPaid).length,
    byNotify: percentiles(latencies((r) => r.paidBy === 'notify')),
    byQuery: percentiles(latencies((r) => r.paidBy === 'query')),
    userWait: percentiles(records.filter((r) => r.seenPaid).map((r) => r.waitMs as number)),
    wallMs: Date.now() - started,
  };
}
