// What a payer reads and what a screen reader says, on the real page (the checkout WXML rendered by the simulator with
// WeChat's template compiler), in every state: each phase, with each entry of the message table that can show in it.
import { promises as fs } from 'fs';
import * as path from 'path';
import { JSDOM } from 'jsdom';
import { MESSAGE_KEYS, MESSAGES } from '../../miniprogram/lib/messages';
import { allStates, startPageRenderer, type PageRenderer, type RenderedState } from './rendered-page';

jest.setTimeout(60000);

let renderer: PageRenderer;
const rendered: RenderedState[] = [];
beforeAll(async () => {
  renderer = await startPageRenderer();
  for (const state of allStates()) rendered.push(await renderer.render(state));
});
afterAll(async () => {
  await renderer?.close();
});

const parse = (wxml: string) => new JSDOM(`<body>${wxml}</body>`).window.document.body;

test('every entry of the message table is rendered in at least one state', () => {
  const shown = new Set(rendered.map((r) => r.state.message).filter(Boolean));
  expect(MESSAGE_KEYS.filter((k) => !shown.has(k))).toEqual([]);
  expect(rendered.length).toBeGreaterThan(40);
});

test('no English, no errMsg, no error code ever reaches the page: only Chinese, and digits only in the amount', () => {
  const problems: string[] = [];
  for (const r of rendered) {
    const text = r.text.replace(/¥[\d,]+\.\d\d/g, '');
    if (/[A-Za-z0-9_]/.test(text)) problems.push(`${r.name}: ${JSON.stringify(text)}`);
    // what a screen reader reads aloud is held to the same rule
    for (const el of Array.from(parse(r.wxml).querySelectorAll('[aria-label]'))) {
      const label = (el.getAttribute('aria-label') || '').replace(/¥[\d,]+\.\d\d/g, '');
      if (/[A-Za-z0-9_]/.test(label)) problems.push(`${r.name}: aria-label ${JSON.stringify(label)}`);
    }
  }
  expect(problems).toEqual([]);
});

test('each state shows its status and its message, in words the table gives', () => {
  for (const r of rendered) {
    expect({ state: r.name, status: r.text.includes(r.view.statusText) }).toEqual({ state: r.name, status: true });
    if (r.state.message) expect({ state: r.name, message: r.text.includes(MESSAGES[r.state.message].text) }).toEqual({ state: r.name, message: true });
  }
});

test('no 重试 where a retry cannot help; the buttons are the ones the table names', () => {
  const buttons = (r: RenderedState) =>
    Array.from(parse(r.wxml).querySelectorAll('button, navigator')).map((b) => b.getAttribute('id'));
  for (const r of rendered) {
    const key = r.state.message;
    const errorPhase = r.state.phase === 'load-error' || r.state.phase === 'blocked' || r.state.phase === 'check-error';
    if (!key || !errorPhase) continue;
    const actions = MESSAGES[key].actions || [];
    const expected = [
      ...(actions.includes('recheck') ? ['recheck-button'] : []),
      ...(actions.includes('repay') ? ['repay-button'] : []),
      ...(actions.includes('retry') || actions.includes('reorder') ? ['retry-button'] : []),
    ];
    expect({ state: r.name, buttons: buttons(r) }).toEqual({ state: r.name, buttons: expected });
  }
  const sku = rendered.find((r) => r.state.message === 'order.unknown_sku')!;
  expect(sku.text).toContain('商品不存在');
  expect(sku.text).not.toContain('重试');
});

describe('screen readers (WeChat aria-role / aria-label)', () => {
  test('every button and navigator, in every state, has a role and a label: "确认支付 按钮"', () => {
    const missing: string[] = [];
    let count = 0;
    for (const r of rendered) {
      for (const el of Array.from(parse(r.wxml).querySelectorAll('button, navigator'))) {
        count++;
        const role = el.getAttribute('aria-role');
        const label = el.getAttribute('aria-label');
        if (role !== 'button' || !label || label.trim() !== (el.textContent || '').trim()) missing.push(`${r.name}: #${el.id} role=${role} label=${label}`);
      }
    }
    expect(missing).toEqual([]);
    expect(count).toBeGreaterThan(40);
    const ready = rendered.find((r) => r.state.phase === 'ready' && !r.state.message)!;
    const pay = parse(ready.wxml).querySelector('#pay-button')!;
    expect(`${pay.getAttribute('aria-label')} ${pay.getAttribute('aria-role')}`).toBe('确认支付 button');
  });

  test('the status has a role and a label that says the payment state, and is announced when it changes', () => {
    for (const r of rendered) {
      const status = parse(r.wxml).querySelector('#pay-status')!.parentElement!;
      expect({ state: r.name, role: status.getAttribute('aria-role'), label: status.getAttribute('aria-label'), live: status.getAttribute('aria-live') })
        .toEqual({ state: r.name, role: 'status', label: `支付状态：${r.view.statusText}`, live: 'polite' });
    }
  });

  test('in the WXML source, every element with a tap or other handler carries aria-role and aria-label', async () => {
    const source = await fs.readFile(path.join(__dirname, '..', '..', 'miniprogram', 'pages', 'checkout', 'checkout.wxml'), 'utf8');
    const tags = Array.from(source.replace(/<!--[\s\S]*?-->/g, '').matchAll(/<([a-zA-Z][\w-]*)((?:\s+[^\s=>/]+(?:="[^"]*")?)*)\s*\/?>/g));
    const actionable = tags.filter(([, tag, attrs]) => /\s(bind|catch|capture-bind|capture-catch|mut-bind)[\w:-]*=/.test(attrs) || tag === 'button' || tag === 'navigator');
    expect(actionable.length).toBeGreaterThanOrEqual(5);
    const unlabelled = actionable
      .filter(([, , attrs]) => !/\saria-role="[^"]+"/.test(attrs) || !/\saria-label="[^"]+"/.test(attrs))
      .map(([whole]) => whole.replace(/\s+/g, ' '));
    expect(unlabelled).toEqual([]);
  });
});
