// 15. What the payer reads when things go wrong: the backend stopped during confirmation (无法连接服务器, not the
// payer's network) and the message gone as soon as it is back; an unknown sku (商品不存在, no 重试).
import { CHECKOUT_PAGE, isShown, messageText, openCheckout, pendingOrder, setScenario, statusText, tap, useStack, waitForStatus, waitUntil } from './harness';

const stack = useStack();

it('backend stopped while confirming: 无法连接服务器 with a way to recheck; cleared within about a second of it coming back', async () => {
  // the user leaves the pay mini program without paying: the order stays pending, the page keeps confirming
  await setScenario(stack(), { outcome: 'back', backPaid: false });
  const page = await openCheckout(stack());
  await tap(page, '#pay-button');
  await waitForStatus(page, /正在确认支付结果/, 10000);

  await stack().stopBackend();
  const message = await waitUntil(async () => {
    const text = await messageText(page);
    return text.includes('无法连接服务器') ? text : undefined;
  }, 10000, 'the page to say it cannot reach the server');
  expect(message).not.toContain('网络'); // the phone is online: the payer's network is not to blame
  expect(await statusText(page)).toBe('暂时无法确认支付结果');
  expect(await isShown(page, '#recheck-button')).toBe(true);
  expect(await isShown(page, '#repay-button')).toBe(true);
  await new Promise((r) => setTimeout(r, 2000)); // down for a while: the message stays, the app keeps trying

  expect(await messageText(page)).toContain('无法连接服务器');
  const back = Date.now();
  await stack().startBackend();
  await waitUntil(async () => (await messageText(page)) === '' && /正在确认支付结果/.test(await statusText(page)), 10000, 'the message to clear once the backend answers');
  const clearedMs = Date.now() - back;
  console.info(`message cleared ${clearedMs} ms after the backend listened again`);
  // retries come about once a second while the backend refuses connections; slack for a loaded CI machine
  expect(clearedMs).toBeLessThan(3000);
  expect(await isShown(page, '#recheck-button')).toBe(false);
  expect((await pendingOrder(stack()))!.outTradeNo).toBeTruthy();
}, 60000);

it('an unknown sku: 商品不存在, what to do, and no 重试 (it can never succeed); no English on the page', async () => {
  await stack().miniProgram.callWxMethod('reLaunch', { url: `/${CHECKOUT_PAGE}?sku=nope` });
  const page = await waitUntil(async () => {
    const current = await stack().miniProgram.currentPage();
    return current && current.path === CHECKOUT_PAGE && (await statusText(current)) === '商品不存在' ? current : undefined;
  }, 10000, 'the checkout page to say 商品不存在');
  expect(await messageText(page)).toContain('请返回上一页重新选择');
  expect(await isShown(page, '#retry-button')).toBe(false);
  expect(await isShown(page, '#pay-button')).toBe(false);
  const text = await (await page.$('.page'))!.text();
  expect(text).not.toMatch(/[A-Za-z]/);
}, 30000);
