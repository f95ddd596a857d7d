// 7. A stale referrerInfo on a later onShow: not processed again.
import { checkRequests, isShown, jumps, openCheckout, PROVIDER_APP_ID, setScenario, sleep, statusText, tap, useStack, waitForStatus } from './harness';

const stack = useStack();

it('does not treat the same referrerInfo on a later onShow as a new return', async () => {
  await setScenario(stack(), { outcome: 'paid' });
  const page = await openCheckout(stack());
  await tap(page, '#pay-button');
  await waitForStatus(page, /支付成功/, 10000);
  const [jump] = await jumps(stack());
  const staleReferrer = { appId: PROVIDER_APP_ID, extraData: jump.returnedExtraData };
  const checksAfterPaid = (await checkRequests(stack())).length;

  // Android replays the old referrerInfo on a plain show, on the very page that handled it
  await stack().miniProgram.evaluate((referrerInfo: { appId: string }) =>
    __sim.appShow({ scene: 1038, referrerInfo }), staleReferrer);
  await sleep(1000);
  expect(await statusText(page)).toBe('支付成功');
  expect(await checkRequests(stack())).toHaveLength(checksAfterPaid);
  expect(await isShown(page, '#pay-button')).toBe(false);
}, 30000);
