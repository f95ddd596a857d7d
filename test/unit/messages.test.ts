// What the payer reads: every problem the page can meet, through the real app and page (fake wx), and the table.
import { promises as fs } from 'fs';
import * as path from 'path';
import { ApiError } from '../../miniprogram/lib/api';
import { BACKEND_CODES, MESSAGE_KEYS, MESSAGES, messageForError, NOTIFY_ONLY_CODES } from '../../miniprogram/lib/messages';
import { createFakeBackend, createFakeWx } from '../fixtures/fake-wx';
import { consoleWarnings, launch, returnFromProvider, settle } from './harness';

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

const ROOT = path.join(__dirname, '..', '..');

describe('creating the order', () => {
  test('an unknown sku: 商品不存在, no 重试 (it cannot succeed), and the backend\'s English message only in the console', async () => {
    const mp = launch();
    const page = mp.openCheckout({ sku: 'nope' });
    await settle();
    expect(page.data.statusText).toBe('商品不存在');
    expect(page.data.messageText).toBe(MESSAGES['order.unknown_sku'].text);
    expect(page.data.showRetry).toBe(false);
    expect(page.data.showPay).toBe(false);
    expect(consoleWarnings.join('\n')).toContain('HTTP 400 unknown_sku: No product with sku "nope"');
  });

  test('backend unreachable while the phone is online: 无法连接服务器 with 重试, never blaming the network', async () => {
    const mp = launch();
    mp.backend.failNextOrder({ fail: 'net::ERR_CONNECTION_REFUSED' });
    const page = mp.openCheckout();
    await settle();
    expect(page.data.messageText).toBe(MESSAGES['order.unreachable'].text);
    expect(page.data.messageText).not.toMatch(/网络/);
    expect(page.data.showRetry).toBe(true);
    expect(consoleWarnings.join('\n')).toContain('request:fail net::ERR_CONNECTION_REFUSED');
  });

  test('phone offline (WeChat says so): the network is named, and the order is created by itself once it returns', async () => {
    const mp = launch();
    mp.fake.setOnline(false);
    const page = mp.openCheckout();
    await settle();
    expect(page.data.messageText).toBe(MESSAGES['order.offline'].text);
    expect(page.data.messageText).toContain('网络');
    mp.fake.setOnline(true);
    await settle();
    expect(page.data.statusText).toBe('待支付');
    expect(page.data.messageText).toBe('');
  });

  test.each([
    [429, 'rate_limited', 'order.rate_limited', true],
    [503, 'store_unavailable', 'order.unavailable', true],
    [500, 'internal', 'order.unavailable', true],
    [502, undefined, 'order.unavailable', true],
    [400, 'invalid_request', 'order.invalid', false],
    [404, 'not_found', 'order.misconfigured', false],
    [418, 'something_new', 'order.refused', true],
  ] as const)('HTTP %i %s → %s (重试: %s)', async (statusCode, code, key, retry) => {
    const mp = launch();
    mp.backend.failNextOrder({ statusCode, data: code ? { error: { code, message: `English detail for ${code}` } } : '<html>Bad Gateway</html>' });
    const page = mp.openCheckout();
    await settle();
    expect(page.data.messageText).toBe(MESSAGES[key].text);
    expect(page.data.showRetry).toBe(retry);
    expect(page.data.messageText).not.toMatch(/[A-Za-z]/);
  });
});

