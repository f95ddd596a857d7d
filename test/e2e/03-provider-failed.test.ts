// 3. The provider reports failure: not paid; "重新支付" pays a new attempt.
import { useStack, backendStatus, isShown, jumps, openCheckout, pendingOrder, setScenario, tap, waitForStatus } from './harness';

const stack = useStack();

it('shows not paid when the provider fails, and 重新支付 pays a new attempt', async () => {
  await setScenario(stack(), { outcome: 'failed' });
  const page = await openCheckout(stack());
  await tap(page, '#pay-button');

  await waitForStatus(page, /支付失败|尚未支付/, 10000);
  const failedOrder = await pendingOrder(stack());
  expect((await backendStatus(stack(), failedOrder!)).paySuccess).toBe(false);
  expect(await isShown(page, '#repay-button')).toBe(true);

  await setScenario(stack(), { outcome: 'paid' });
  await tap(page, '#repay-button');
  await waitForStatus(page, /待支付|支付成功/, 10000);
  if (await isShown(page, '#pay-button')) await tap(page, '#pay-button');
  await waitForStatus(page, /支付成功/, 10000);

  const paidOrder = await pendingOrder(stack());
  expect((await backendStatus(stack(), paidOrder!)).status).toBe('paid');
  expect((await backendStatus(stack(), failedOrder!)).status).not.toBe('paid');
  expect((await jumps(stack())).length).toBe(2);
}, 40000);
