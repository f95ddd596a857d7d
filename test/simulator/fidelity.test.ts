// Runtime fidelity: a component that uses itself through app.json's global usingComponents, routes that fail without
// touching the page stack, class instances kept in this.data, and exceptions in App and Page lifecycles reported
// (console, exception event, onError) while the app keeps running.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import automator from 'miniprogram-automator';
import { startSimulator } from '../../simulator';
import { openSession, relaunch, textOf, events, clearEvents, send, INDEX, type Session, SESSION_TIMEOUT_MS } from './helpers';

declare const __sim: { exceptions(): { message: string }[] };
declare const getApp: () => { globalData: { launched: boolean; errors: string[] } } | undefined;
declare const getCurrentPages: () => unknown[];

let session: Session;
beforeAll(async () => {
  session = await openSession();
}, SESSION_TIMEOUT_MS);
afterAll(() => session.close());

describe('components', () => {
  it('a component that uses itself through app.json\'s global usingComponents renders its whole tree', async () => {
    const page = await relaunch(session.miniProgram, '/pages/selectors/selectors');
    expect(await (await page.$('#tree'))!.text()).toBe('root\nleaf-1\nleaf-2\nleaf-2-1');
  });
});

describe('a route that cannot open its page keeps the stack as it was', () => {
  const broken = 'page "pages/broken/broken" cannot be opened: component "missing-thing": "/components/missing/missing" in pages/broken/broken.json not found';

  it.each(['navigateTo', 'redirectTo', 'reLaunch'])('%s', async (method) => {
    const mp = session.miniProgram;
    await relaunch(mp);
    await mp.callWxMethod('navigateTo', { url: '/pages/detail/detail?from=kept' });
    const before = (await send(mp, 'App.getPageStack', {})).pageStack.map((p) => p.pageId);
    await clearEvents(mp);
    await expect(mp.callWxMethod(method, { url: '/pages/broken/broken' })).rejects.toThrow(`${method}:fail ${broken}`);
    await expect(mp.callWxMethod(method, { url: '/pages/nope/nope' })).rejects.toThrow(`${method}:fail page "pages/nope/nope" is not found`);
    expect((await send(mp, 'App.getPageStack', {})).pageStack.map((p) => p.pageId)).toEqual(before);
    expect(await events(mp)).toEqual([]); // no page was hidden or unloaded
    const top = await mp.currentPage();
    expect(await textOf(top!, '#from')).toBe('kept');
    // and the app goes on routing
    await mp.callWxMethod('navigateBack');
    expect((await mp.currentPage())!.path).toBe(INDEX);
  });
});

describe('this.data', () => {
  it('keeps the class instances the logic layer put there; the view gets their data', async () => {
    const mp = session.miniProgram;
    const page = await relaunch(mp, '/pages/fidelity/fidelity');
    expect(await page.callMethod('labels')).toEqual(['day 1', 'day 10', 'day 20']);
    expect(await page.callMethod('shift')).toBe('day 2');
    expect(await textOf(page, '#day')).toBe('2');
    expect(await textOf(page, '#box-day')).toBe('10');
    expect(await page.data('when')).toEqual({ day: 2 });
  });
});

describe('exceptions in lifecycles', () => {
  it('a page whose onLoad and onShow throw still opens; the errors reach the console, the exception event and App.onError', async () => {
    const mp = session.miniProgram;
    const logs: { type: string; args: unknown[] }[] = [];
    const errors: { message: string }[] = [];
    mp.on('console', (m: { type: string; args: unknown[] }) => logs.push(m));
    mp.on('exception', (e: { message: string }) => errors.push(e));
    await send(mp, 'App.enableLog', {});
    await relaunch(mp);
    await clearEvents(mp);
    const page = await relaunch(mp, '/pages/fidelity/fidelity?throw=1');
    expect(page.path).toBe('pages/fidelity/fidelity');
    expect(await textOf(page, '#day')).toBe('1');
    expect(errors.map((e) => e.message)).toEqual(expect.arrayContaining(['onLoad failed', 'onShow failed']));
    expect(logs.filter((l) => l.type === 'error').map((l) => String(l.args[0]).split('\n')[0])).toEqual(
      expect.arrayContaining(['onLoad: Error: onLoad failed', 'onShow: Error: onShow failed']));
    expect(await events(mp)).toEqual(expect.arrayContaining(['app.onError "Error: onLoad failed"', 'app.onError "Error: onShow failed"']));
    const recorded = await mp.evaluate(() => __sim.exceptions().map((e) => e.message));
    expect(recorded).toEqual(expect.arrayContaining(['onLoad failed', 'onShow failed']));
    // the app still works
    await relaunch(mp);
    expect(await textOf((await mp.currentPage())!, '#title')).toBe('Fixture');
  });

  describe('in App', () => {
    let dir: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-throwing-app-'));
      fs.mkdirSync(path.join(dir, 'pages', 'a'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'app.json'), JSON.stringify({ pages: ['pages/a/a'] }));
      fs.writeFileSync(path.join(dir, 'pages', 'a', 'a.js'), 'Page({ data: { n: 1 } })');
      fs.writeFileSync(path.join(dir, 'pages', 'a', 'a.wxml'), '<view id="n">{{n}}</view>');
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    async function launchAndRead() {
      const lines: string[] = [];
      const sim = await startSimulator({ projectPath: dir, port: 0, log: (l) => lines.push(l) });
      const mp = await automator.connect({ wsEndpoint: sim.wsEndpoint });
      try {
        const page = await mp.currentPage();
        return {
          text: await textOf(page!, '#n'),
          exceptions: await mp.evaluate(() => __sim.exceptions().map((e) => e.message)),
          app: await mp.evaluate(() => getApp() ?? null),
          pages: await mp.evaluate(() => getCurrentPages().length),
          lines,
        };
      } finally {
        mp.disconnect();
        await sim.close();
      }
    }

    it('an onLaunch that throws: reported to wx.onError and App.onError, the first page opens', async () => {
      fs.writeFileSync(path.join(dir, 'app.js'), `
        const errors = [];
        wx.onError((m) => errors.push('wx.onError ' + m.split('\\n')[0]));
        App({
          globalData: { launched: false, errors },
          onLaunch() { wx.cloud.init({ env: 'x' }); this.globalData.launched = true; },
          onShow() { throw new Error('onShow failed'); },
          onError(m) { errors.push('App.onError ' + m.split('\\n')[0]); },
        });`);
      const out = await launchAndRead();
      expect(out.text).toBe('1');
      expect(out.pages).toBe(1);
      expect(out.exceptions).toHaveLength(2);
      expect(out.exceptions[1]).toBe('onShow failed');
      expect(out.app).toMatchObject({ globalData: { launched: false } });
      expect((out.app as { globalData: { errors: string[] } }).globalData.errors).toEqual([
        expect.stringMatching(/^wx\.onError \w*Error: /), expect.stringMatching(/^App\.onError \w*Error: /),
        'wx.onError Error: onShow failed', 'App.onError Error: onShow failed',
      ]);
      expect(out.lines.join('\n')).toMatch(/app error in onLaunch: /);
    }, SESSION_TIMEOUT_MS);

    it('an app.js that throws is reported and the pages still open, as in WeChat', async () => {
      fs.writeFileSync(path.join(dir, 'app.js'), 'const config = require("./missing-config"); App({})');
      const out = await launchAndRead();
      expect(out.text).toBe('1');
      expect(out.app).toBeNull();
      expect(out.exceptions).toEqual(['module "./missing-config" is not defined (required from app.js)']);
    }, SESSION_TIMEOUT_MS);
  });
});
