// 10. Cold restart while away (the simulator's restart with scene 1038): the pending order is resumed and confirmed.
import { useStack, backendStatus, CHECKOUT_PAGE, pendingOrder, PROVIDER_APP_ID, openCheckout, tap, waitForStatus, waitUntil } from './harness';

const stack = useStack();

it('resumes the stored order after WeChat killed the app while the user paid', async () => {
  const page = await openCheckout(stack());
  // The jump leaves the app; the user pays in the provider's mini program; meanwhile WeChat destroys ours.
  await stack().miniProgram.mockWxMethod('navigateToMiniProgram', function (this: unknown, options: { extraData: unknown }) {
    (globalThis as Record<string, unknown>).__lastJumpExtraData = options.extraData;
    return { errMsg: 'navigateToMiniProgram:ok' };
  });
  await tap(page, '#pay-button');
  await waitForStatus(page, /等待支付结果/, 5000);
  const payParams = await stack().miniProgram.evaluate(() => (globalThis as Record<string, unknown>).__lastJumpExtraData);
  const stored = (await pendingOrder(stack()))!;
  expect(stored.outTradeNo).toBe(payParams.out_trade_no);

  const paid = await fetch(`${stack().sandboxUrl}/pay`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(payParams),
  });
  const extraData = await paid.json();
  expect(extraData.success).toBe(true);

  await stack().miniProgram.evaluate((appId: string, data: Record<string, unknown>) =>
    __sim.restart({ scene: 1038, referrerInfo: { appId, extraData: data } }), PROVIDER_APP_ID, extraData);

  const resumed = await waitUntil(async () => {
    const current = await stack().miniProgram.currentPage();
    return current && current.path === CHECKOUT_PAGE ? current : undefined;
  }, 5000, 'the checkout page after the cold start');
  await waitForStatus(resumed, /支付成功/, 10000);
  expect((await backendStatus(stack(), stored)).status).toBe('paid');
}, 30000);
