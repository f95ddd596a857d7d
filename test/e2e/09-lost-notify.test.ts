// 9. Notify lost: the order is still confirmed paid, through the provider query.
import { backendStatus, openCheckout, pendingOrder, setScenario, startStack, tap, waitForStatus, type Stack } from './harness';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ providerQueryAfterMs: 1500 });
}, 60000);
afterAll(() => stack?.close());

it('confirms a payment whose notify never arrives, through the provider order query', async () => {
  await setScenario(stack, { outcome: 'paid', notify: 'lost' });
  const page = await openCheckout(stack);
  await tap(page, '#pay-button');
  await waitForStatus(page, /支付成功/, 15000);

  const order = (await pendingOrder(stack))!;
  expect((await backendStatus(stack, order)).status).toBe('paid');
  const res = await fetch(`${stack.sandboxUrl}/orders?out_trade_no=${order.outTradeNo}`);
  const { orders } = (await res.json()) as { orders: { notifyAttempts: unknown[] }[] };
  expect(orders[0].notifyAttempts).toHaveLength(0);
}, 30000);
