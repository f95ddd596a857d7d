// 1. Paid: tap Pay, the jump carries the signed params, the app comes back with scene 1038, "支付成功" shows, and the
//    backend holds the order as paid.
import { useStack, backendStatus, jumps, openCheckout, pendingOrder, PROVIDER_APP_ID, setScenario, tap, waitForStatus } from './harness';

const stack = useStack();

it('pays, comes back with scene 1038 and shows the backend-confirmed 支付成功', async () => {
  await setScenario(stack(), { outcome: 'paid' });
  const page = await openCheckout(stack());
  expect((await (await page.$('#order-amount'))!.text()).trim()).toBe('¥19.90');

  await tap(page, '#pay-button');
  await waitForStatus(page, /支付成功/, 10000);

  const [jump] = await jumps(stack());
  expect(jump.appId).toBe(PROVIDER_APP_ID);
  expect(jump.path).toBe('pages/pay');
  expect(jump.extraData).toMatchObject({ total_fee: 1990, sign: expect.stringMatching(/^[0-9A-F]{32}$/) });

  const order = await pendingOrder(stack());
  expect(order?.outTradeNo).toBe(jump.extraData!.out_trade_no);
  const verdict = await backendStatus(stack(), order!);
  expect(verdict).toMatchObject({ status: 'paid', paySuccess: true });

  const launch = await stack().miniProgram.callWxMethod('getEnterOptionsSync');
  expect(launch.scene).toBe(1038);
  expect(launch.referrerInfo.appId).toBe(PROVIDER_APP_ID);
}, 30000);
