// Confirmation latency: how long after a notify is answered `success` does a check that was already waiting answer?
// Real backend on 127.0.0.1 (ephemeral port, temporary SQLite folder, WAL + synchronous=FULL), one order at a time:
// create the order, open a long-poll check (waitMs 10000), then deliver a signed 小微聚付 notify directly; the
// figure is (time the check's answer arrived) - (time the notify's `success` arrived), both at the client.
//
//   node -r esbuild-register bench/notify-to-check.ts [--orders 200]
//
// Exported as measureNotifyToCheck() for bench/run.ts.

import { performance } from 'node:perf_hooks';
import { DEV_MERCHANT_ID, DEV_MERCHANT_KEY } from '../config/dev-defaults';
import { startStack } from '../scripts/stack';
import { postForm, postJson } from '../common/http-client';
import { withSign } from '../common/sign';
import type { CreateOrderResponse, PayCheckResponse } from '../typings/api';

export interface LatencySummary {
  orders: number;
  /** ms from notify `success` received to the waiting check's answer received */
  notifyToCheck: { median: number; p95: number; max: number };
  /** ms from the notify being sent to the waiting check's answer (includes the fsync of the paid commit) */
  notifySentToCheck: { median: number; p95: number; max: number };
  /** ms for the notify round trip itself (the provider wants an answer within 3000) */
  notifyAnswer: { median: number; p95: number; max: number };
}

function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

function summary(values: number[]): { median: number; p95: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const round = (n: number): number => Math.round(n * 100) / 100;
  return { median: round(percentile(sorted, 50)), p95: round(percentile(sorted, 95)), max: round(sorted[sorted.length - 1]) };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function measureNotifyToCheck(orders = 200): Promise<LatencySummary> {
  const { backend: server, close } = await startStack({
    env: {},
    tempData: true,
    sandbox: false,
    backend: {
      port: 0,
      logLevel: 'silent',
      orderRateLimitPerMinute: 100_000,
      checkRateLimitPerMinute: 100_000,
      // no provider fallback during the measurement: only the notify may wake the check
      providerQueryAfterMs: 600_000,
      providerBaseUrl: 'http://127.0.0.1:9',
    },
  });
  const toCheck: number[] = [];
  const toAnswer: number[] = [];
  const sentToCheck: number[] = [];
  try {
    for (let i = 0; i < orders; i++) {
      const created = await postJson(`${server.url}/api/orders`, { sku: 'vip-month' });
      const order = JSON.parse(created.text) as CreateOrderResponse;
      let checkAnsweredAt = 0;
      const waiting = postJson(
        `${server.url}/api/pay/check`,
        { outTradeNo: order.outTradeNo, orderToken: order.orderToken, waitMs: 10_000 },
        15_000,
      ).then((answer) => {
        checkAnsweredAt = performance.now();
        return JSON.parse(answer.text) as PayCheckResponse;
      });
      await sleep(15); // let the check reach its wait
      const notify = withSign(
        {
          status: '1',
          total_fee: String(order.totalFee),
          out_trade_no: order.outTradeNo,
          order_no: `B${i}`,
          transaction_id: `T${i}`,
          mchid: DEV_MERCHANT_ID,
        },
        DEV_MERCHANT_KEY,
      );
      const sentAt = performance.now();
      const answer = await postForm(`${server.url}/api/pay/notify`, notify);
      const acceptedAt = performance.now();
      if (answer.text !== 'success') throw new Error(`notify ${i} answered ${answer.status} ${answer.text}`);
      const status = await waiting;
      if (status.status !== 'paid') throw new Error(`check ${i} answered ${status.status}, expected paid`);
      toAnswer.push(acceptedAt - sentAt);
      toCheck.push(checkAnsweredAt - acceptedAt);
      sentToCheck.push(checkAnsweredAt - sentAt);
    }
  } finally {
    await close();
  }
  return { orders, notifyToCheck: summary(toCheck), notifySentToCheck: summary(sentToCheck), notifyAnswer: summary(toAnswer) };
}

if (require.main === module) {
  const flag = process.argv.indexOf('--orders');
  const orders = flag > 0 ? Number(process.argv[flag + 1]) : 200;
  measureNotifyToCheck(orders).then(
    (result) => {
      const { notifyToCheck: c, notifyAnswer: a } = result;
      console.log(`notify accepted -> waiting check answered, ${result.orders} orders: median ${c.median} ms, p95 ${c.p95} ms, max ${c.max} ms`);
      const s = result.notifySentToCheck;
      console.log(`notify sent -> waiting check answered: median ${s.median} ms, p95 ${s.p95} ms, max ${s.max} ms`);
      console.log(`notify answered (round trip, budget 3000 ms): median ${a.median} ms, p95 ${a.p95} ms, max ${a.max} ms`);
      console.log(JSON.stringify(result));
    },
    (error: Error) => {
      console.error(`benchmark failed: ${error.message}`);
      process.exit(1);
    },
  );
}
