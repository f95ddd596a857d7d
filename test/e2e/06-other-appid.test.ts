// 6. Scene 1038 from another appId: ignored.
import { useStack, checkRequests, openCheckout, PROVIDER_APP_ID, setScenario, sleep, statusText, tap, waitForStatus } from './harness';

const stack = useStack();

it('ignores a return from another mini program, then confirms the real one', async () => {
  await setScenario(stack(), { outcome: 'paid' });
  const page = await openCheckout(stack());
  await stack().miniProgram.mockWxMethod('navigateToMiniProgram', { errMsg: 'navigateToMiniProgram:ok' });
  await tap(page, '#pay-button');
  await waitForStatus(page, /等待支付结果/, 5000);

  await stack().miniProgram.evaluate(() =>
    __sim.appShow({ scene: 1038, referrerInfo: { appId: 'wx0000000000000000', extraData: { success: true } } }));
  await sleep(1000);
  expect(await statusText(page)).toMatch(/等待支付结果/);
  expect(await checkRequests(stack())).toHaveLength(0);

  await stack().miniProgram.evaluate((appId: string) =>
    __sim.appShow({ scene: 1038, referrerInfo: { appId, extraData: {} } }), PROVIDER_APP_ID);
  await waitForStatus(page, /正在确认|尚未支付/, 5000);
  expect((await checkRequests(stack())).length).toBeGreaterThanOrEqual(1);
}, 30000);
