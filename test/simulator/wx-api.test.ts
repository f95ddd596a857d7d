// The wx API through App.callWxMethod / evaluate, mocks with DevTools' semantics, and the console, exception and
// binding events.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { openSession, relaunch, waitFor, type Session, SESSION_TIMEOUT_MS } from './helpers';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the app's wx, reached through evaluate
declare const wx: any;
declare const __sim: {
  ui(): { type: string; options: { title?: string } }[];
  modal(): unknown;
  actionSheet(): unknown;
  answerActionSheet(tapIndex?: number | null): unknown;
};

let session: Session;
let server: http.Server;
let base: string;

beforeAll(async () => {
  session = await openSession();
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (req.url?.startsWith('/slow')) return void setTimeout(() => res.end('late'), 2000).unref();
      if (req.url?.startsWith('/missing')) {
        res.writeHead(404, { 'content-type': 'application/json', 'x-trace': 't1' });
        return void res.end(JSON.stringify({ error: { code: 'NOT_FOUND' } }));
      }
      if (req.url?.startsWith('/text')) return void res.end('plain {');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ method: req.method, url: req.url, contentType: req.headers['content-type'] ?? null, body }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, SESSION_TIMEOUT_MS);
afterAll(async () => {
  await session.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('wx.request', () => {
  it('makes real HTTP requests with WeChat\'s result shape', async () => {
    const mp = session.miniProgram;
    const post = await mp.callWxMethod('request', { url: `${base}/echo`, method: 'POST', data: { sku: 'A', quantity: 2 } });
    expect(post).toMatchObject({ statusCode: 200, errMsg: 'request:ok', header: { 'content-type': 'application/json' } });
    expect(post.data).toEqual({ method: 'POST', url: '/echo', contentType: 'application/json', body: '{"sku":"A","quantity":2}' });
    const get = await mp.callWxMethod('request', { url: `${base}/echo`, data: { a: 1, b: 'x y' } });
    expect(get.data.url).toBe('/echo?a=1&b=x+y');
    const form = await mp.callWxMethod('request', { url: `${base}/echo`, method: 'POST', header: { 'content-type': 'application/x-www-form-urlencoded' }, data: { a: 1, b: 'z' } });
    expect(form.data.body).toBe('a=1&b=z');
    const missing = await mp.callWxMethod('request', { url: `${base}/missing` });
    expect(missing).toMatchObject({ statusCode: 404, data: { error: { code: 'NOT_FOUND' } }, header: { 'x-trace': 't1' }, errMsg: 'request:ok' });
    const text = await mp.callWxMethod('request', { url: `${base}/text` });
    expect(text.data).toBe('plain {');
  });

  it('fails with request:fail on timeout, abort, refused connection and a bad url', async () => {
    const mp = session.miniProgram;
    await expect(mp.callWxMethod('request', { url: `${base}/slow`, timeout: 100 })).rejects.toThrow('request:fail timeout');
    const aborted = await mp.evaluate((url: string) => new Promise((resolve) => {
      const task = wx.request({ url, fail: resolve, success: resolve });
      setTimeout(() => task.abort(), 20);
    }), `${base}/slow`);
    expect(aborted).toEqual({ errMsg: 'request:fail abort' });
    await expect(mp.callWxMethod('request', { url: 'http://127.0.0.1:9/' })).rejects.toThrow(/^request:fail ECONNREFUSED/);
    await expect(mp.callWxMethod('request', { url: 'not a url' })).rejects.toThrow('request:fail invalid url "not a url"');
  });
});

describe('storage and info', () => {
  it('sync and async storage, callbacks and promises', async () => {
    const mp = session.miniProgram;
    const out = await mp.evaluate(async () => {
      wx.setStorageSync('a', { n: 1 });
      await wx.setStorage({ key: 'b', data: [1, 2] });
      const viaCallback = await new Promise((resolve) => wx.getStorage({ key: 'a', success: resolve }));
      let missing;
      try {
        await wx.getStorage({ key: 'nope' });
      } catch (err) {
        missing = err;
      }
      return { a: wx.getStorageSync('a'), b: (await wx.getStorage({ key: 'b' })).data, none: wx.getStorageSync('none'), viaCallback, missing, keys: wx.getStorageInfoSync().keys };
    });
    expect(out).toEqual({ a: { n: 1 }, b: [1, 2], none: '', viaCallback: { data: { n: 1 }, errMsg: 'getStorage:ok' }, missing: { errMsg: 'getStorage:fail data not found' }, keys: expect.arrayContaining(['a', 'b']) });
    await mp.callWxMethod('clearStorageSync');
    expect(await mp.callWxMethod('getStorageInfoSync')).toMatchObject({ keys: [] });
  });

  it('system, account and launch info', async () => {
    const mp = session.miniProgram;
    expect(await mp.systemInfo()).toMatchObject({ platform: 'devtools', SDKVersion: expect.any(String), windowWidth: 375 });
    expect(await mp.callWxMethod('getAccountInfoSync')).toEqual({ miniProgram: { appId: 'wxsimfixture00001', envVersion: 'develop', version: '' } });
    expect(await mp.callWxMethod('getLaunchOptionsSync')).toMatchObject({ scene: 1001, path: 'pages/index/index' });
  });

  it('toasts are recorded and modals wait for the user (Tool.native)', async () => {
    const mp = session.miniProgram;
    await mp.callWxMethod('showToast', { title: '已支付' });
    expect((await mp.evaluate(() => __sim.ui())).find((e: { type: string }) => e.type === 'toast')).toMatchObject({ options: { title: '已支付' } });
    const answer = mp.evaluate(() => wx.showModal({ title: '确认?', content: 'x' }));
    await new Promise((r) => setTimeout(r, 20));
    expect(await mp.evaluate(() => __sim.modal())).toMatchObject({ title: '确认?' });
    await mp.native().confirmModal();
    expect(await answer).toMatchObject({ confirm: true, cancel: false, errMsg: 'showModal:ok' });
    await expect(mp.native().cancelModal()).rejects.toThrow(/no modal is showing/);
  });

  it('an action sheet waits for the user: an item answers {tapIndex}, 取消 fails "cancel"', async () => {
    const mp = session.miniProgram;
    const picked = mp.evaluate(() => wx.showActionSheet({ itemList: ['拍照', '从相册选择'] }));
    await waitFor(() => mp.evaluate(() => __sim.actionSheet()), (s) => s !== null, 'the action sheet');
    expect(await mp.evaluate(() => __sim.actionSheet())).toMatchObject({ itemList: ['拍照', '从相册选择'] });
    await expect(mp.evaluate(() => __sim.answerActionSheet(2))).rejects.toThrow(/tapIndex 2 is not an item/);
    await mp.evaluate(() => __sim.answerActionSheet(0));
    expect(await picked).toEqual({ tapIndex: 0, errMsg: 'showActionSheet:ok' });
    const cancelled = mp.evaluate(() => wx.showActionSheet({ itemList: ['拍照'] }).catch((e: unknown) => e));
    await waitFor(() => mp.evaluate(() => __sim.actionSheet()), (s) => s !== null, 'the action sheet');
    await mp.evaluate(() => __sim.answerActionSheet(null));
    expect(await cancelled).toEqual({ errMsg: 'showActionSheet:fail cancel' });
    await expect(mp.evaluate(() => __sim.answerActionSheet())).rejects.toThrow(/no action sheet is showing/);
    // WeChat's own parameter checks fail at once
    expect(await mp.evaluate(() => wx.showActionSheet({ itemList: ['1', '2', '3', '4', '5', '6', '7'] }).catch((e: unknown) => e))).toEqual({ errMsg: 'showActionSheet:fail parameter error: itemList should not be large than 6' });
    expect(await mp.evaluate(() => wx.showActionSheet({}).catch((e: unknown) => e))).toEqual({ errMsg: 'showActionSheet:fail parameter error: parameter.itemList should be Array instead of Undefined;' });
  });
});

describe('mocks and evaluate', () => {
  it('a fixed result, a function with this.origin and its own args, then restore', async () => {
    const mp = session.miniProgram;
    await mp.mockWxMethod('getStorageSync', 'mocked');
    expect(await mp.callWxMethod('getStorageSync', 'x')).toBe('mocked');
    // DevTools' documented pattern: request returns a RequestTask, so the origin answers through callbacks
    await mp.mockWxMethod('request', function (this: { origin(o: object): unknown }, options: { url: string }, extra: string) {
      return new Promise((resolve, reject) => {
        this.origin({ ...options, success: (res: { data: object }) => resolve({ ...res, data: { ...res.data, extra } }), fail: reject });
      });
    }, 'added');
    const res = await mp.callWxMethod('request', { url: `${base}/echo` });
    expect(res.data).toMatchObject({ url: '/echo', extra: 'added' });
    const viaCallbacks = await mp.evaluate((url: string) => new Promise((resolve) => wx.request({ url, success: (r: { data: unknown }) => resolve(r.data) })), `${base}/echo`);
    expect(viaCallbacks).toMatchObject({ extra: 'added' });
    await mp.mockWxMethod('getNetworkType', { errMsg: 'getNetworkType:fail mocked' });
    await expect(mp.callWxMethod('getNetworkType')).rejects.toThrow('getNetworkType:fail mocked');
    await mp.restoreWxMethod('getStorageSync');
    await mp.restoreWxMethod('request');
    await mp.restoreWxMethod('getNetworkType');
    expect(await mp.callWxMethod('getStorageSync', 'x')).toBe('');
    await expect(mp.mockWxMethod('onAppShow', 1)).rejects.toThrow(/cannot be mocked/);
  });

  it('evaluate runs in the app scope without closures, awaits promises, reports errors', async () => {
    const mp = session.miniProgram;
    const local = 41;
    expect(await mp.evaluate((n: number) => n + 1, local)).toBe(42);
    await expect(mp.evaluate(() => local)).rejects.toThrow(/local is not defined/);
    expect(await mp.evaluate(async () => { await new Promise((r) => setTimeout(r, 5)); return typeof wx.request; })).toBe('function');
    await expect(mp.evaluate(() => { throw new Error('boom'); })).rejects.toThrow('boom');
  });

  it('console, exceptions and exposed functions reach the test', async () => {
    const mp = session.miniProgram;
    const logs: { type: string; args: unknown[] }[] = [];
    const errors: { message: string }[] = [];
    mp.on('console', (m: { type: string; args: unknown[] }) => logs.push(m));
    mp.on('exception', (e: { message: string }) => errors.push(e));
    const called: unknown[][] = [];
    await mp.exposeFunction('notifyTest', (...args: unknown[]) => called.push(args));
    await new Promise((r) => setTimeout(r, 20));
    const page = await relaunch(mp);
    await mp.evaluate(() => {
      console.warn('hello', { a: 1 });
      setTimeout(() => { throw new Error('late failure'); }, 0);
      notifyTest('paid', 2);
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(logs).toContainEqual({ type: 'warn', args: ['hello', { a: 1 }] });
    expect(errors.map((e) => e.message)).toContain('late failure');
    expect(called).toEqual([['paid', 2]]);
    expect(page.path).toBe('pages/index/index');
  });
});

declare const notifyTest: (...a: unknown[]) => void;
