// 12. Double tap on Pay: one order, one jump.
import { useStack, backendStatus, jumps, openCheckout, pendingOrder, setScenario, waitForStatus } from './harness';

const stack = useStack();

it('makes one jump for one order when Pay is tapped twice', async () => {
  await setScenario(stack(), { outcome: 'paid' });
  const page = await openCheckout(stack());
  const button = (await page.$('#pay-button'))!;
  await Promise.all([button.tap(), button.tap()]);
  await waitForStatus(page, /支付成功/, 10000);

  const made = await jumps(stack());
  expect(made).toHaveLength(1);
  const order = (await pendingOrder(stack()))!;
  expect(made[0].extraData!.out_trade_no).toBe(order.outTradeNo);
  expect((await backendStatus(stack(), order)).status).toBe('paid');
}, 30000);
