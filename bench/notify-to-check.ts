// Confirmation latency: how long after a notify is answered `success` does a check that was already waiting answer?
// Real backend on 127.0.0.1 (ephemeral port, temporary SQLite folder, WAL + synchronous=FULL), one order at a time:
// create the order, open a long-poll check (waitMs 10000), then deliver a signed 小微聚付 notify directly; the
// figure is (time the check's answer arrived) - (time the notify's `success` arrived), both at the client.
//
//   node -r esbuild-register bench/notify-to-check.ts [--orders 200]
//
// Exported as measureNotifyToCheck() for bench/run.ts.

import { performance } from 'node:perf_hooks';
import { postForm, postJson } from '../common/http-client';
import type { CreateOrderResponse, PayCheckResponse } from '../typings/api';
import { startBenchBackend } from './lib/bench-backend';
import { paidNotifyFields } from './lib/notify';
import { sleep, spread, type Spread } from './lib/stats';

export interface LatencySummary {
  orders: number;
  /** ms from notify `success` received to the waiting check's answer received */
  notifyToCheck: Spread;
  /** ms from the notify being sent to the waiting check's answer (includes the fsync of the paid commit) */
  notifySentToCheck: Spread;
  /** ms for the notify round trip itself (the provider wants an answer within 3000) */
  notifyAnswer: Spread;
}

export async function measureNotifyToCheck(orders = 200): Promise<LatencySummary> {
  // no provider query during the measurement: only the notify may wake the check
  const { backend: server, close } = await startBenchBackend();
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
      const notify = paidNotifyFields(order, `B${i}`, `T${i}`);
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
  return { orders, notifyToCheck: spread(toCheck), notifySentToCheck: spread(sentToCheck), notifyAnswer: spread(toAnswer) };
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
