// 11. Offline during confirmation: the page says the phone has no network (WeChat reports it), keeps a way to
// recheck, and confirms by itself once WeChat reports the network back (onNetworkStatusChange).
import { useStack, backendStatus, isShown, messageText, openCheckout, pendingOrder, setScenario, tap, waitForStatus } from './harness';

const stack = useStack();

it('offers 我已支付，重新查询 while offline, and confirms by itself once back online', async () => {
  await setScenario(stack(), { outcome: 'paid' });
  const page = await openCheckout(stack());
  // the jump needs no network: the phone loses it after the order was made
  await stack().miniProgram.evaluate(() => __sim.setNetwork({ online: false }));
  await tap(page, '#pay-button');

  await waitForStatus(page, /暂时无法确认/, 10000);
  expect(await messageText(page)).toContain('手机没有连上网络');
  expect(await isShown(page, '#recheck-button')).toBe(true);
  expect(await isShown(page, '#repay-button')).toBe(true);

  await stack().miniProgram.evaluate(() => __sim.setNetwork({ online: true }));
  await waitForStatus(page, /支付成功/, 10000);
  expect(await messageText(page)).toBe('');
  expect((await backendStatus(stack(), (await pendingOrder(stack()))!)).status).toBe('paid');
}, 60000);