describe('confirming', () => {
  async function confirming(backend = createFakeBackend()) {
    const mp = launch({ backend });
    const page = mp.openCheckout();
    await settle();
    mp.tap(page, 'onPayTap');
    await settle();
    return { mp, page };
  }

  test('phone offline during confirmation: says so, sends nothing meanwhile, and confirms by itself when it returns', async () => {
    const { mp, page } = await confirming();
    mp.fake.setOnline(false);
    mp.fake.appShow(returnFromProvider({}));
    await settle();
    expect(page.data.messageText).toBe(MESSAGES['check.offline'].text);
    const sent = mp.fake.requests.length;
    await settle(30000);
    expect(mp.fake.requests.length).toBeLessThanOrEqual(sent + 4); // one try per 8 s at most, in case WeChat never says
    mp.backend.setStatus('T000001', 'paid');
    mp.fake.setOnline(true);
    await settle();
    expect(page.data.statusText).toBe('支付成功');
    expect(page.data.messageText).toBe('');
  });

  test('the confirmer gave up after a long outage: the network coming back restarts it without a tap', async () => {
    const { mp, page } = await confirming();
    mp.backend.failNext(100000, { fail: 'net::ERR_CONNECTION_REFUSED' });
    mp.fake.appShow(returnFromProvider({}));
    await settle(6 * 60000);
    expect(page.data.messageText).toBe(MESSAGES['check.stopped'].text);
    const sent = mp.backend.checks.length;
    await settle(60000);
    expect(mp.backend.checks.length).toBe(sent); // stopped for good: only a tap or the network restarts it
    mp.backend.clearFaults();
    mp.backend.setStatus('T000001', 'paid');
    mp.fake.setOnline(false);
    mp.fake.setOnline(true);
    await settle();
    expect(page.data.statusText).toBe('支付成功');
  });

  test.each([
    [{ statusCode: 429, data: { error: { code: 'rate_limited', message: 'slow down' } } }, 'check.rate_limited'],
    [{ statusCode: 503, data: { error: { code: 'store_unavailable', message: 'disk' } } }, 'check.unavailable'],
    [{ statusCode: 400, data: { error: { code: 'invalid_request', message: 'body.waitMs must be <= 30000' } } }, 'check.refused'],
    [{ statusCode: 200, data: { outTradeNo: 'T999', status: 'paid', paySuccess: true } }, 'check.bad_response'],
    [{ fail: 'timeout' }, 'check.timeout'],
  ] as const)('%j → %s, with 我已支付，重新查询 and 重新支付', async (answer, key) => {
    const { mp, page } = await confirming();
    mp.backend.failNext(1, answer);
    mp.fake.appShow(returnFromProvider({}));
    await settle();
    expect(page.data.messageText).toBe(MESSAGES[key].text);
    expect(page.data.showRecheck).toBe(true);
    expect(page.data.showRepay).toBe(true);
  });

  test('the jump refused by WeChat (not the tap rule, not a cancel): a message, the errMsg only in the console', async () => {
    const mp = launch();
    const page = mp.openCheckout();
    await settle();
    const original = mp.fake.wx.navigateToMiniProgram;
    mp.fake.wx.navigateToMiniProgram = (o) => void Promise.resolve().then(() => o.fail && o.fail({ errMsg: 'navigateToMiniProgram:fail internal error' }));
    mp.tap(page, 'onPayTap');
    await settle();
    mp.fake.wx.navigateToMiniProgram = original;
    expect(page.data.statusText).toBe('待支付');
    expect(page.data.messageText).toBe(MESSAGES['jump.refused'].text);
    expect(page.data.showPay).toBe(true);
    expect(consoleWarnings.join('\n')).toContain('navigateToMiniProgram:fail internal error');
  });
});

