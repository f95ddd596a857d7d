// 14. An order that expires before payment shows expired, and paying again creates a new order.
import { useStack, backendStatus, jumps, openCheckout, pendingOrder, setScenario, tap, waitForStatus } from './harness';

const TTL_MS = 2000;
const stack = useStack({ orderTtlMs: TTL_MS });

it('shows 订单已过期 for an order that expired unpaid, and pays a new order afterwards', async () => {
  // the user leaves for the pay mini program and does not pay before the order expires
  await setScenario(stack(), { outcome: 'back', backPaid: false });
  const page = await openCheckout(stack());
  await tap(page, '#pay-button');
  await waitForStatus(page, /订单已过期/, TTL_MS + 15000);
  const expired = (await pendingOrder(stack()))!;
  expect((await backendStatus(stack(), expired)).status).toBe('expired');

  await setScenario(stack(), { outcome: 'paid' });
  await tap(page, '#repay-button');
  await waitForStatus(page, /待支付/, 5000);
  await tap(page, '#pay-button');
  await waitForStatus(page, /支付成功/, 10000);

  const paid = (await pendingOrder(stack()))!;
  expect(paid.outTradeNo).not.toBe(expired.outTradeNo);
  expect((await backendStatus(stack(), paid)).status).toBe('paid');
  expect((await jumps(stack())).map((j) => j.extraData!.out_trade_no)).toEqual([expired.outTradeNo, paid.outTradeNo]);
}, 40000);
