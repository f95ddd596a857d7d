// The pay mini program's stand-in page for a person watching the simulator's live preview: the amount, the order
// title and the buttons 立即支付 / 取消支付 (and the navigation bar's back). What the person chooses is acted out
// through the sandbox exactly as a scripted payment is: POST /scenario with that outcome, then POST /pay with the
// jump's fields; the scenario that was set before is put back afterwards.

import http from 'node:http';
import { postJson } from '../common/http-client';
import type { MiniProgramJump, OtherMiniProgramScreen } from '../typings/mini-program-handler';

/** The person's choice on the pay page, as the sandbox scenario that acts it out. */
const OUTCOMES: Record<string, Record<string, unknown>> = {
  pay: { outcome: 'paid' },
  cancel: { outcome: 'cancelled' },
  // the navigation bar's back before paying: the app gets no extraData, and nothing was paid
  back: { outcome: 'back', backPaid: false },
};

function yuan(fen: unknown): string {
  const n = Number(fen);
  return Number.isFinite(n) ? `¥${(n / 100).toFixed(2)}` : '¥—';
}

export function payPageScreen(jump: MiniProgramJump): OtherMiniProgramScreen {
  const fields = jump.extraData ?? {};
  const rows = [
    { label: '商品', value: String(fields.body ?? '') },
    { label: '商户号', value: String(fields.mchid ?? '') },
  ].filter((r) => r.value);
  return {
    title: '小微聚付',
    brand: '小微聚付 · 本地沙箱',
    headline: String(fields.body ?? '订单支付'),
    amount: yuan(fields.total_fee),
    rows,
    actions: [
      { id: 'pay', text: '立即支付', primary: true },
      { id: 'cancel', text: '取消支付' },
    ],
    note: '这是本地沙箱的支付页，不会真实扣款',
  };
}

function getJson(url: string, timeoutMs: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, timeout: timeoutMs }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        try {
          resolve(JSON.parse(text));
        } catch {
          reject(new Error(`GET ${url} answered HTTP ${res.statusCode} with a body that is not JSON`));
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
  });
}

/**
 * Acts out the person's choice (`pay`, `cancel`, `back`) in the sandbox and answers what /pay answers, the
 * extraData the app gets back. `closed` (the app was relaunched meanwhile) touches nothing.
 */
export async function actOutChoice(
  sandboxUrl: string,
  choice: string,
  pay: () => Promise<{ extraData?: Record<string, unknown> }>,
): Promise<{ extraData?: Record<string, unknown> }> {
  const outcome = OUTCOMES[choice];
  if (!outcome) return {};
  const base = sandboxUrl.replace(/\/+$/, '');
  const previous = (await getJson(`${base}/scenario`, 5_000)) as Record<string, unknown>;
  await postJson(`${base}/scenario`, { ...previous, ...outcome }, 5_000);
  try {
    return await pay();
  } finally {
    await postJson(`${base}/scenario`, previous, 5_000).catch(() => undefined);
  }
}
