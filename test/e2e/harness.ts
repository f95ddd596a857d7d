// The e2e stack: the real backend and sandbox on 127.0.0.1, the mini program built from miniprogram/ with that
// backend's URL baked in, and a runtime that the official miniprogram-automator client drives: our simulator by
// default, real WeChat DevTools when WECHAT_DEVTOOLS_CLI is set. Started the one way the project starts the app with
// everything around it (scripts/app-stack.ts, which the browser tests and the README pictures use too); this file adds
// jest's life cycle and what the specs assert on.
//
// Specs talk to the app only through the public automator API and the simulator's `__sim` global, to the sandbox
// only through its /scenario route, and to the backend only through its public routes.

import type Page from 'miniprogram-automator/out/Page';
import type { PayCheckResponse } from '../../typings/api';
import { openCheckout as openCheckoutPage, startAppStack, textOf, type AppStack, type AppStackOptions, type Scenario } from '../../scripts/app-stack';
import { PENDING_ORDERS_KEY, storedOrders } from '../../miniprogram/lib/pending-store';

export { CHECKOUT_PAGE, devtoolsCli, sleep, statusText, waitForStatus, waitUntil, type Scenario } from '../../scripts/app-stack';
export const PROVIDER_APP_ID = 'wx959c8c1fb2d89988';

export type StackOptions = Pick<AppStackOptions, 'orderTtlMs' | 'providerQueryAfterMs' | 'runtime'>;
export type Stack = AppStack;

/** Starts everything one spec file needs, in dependency order, and tears it down in reverse. */
export function startStack(options: StackOptions = {}): Promise<Stack> {
  // a check still pending after 1.5 s asks the provider's order query (the lost-notify specs rely on it)
  return startAppStack({ ...options, providerQueryAfterMs: options.providerQueryAfterMs ?? 1500 });
}

/**
 * Starts one stack for the spec file that calls it (in beforeAll) and stops it after its last test. The returned
 * function gives the running stack inside tests.
 */
export function useStack(options: StackOptions = {}): () => Stack {
  let stack: Stack | undefined;
  beforeAll(async () => {
    stack = await startStack(options);
  }, options.runtime === 'devtools' ? 120000 : 60000);
  afterAll(async () => {
    await stack?.close();
  }, 30000); // closing a launched stack may wait out automator.launch's timer (scripts/app-stack.ts)
  return () => {
    if (!stack) throw new Error('the e2e stack did not start (see the beforeAll error above)');
    return stack;
  };
}

export async function setScenario(stack: Stack, scenario: Scenario): Promise<void> {
  await stack.setScenario(scenario);
}

/** Opens the checkout page afresh (a new order) without the client's fixed 3 s navigation sleep. */
export async function openCheckout(stack: Stack, query = ''): Promise<Page> {
  return openCheckoutPage(stack.miniProgram, { query, timeoutMs: 5000 });
}

/** The message under the status (#pay-message): what happened and what to do; '' when there is none. */
export function messageText(page: Page): Promise<string> {
  return textOf(page, '#pay-message');
}

export async function tap(page: Page, selector: string): Promise<void> {
  const el = await page.$(selector);
  if (!el) throw new Error(`${selector} is not on the page`);
  await el.tap();
}

export async function isShown(page: Page, selector: string): Promise<boolean> {
  return (await page.$(selector)) !== null;
}

export interface StoredPendingOrder {
  outTradeNo: string;
  orderToken: string;
}

/** The order the page is paying (the most recent jump), as the app itself stored it before the jump. */
export async function pendingOrder(stack: Stack): Promise<StoredPendingOrder | undefined> {
  return storedOrders(await stack.miniProgram.callWxMethod('getStorageSync', PENDING_ORDERS_KEY))[0];
}

/** What the app handed to other mini programs, as the simulator recorded each jump. */
export interface JumpRecord {
  appId: string;
  path?: string;
  extraData?: Record<string, unknown>;
  /** what the other mini program handed back on return */
  returnedExtraData?: Record<string, unknown>;
}

export async function jumps(stack: Stack): Promise<JumpRecord[]> {
  return stack.miniProgram.evaluate(() => __sim.jumps());
}

/** How many POST /api/pay/check the app has sent so far. */
export async function checkRequests(stack: Stack): Promise<{ at: number }[]> {
  const all: { url: string; at: number }[] = await stack.miniProgram.evaluate(() => __sim.requests());
  return all.filter((r) => r.url.includes('/api/pay/check'));
}

/**
 * The outcome the paying user expects: exactly one jump, carrying the order the app stored, and the backend holding
 * that order as paid. Returns the order.
 */
export async function expectPaidByOneJump(stack: Stack): Promise<StoredPendingOrder> {
  const made = await jumps(stack);
  expect(made).toHaveLength(1);
  const order = (await pendingOrder(stack))!;
  expect(made[0].extraData!.out_trade_no).toBe(order.outTradeNo);
  expect((await backendStatus(stack, order)).status).toBe('paid');
  return order;
}

/** What the backend says right now about an order: the only source of truth for money. */
export async function backendStatus(stack: Stack, order: StoredPendingOrder): Promise<PayCheckResponse> {
  const res = await fetch(`${stack.serverUrl}/api/pay/check`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ outTradeNo: order.outTradeNo, orderToken: order.orderToken, waitMs: 0 }),
  });
  if (!res.ok) throw new Error(`backend /api/pay/check answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as PayCheckResponse;
}
