// 3. The provider reports failure: not paid; "重新支付" pays a new attempt.
import { useStack, backendStatus, isShown, jumps, openCheckout, pendingOrder, setScenario, tap, waitForStatus } from './harness';

const stack = useStack();

it('shows not paid when the provider fails, and 重新支付 pays a new attempt', async () => {
  await setScenario(stack(), { outcome: 'failed' });
  const page = await openCheckout(stack());
  await tap(page, '#pay-button');

  // the sandbox's failure notify makes the backend's verdict final: failed
  await waitForStatus(page, /支付失败/, 10000);
  const failedOrder = await pendingOrder(stack());
  expect(await backendStatus(stack(), failedOrder!)).toMatchObject({ status: 'failed', paySuccess: false });
  expect(await isShown(page, '#repay-button')).toBe(true);

  await setScenario(stack(), { outcome: 'paid' });
  await tap(page, '#repay-button');
  await waitForStatus(page, /待支付/, 10000); // a failed order is dead: 重新支付 made a new one
  await tap(page, '#pay-button');
  await waitForStatus(page, /支付成功/, 10000);

  const paidOrder = await pendingOrder(stack());
  expect((await backendStatus(stack(), paidOrder!)).status).toBe('paid');
  expect((await backendStatus(stack(), failedOrder!)).status).not.toBe('paid');
  expect((await jumps(stack())).length).toBe(2);
}, 40000);
