// 9. Notify lost: the order is still confirmed paid, through the provider query.
import { useStack, backendStatus, openCheckout, pendingOrder, setScenario, tap, waitForStatus } from './harness';

const stack = useStack({ providerQueryAfterMs: 1500 });

it('confirms a payment whose notify never arrives, through the provider order query', async () => {
  await setScenario(stack(), { outcome: 'paid', notify: 'lost' });
  const page = await openCheckout(stack());
  await tap(page, '#pay-button');
  await waitForStatus(page, /支付成功/, 15000);

  const order = (await pendingOrder(stack()))!;
  expect((await backendStatus(stack(), order)).status).toBe('paid');
  const res = await fetch(`${stack().sandboxUrl}/orders?out_trade_no=${order.outTradeNo}`);
  const { orders } = (await res.json()) as { orders: { notifyAttempts: unknown[] }[] };
  expect(orders[0].notifyAttempts).toHaveLength(0);
}, 30000);
