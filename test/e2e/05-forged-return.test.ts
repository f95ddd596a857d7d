// 5. Forged return: scene 1038 from the provider's appId with `success: true` while the sandbox took no money: the
//    page never says paid.
import { useStack, backendStatus, checkRequests, openCheckout, pendingOrder, PROVIDER_APP_ID, sleep, statusText, tap, waitForStatus } from './harness';

const stack = useStack();

it('never shows 支付成功 for a forged success: true that the backend does not confirm', async () => {
  const page = await openCheckout(stack());
  // the jump "succeeds" but no payment happens anywhere
  await stack().miniProgram.mockWxMethod('navigateToMiniProgram', { errMsg: 'navigateToMiniProgram:ok' });
  await tap(page, '#pay-button');
  await waitForStatus(page, /等待支付结果/, 5000);

  await stack().miniProgram.evaluate((appId: string) =>
    __sim.appShow({ scene: 1038, referrerInfo: { appId, extraData: { success: true, resultCode: 'SUCCESS', msg: '支付成功', payjsOrderId: 'forged-1' } } }),
  PROVIDER_APP_ID);

  await waitForStatus(page, /正在确认/, 5000);
  for (let i = 0; i < 20; i++) {
    expect(await statusText(page)).not.toMatch(/支付成功/);
    await sleep(150);
  }
  expect((await checkRequests(stack())).length).toBeGreaterThanOrEqual(1);
  const verdict = await backendStatus(stack(), (await pendingOrder(stack()))!);
  expect(verdict.paySuccess).toBe(false);
}, 30000);
