// 4. Back key (empty extraData): the result is still confirmed with the backend.
import { useStack, backendStatus, checkRequests, jumps, openCheckout, pendingOrder, setScenario, tap, waitForStatus } from './harness';

const stack = useStack();

it('confirms with the backend when the user comes back with the back key', async () => {
  await setScenario(stack(), { outcome: 'back', backPaid: true });
  const page = await openCheckout(stack());
  await tap(page, '#pay-button');

  await waitForStatus(page, /支付成功/, 15000);
  const [jump] = await jumps(stack());
  expect(jump.returnedExtraData ?? {}).toEqual({});
  expect((await checkRequests(stack())).length).toBeGreaterThanOrEqual(1);
  expect((await backendStatus(stack(), (await pendingOrder(stack()))!)).status).toBe('paid');
}, 30000);