describe('the table', () => {
  test('every entry: Chinese only, what happened and what to do, no code or errMsg', () => {
    for (const key of MESSAGE_KEYS) {
      const m = MESSAGES[key];
      expect({ key, latin: /[A-Za-z]/.test(`${m.text}${m.status || ''}`) }).toEqual({ key, latin: false });
      expect({ key, sentences: m.text.split(/[。；]/).filter(Boolean).length >= 2 || /，/.test(m.text) }).toEqual({ key, sentences: true });
    }
  });

  test('no 重试 where retrying cannot help', () => {
    for (const key of ['order.unknown_sku', 'order.invalid', 'order.misconfigured', 'jump.not_allowed', 'app.misconfigured'] as const) {
      expect({ key, actions: MESSAGES[key].actions }).toEqual({ key, actions: [] });
    }
  });

  test('unknown codes are read by their status class', () => {
    expect(messageForError(new ApiError('server', 'x', 507, 'disk_full'), 'order')).toBe('order.unavailable');
    expect(messageForError(new ApiError('server', 'x', 429), 'check')).toBe('check.rate_limited');
    expect(messageForError(new ApiError('client', 'x', 409, 'conflict_new'), 'check')).toBe('check.refused');
  });

  test('every error code the backend can answer is in the table (or only ever answered to the provider\'s notify)', async () => {
    const codes = new Set<string>();
    const walk = async (dir: string) => {
      let entries: import('fs').Dirent[];
      try {
        entries = await fs.readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const full = path.join(dir, e.name);
        if (e.isDirectory()) await walk(full);
        else if (e.name.endsWith('.ts')) {
          const text = await fs.readFile(full, 'utf8');
          // new ApiError(404, 'order_not_found', ...), errorBody('invalid_request', ...), code = 'x' / ? 'x' :
          for (const m of text.matchAll(/\(\s*\d{3}\s*,\s*['"]([a-z][a-z0-9_]*)['"]/g)) codes.add(m[1]);
          for (const m of text.matchAll(/errorBody\(\s*['"]([a-z][a-z0-9_]*)['"]/g)) codes.add(m[1]);
          for (const m of text.matchAll(/status === \d{3} \? ['"]([a-z][a-z0-9_]*)['"]/g)) codes.add(m[1]);
          for (const m of text.matchAll(/: ['"]([a-z]+_[a-z_]+)['"];\s*$/gm)) if (/code/.test(text.slice(Math.max(0, m.index! - 200), m.index!))) codes.add(m[1]);
        }
      }
    };
    for (const dir of ['server', 'common']) await walk(path.join(ROOT, dir));
    expect(codes.size).toBeGreaterThan(5);
    const unmapped = Array.from(codes).filter((c) => !(c in BACKEND_CODES) && !NOTIFY_ONLY_CODES.includes(c));
    expect(unmapped).toEqual([]);
  });
});

describe('theme', () => {
  test('the success icon follows WeChat\'s theme while the page is open', async () => {
    const backend = createFakeBackend();
    const fake = createFakeWx({ handler: backend.handler, theme: 'dark' });
    const mp = launch({ fake, backend });
    const page = mp.openCheckout();
    await settle();
    expect(page.data.iconColor).toBe('#07c160');
    fake.setTheme('light');
    expect(page.data.iconColor).toBe('#06793c');
    expect(page.data.statusText).toBe('待支付'); // nothing else changed
  });

  test('a WeChat without onThemeChange or getAppBaseInfo (before 2.11): light, and nothing breaks', async () => {
    const backend = createFakeBackend();
    const fake = createFakeWx({ handler: backend.handler, theme: 'dark', without: ['onThemeChange', 'offThemeChange', 'getAppBaseInfo'] });
    const mp = launch({ fake, backend });
    const page = mp.openCheckout();
    await settle();
    expect(page.data.iconColor).toBe('#06793c');
    expect(page.data.statusText).toBe('待支付');
  });

  test('a WeChat without getNetworkType/onNetworkStatusChange: the phone counts as online', async () => {
    const backend = createFakeBackend();
    const fake = createFakeWx({ handler: backend.handler, without: ['getNetworkType', 'onNetworkStatusChange', 'offNetworkStatusChange'] });
    const mp = launch({ fake, backend });
    mp.backend.failNextOrder({ fail: 'net::ERR_CONNECTION_REFUSED' });
    const page = mp.openCheckout();
    await settle();
    expect(page.data.messageText).toBe(MESSAGES['order.unreachable'].text);
  });
});
