// 8. Notify delayed by 5 s: the page confirms within a second of it, with no more than a few checks.
import { useStack, backendStatus, checkRequests, openCheckout, pendingOrder, setScenario, tap, waitForStatus } from './harness';

// the provider query fallback must not beat the notify here: this spec is about the notify waking the check
const stack = useStack({ providerQueryAfterMs: 20000 });

it('shows 支付成功 within a second of a notify that came 5 s late, using only a few checks', async () => {
  await setScenario(stack(), { outcome: 'paid', notifyDelayMs: 5000 });
  const page = await openCheckout(stack());
  const tappedAt = Date.now();
  await tap(page, '#pay-button');
  await waitForStatus(page, /正在确认/, 5000);
  await waitForStatus(page, /支付成功/, 15000);
  const seenAt = Date.now();

  const verdict = await backendStatus(stack(), (await pendingOrder(stack()))!);
  expect(verdict.status).toBe('paid');
  const paidAt = Date.parse(verdict.paidAt!);
  expect(paidAt - tappedAt).toBeGreaterThanOrEqual(4500); // the notify really was late
  expect(seenAt - paidAt).toBeLessThan(1000);
  expect((await checkRequests(stack())).length).toBeLessThanOrEqual(3);
}, 30000);
