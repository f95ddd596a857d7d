// 2. The user cancels WeChat's jump dialog (`fail cancel`): the order stays payable and a second tap pays it.
import { expectPaidByOneJump, openCheckout, setScenario, statusText, tap, useStack, waitForStatus } from './harness';

const stack = useStack();

it('leaves the order payable after fail cancel, and a second tap pays the same order', async () => {
  await setScenario(stack(), { outcome: 'paid' });
  const page = await openCheckout(stack());

  await stack().miniProgram.mockWxMethod('navigateToMiniProgram', { errMsg: 'navigateToMiniProgram:fail cancel' });
  await tap(page, '#pay-button');
  await waitForStatus(page, /待支付/, 5000);
  expect(await (await page.$('#pay-button'))!.attribute('disabled')).not.toBe('true');
  expect(await statusText(page)).not.toMatch(/失败|过期/);

  await stack().miniProgram.restoreWxMethod('navigateToMiniProgram');
  await tap(page, '#pay-button');
  await waitForStatus(page, /支付成功/, 10000);

  await expectPaidByOneJump(stack());
}, 30000);
