// 13. The tap rule: a jump after an await is refused by the simulator, and the page's navigator fallback still pays.
import { expectPaidByOneJump, isShown, jumps, openCheckout, setScenario, tap, useStack, waitForStatus, waitUntil } from './harness';

const stack = useStack();

it('falls back to <navigator target="miniProgram"> when WeChat refuses a jump outside a tap', async () => {
  await setScenario(stack(), { outcome: 'paid' });
  const page = await openCheckout(stack());

  // the page's pay handler, reached after an await instead of in a tap's synchronous turn
  await stack().miniProgram.evaluate(async () => {
    await new Promise((resolve) => setTimeout(resolve, 10));
    const pages = getCurrentPages();
    (pages[pages.length - 1] as unknown as { onPayTap(): void }).onPayTap();
  });
  await waitUntil(() => isShown(page, '#pay-navigator'), 5000, 'the navigator fallback');
  expect(await jumps(stack())).toHaveLength(0);
  const navigator = (await page.$('#pay-navigator'))!;
  expect(await navigator.attribute('target')).toBe('miniProgram');

  await tap(page, '#pay-navigator');
  await waitForStatus(page, /支付成功/, 10000);
  await expectPaidByOneJump(stack());
}, 30000);
