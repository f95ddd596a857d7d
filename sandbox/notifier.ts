// Notify delivery as the provider does it: a form POST to notify_url, retried on the provider's schedule until the
// answer is HTTP 200 with the body `success`. The schedule's entries are the waits before each attempt (the first is
// 0), multiplied by timeScale so tests do not wait hours.

import type { FastifyBaseLogger } from 'fastify';
import { postForm } from '../server/http-post';
import { sign, withSign } from '../server/sign';
import type { PayjsNotify, ProviderName, XiaoweijufuNotify } from '../typings/provider';
import type { NotifyMode, ProviderOrder } from './provider-orders';

export const NOTIFY_SCHEDULES_MS: Record<ProviderName, readonly number[]> = {
  // 0, 10 s, 1 min, 3 min, 15 min, 1 h, 2 h, 6 h, 15 h
  xiaoweijufu: [0, 10_000, 60_000, 180_000, 900_000, 3_600_000, 7_200_000, 21_600_000, 54_000_000],
  // 0, 15 s, 30 s, 3 min, 30 min, 1 h
  payjs: [0, 15_000, 30_000, 180_000, 1_800_000, 3_600_000],
};

/** The provider waits at most this long for an answer (it wants one within 3 s). */
const ATTEMPT_TIMEOUT_MS = 3_000;

/** The notify's fields, typed by the contract the backend validates them with (server/contracts/provider.ts). */
export function notifyFields(order: ProviderOrder, dialect: ProviderName, merchantKey: string): XiaoweijufuNotify | PayjsNotify {
  const paid = order.status === 'paid';
  const common = {
    total_fee: String(order.totalFee),
    out_trade_no: order.outTradeNo,
    transaction_id: order.transactionId,
    time_end: order.timeEnd,
    openid: order.openid,
    attach: order.attach,
    mchid: order.mchid,
  };
  const fields =
    dialect === 'payjs'
      ? { return_code: paid ? '1' : '0', payjs_order_id: order.orderNo, ...common }
      : { status: paid ? '1' : '0', order_no: order.orderNo, ...common };
  return withSign(fields, merchantKey) as XiaoweijufuNotify | PayjsNotify;
}

export class Notifier {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inflight = new Set<Promise<unknown>>();
  private closed = false;

  constructor(
    private readonly dialect: ProviderName,
    private readonly merchantKey: string,
    private readonly timeScale: number,
    private readonly log: FastifyBaseLogger,
  ) {}

  /** Starts delivering the order's current state to its notify_url, acting out `mode`. */
  deliver(order: ProviderOrder, mode: NotifyMode, delayMs: number): void {
    if (!order.notifyUrl || mode === 'lost') {
      this.log.info({ outTradeNo: order.outTradeNo, mode }, 'notify not delivered (scenario or no notify_url)');
      return;
    }
    const schedule = NOTIFY_SCHEDULES_MS[this.dialect];
    const attempt = (index: number, extraDelay: number): void => {
      if (index >= schedule.length) {
        this.log.warn({ outTradeNo: order.outTradeNo }, 'notify schedule exhausted without success');
        return;
      }
      this.later(extraDelay + schedule[index] * this.timeScale, async () => {
        const accepted = await this.send(order, mode === 'bad-sign');
        if (!accepted) return attempt(index + 1, 0);
        // `repeat`: the provider sends the same notify once more after it was accepted
        if (mode === 'repeat' && order.notifyAttempts.filter((a) => a.accepted).length === 1) {
          this.later(0, async () => void (await this.send(order, false)));
        }
      });
    };
    attempt(0, delayMs);
  }

  private later(ms: number, task: () => Promise<void>): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const running = task().catch((error: Error) => this.log.error({ reason: error.message }, 'notify task failed'));
      this.inflight.add(running);
      void running.finally(() => this.inflight.delete(running));
    }, Math.max(0, Math.round(ms)));
    this.timers.add(timer);
  }

  private async send(order: ProviderOrder, badSign: boolean): Promise<boolean> {
    const fields = notifyFields(order, this.dialect, this.merchantKey);
    if (badSign) fields.sign = sign(fields, `${this.merchantKey}-not-the-key`);
    const at = Date.now();
    let status = 0;
    let answer: string;
    try {
      const reply = await postForm(order.notifyUrl as string, fields, ATTEMPT_TIMEOUT_MS);
      status = reply.status;
      answer = reply.text.slice(0, 200);
    } catch (error) {
      answer = (error as Error).message;
    }
    const accepted = status === 200 && answer.trim() === 'success';
    order.notifyAttempts.push({ at, status, answer, accepted, badSign });
    this.log.info({ outTradeNo: order.outTradeNo, status, accepted, badSign }, 'notify attempt');
    return accepted;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled([...this.inflight]);
  }
}
