// 12. Double tap on Pay: one order, one jump.
import { expectPaidByOneJump, openCheckout, setScenario, useStack, waitForStatus } from './harness';

const stack = useStack();

it('makes one jump for one order when Pay is tapped twice', async () => {
  await setScenario(stack(), { outcome: 'paid' });
  const page = await openCheckout(stack());
  const button = (await page.$('#pay-button'))!;
  await Promise.all([button.tap(), button.tap()]);
  await waitForStatus(page, /支付成功/, 10000);

  await expectPaidByOneJump(stack());
}, 30000);
