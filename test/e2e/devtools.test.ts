// The DevTools pass: the same app, backend and sandbox, driven in real WeChat DevTools when WECHAT_DEVTOOLS_CLI names
// its CLI. DevTools cannot act out a return from another mini program (no scene control), so this pass covers what
// happens up to the jump; the return paths run in the simulator specs beside it.
import { devtoolsCli, openCheckout, tap, useStack, waitForStatus } from './harness';

if (!devtoolsCli) {
  // straight to stderr: jest does not print the console of a test file whose tests were all skipped
  process.stderr.write('DevTools pass skipped: WECHAT_DEVTOOLS_CLI is not set (point it at WeChat DevTools\' cli to run it).\n');
}
const describeDevtools = devtoolsCli ? describe : describe.skip;

describeDevtools('in WeChat DevTools', () => {
  const stack = useStack({ runtime: 'devtools' });

  it('shows the signed order and jumps once with the backend-signed params', async () => {
    const page = await openCheckout(stack());
    expect((await (await page.$('#order-amount'))!.text()).trim()).toBe('¥19.90');

    await stack().miniProgram.mockWxMethod('navigateToMiniProgram', function (this: unknown, options: { extraData: unknown }) {
      const g = globalThis as Record<string, unknown>;
      g.__jumps = ((g.__jumps as unknown[]) || []).concat([options.extraData]);
      return { errMsg: 'navigateToMiniProgram:ok' };
    });
    const button = (await page.$('#pay-button'))!;
    await Promise.all([button.tap(), button.tap()]);
    await waitForStatus(page, /等待支付结果/, 10000);
    const sent: Record<string, unknown>[] = await stack().miniProgram.evaluate(() => (globalThis as Record<string, unknown>).__jumps);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ total_fee: 1990, sign: expect.stringMatching(/^[0-9A-F]{32}$/) });
    await stack().miniProgram.restoreWxMethod('navigateToMiniProgram');
  }, 60000);

  it('leaves the order payable when the user cancels the jump dialog', async () => {
    const page = await openCheckout(stack());
    await stack().miniProgram.mockWxMethod('navigateToMiniProgram', { errMsg: 'navigateToMiniProgram:fail cancel' });
    await tap(page, '#pay-button');
    await waitForStatus(page, /待支付/, 10000);
    await stack().miniProgram.restoreWxMethod('navigateToMiniProgram');
  }, 60000);
});
