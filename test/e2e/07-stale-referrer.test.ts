// 7. A stale referrerInfo on a later onShow: not processed again.
import { useStack, checkRequests, jumps, openCheckout, PROVIDER_APP_ID, setScenario, sleep, statusText, tap, waitForStatus } from './harness';

const stack = useStack();

it('does not treat the same referrerInfo on a later onShow as a new return', async () => {
  await setScenario(stack(), { outcome: 'paid' });
  let page = await openCheckout(stack());
  await tap(page, '#pay-button');
  await waitForStatus(page, /支付成功/, 10000);
  const [jump] = await jumps(stack());
  const staleReferrer = { appId: PROVIDER_APP_ID, extraData: jump.returnedExtraData };

  // a new order on a fresh page; then WeChat replays the old return on a plain show
  page = await openCheckout(stack());
  const checksBefore = (await checkRequests(stack())).length;
  await stack().miniProgram.evaluate((referrerInfo: { appId: string }) =>
    __sim.appShow({ scene: 1038, referrerInfo }), staleReferrer);
  await sleep(1000);
  expect(await statusText(page)).toMatch(/待支付/);
  expect((await checkRequests(stack())).length).toBe(checksBefore);
}, 30000);
