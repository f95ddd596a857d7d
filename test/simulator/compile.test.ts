// A project is compiled as DevTools compiles it from project.config.json: ES modules, TypeScript, npm packages from
// miniprogram_npm, the weui extended library, <text decode>, root-absolute includes, wxs; and the theme. Driven by
// the real automator client over `connect`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import automator from 'miniprogram-automator';
import type MiniProgram from 'miniprogram-automator/out/MiniProgram';
import { startSimulator, LoadError, type RunningSimulator } from '../../simulator';
import { relaunch, textOf } from './helpers';
import { buildNpm } from '../../simulator/build-npm';
import { releaseExtendedLibs, withExtendedLibs } from '../../simulator/runtime/compile';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'compile-app');

declare const getApp: () => { globalData: { events: string[] } };
declare const __sim: { window(): Record<string, unknown>; setTheme(t: string): unknown };

describe('compiled as DevTools compiles it', () => {
  let sim: RunningSimulator;
  let mp: MiniProgram;

  beforeAll(async () => {
    sim = await startSimulator({ projectPath: FIXTURE, port: 0 });
    mp = await automator.connect({ wsEndpoint: sim.wsEndpoint });
  });
  afterAll(async () => {
    mp.disconnect();
    await sim.close();
  });

  it('runs TypeScript (useCompilerPlugins), ES modules (es6) and npm packages (miniprogram_npm)', async () => {
    const page = await relaunch(mp, '/pages/index/index');
    expect(await textOf(page, '#answer')).toBe('42');
    expect(await textOf(page, '#counted')).toBe('hello esm 2');
    expect(await textOf(page, '#price')).toBe('¥2.50');
    const events: string[] = await mp.evaluate(() => getApp().globalData.events.slice());
    expect(events[0]).toBe('launch hello app ¥19.90');
    const deep = await relaunch(mp, '/sub/pages/deep/deep');
    expect(await textOf(deep, '#text')).toBe('hello sub');
  });

  it('<text decode> decodes the entities WeChat decodes; space widens spaces; without decode they stay', async () => {
    const page = await relaunch(mp, '/pages/text/text');
    expect(await textOf(page, '#decoded')).toBe('a\u00a0b<c>d&e\'f\u2002g\u2003h');
    expect(await textOf(page, '#raw')).toBe('a&nbsp;b');
    expect(await textOf(page, '#dynamic')).toBe('x<y>z');
    expect(await textOf(page, '#spaced')).toBe('a\u00a0b');
  });

  it('resolves root-absolute <include> and <import> paths', async () => {
    const page = await relaunch(mp, '/pages/include/include');
    expect(await textOf(page, '#header')).toBe('included header');
    expect(await textOf(page, '.badge')).toBe('badge one');
  });

  it('runs inline and file wxs modules', async () => {
    const page = await relaunch(mp, '/pages/wxs/wxs');
    expect(await textOf(page, '#inline')).toBe('6');
    expect(await textOf(page, '#file')).toBe('WECHAT');
  });

  it('gives useExtendedLib weui from the weui-miniprogram package', async () => {
    const page = await relaunch(mp, '/pages/weui/weui');
    const cell = await page.$('mp-cell');
    expect(cell).not.toBeNull();
    expect(await cell!.text()).toContain('first cell');
  });

  it('stages weui beside the project in a temporary folder that is removed when released (the simulator closing)', () => {
    const root = path.join(FIXTURE, 'miniprogram');
    const stage = withExtendedLibs(root, { weui: true }, () => undefined);
    expect(stage).not.toBe(root);
    expect(fs.existsSync(path.join(stage, 'miniprogram_npm', 'weui-miniprogram'))).toBe(true);
    expect(fs.realpathSync(path.join(stage, 'app.json'))).toBe(path.join(root, 'app.json'));
    releaseExtendedLibs(stage);
    expect(fs.existsSync(stage)).toBe(false);
    releaseExtendedLibs(root); // the project's own folder is never removed
    expect(fs.existsSync(path.join(root, 'app.json'))).toBe(true);
  });

  it('links component relations by their relative paths: linked fires on both sides, getRelationNodes finds the children', async () => {
    const page = await relaunch(mp, '/pages/query/query');
    const list = await page.$('#rel');
    expect(await (await list!.$('#count'))!.text()).toBe('2 a,b');
    const items = await page.$$('rel-item');
    expect(await Promise.all(items.map((i: { text(): Promise<string> }) => i.text()))).toEqual(['a true', 'b true']);
  });

  it('resolves @variables of the window from theme.json and follows __sim.setTheme', async () => {
    await relaunch(mp, '/pages/index/index');
    expect(await mp.evaluate(() => __sim.window())).toMatchObject({ navigationBarBackgroundColor: '#ffffff', navigationBarTextStyle: 'black', navigationBarTitleText: 'compile' });
    await mp.evaluate(() => {
      getApp().globalData.events.length = 0;
    });
    await mp.evaluate(() => __sim.setTheme('dark'));
    expect(await mp.evaluate(() => getApp().globalData.events.slice())).toEqual(['App.onThemeChange dark', 'wx.onThemeChange dark', 'page.onThemeChange dark']);
    expect(await mp.evaluate(() => __sim.window())).toMatchObject({ navigationBarBackgroundColor: '#191919', navigationBarTextStyle: 'white' });
    expect((await mp.systemInfo()).theme).toBe('dark');
    const page = await mp.currentPage();
    expect(await textOf(page!, '#theme')).toBe('dark');
    // the same theme again changes nothing
    await mp.evaluate(() => __sim.setTheme('dark'));
    expect(await mp.evaluate(() => getApp().globalData.events.length)).toBe(3);
    await mp.evaluate(() => __sim.setTheme('light'));
  });
});

describe('compile problems say what to change', () => {
  let dir: string;
  const write = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  };
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-compile-'));
    write('project.config.json', JSON.stringify({ miniprogramRoot: 'mp/', setting: { es6: false, enhance: false } }));
    write('mp/app.json', JSON.stringify({ pages: ['pages/a/a', 'pages/b/b'] }));
    write('mp/app.js', 'App({})');
    write('mp/pages/a/a.js', 'Page({})');
    write('mp/pages/a/a.wxml', '<view>a</view>');
    write('mp/pages/b/b.wxml', '<view>b</view>');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function openB(): Promise<string> {
    const sim = await startSimulator({ projectPath: dir, port: 0 });
    const mp = await automator.connect({ wsEndpoint: sim.wsEndpoint });
    try {
      await mp.callWxMethod('reLaunch', { url: '/pages/b/b' });
      return 'opened';
    } catch (err) {
      return (err as Error).message;
    } finally {
      mp.disconnect();
      await sim.close();
    }
  }

  it('ES module syntax with es6 and enhance off', async () => {
    write('mp/pages/b/b.js', "import x from './x';\nPage({ data: { x } })");
    write('mp/pages/b/x.js', 'export default 1');
    expect(await openB()).toMatch(/pages\/b\/b\.js uses ES module syntax \(import\/export\), but project\.config\.json turns off setting\.es6 .* and setting\.enhance/);
  });

  it('a TypeScript page without the typescript compiler plugin', async () => {
    write('mp/pages/b/b.ts', 'Page({})');
    expect(await openB()).toMatch(/pages\/b\/b\.ts is TypeScript, but project\.config\.json does not list "typescript" in setting\.useCompilerPlugins/);
  });

  it('an npm package in package.json that was not built into miniprogram_npm', async () => {
    write('mp/package.json', JSON.stringify({ dependencies: { dayjs: '^1.11.0' } }));
    write('mp/pages/b/b.js', "const dayjs = require('dayjs');\nPage({})");
    expect(await openB()).toMatch(/module "dayjs" is not defined \(required from pages\/b\/b\.js\): npm package "dayjs" is a dependency in package\.json but miniprogram_npm\/dayjs was not built: run 构建 npm/);
  });

  it('a missing page file fails that page only; a missing entry page stops the launch', async () => {
    expect(await openB()).toMatch(/pages\/b\/b/);
    fs.rmSync(path.join(dir, 'mp/pages/a/a.js'));
    await expect(startSimulator({ projectPath: dir, port: 0 })).rejects.toThrow(LoadError);
  });
});

describe('npm run sim:build-npm (DevTools\' 构建 npm)', () => {
  it('copies mini program packages, bundles the others, and the app then requires them', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-npm-'));
    const write = (rel: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), text);
    };
    try {
      write('project.config.json', JSON.stringify({ miniprogramRoot: 'mp/' }));
      write('mp/package.json', JSON.stringify({ dependencies: { 'mp-widget': '1.0.0', 'plain-lib': '1.0.0' } }));
      write('mp/node_modules/mp-widget/package.json', JSON.stringify({ name: 'mp-widget', miniprogram: 'miniprogram_dist' }));
      write('mp/node_modules/mp-widget/miniprogram_dist/index.js', 'module.exports = { kind: "widget" };');
      write('mp/node_modules/plain-lib/package.json', JSON.stringify({ name: 'plain-lib', main: 'lib/main.js', dependencies: { 'tiny-dep': '1.0.0' } }));
      write('mp/node_modules/plain-lib/lib/main.js', 'const dep = require("tiny-dep"); const own = require("./own"); module.exports = () => own + dep;');
      write('mp/node_modules/plain-lib/lib/own.js', 'module.exports = "plain+";');
      write('mp/node_modules/tiny-dep/package.json', JSON.stringify({ name: 'tiny-dep', main: 'index.js' }));
      write('mp/node_modules/tiny-dep/index.js', 'module.exports = "dep";');
      write('mp/app.json', JSON.stringify({ pages: ['pages/a/a'] }));
      write('mp/app.js', 'App({})');
      write('mp/pages/a/a.js', 'const lib = require("plain-lib"); const w = require("mp-widget"); Page({ data: { text: lib() + " " + w.kind } })');
      write('mp/pages/a/a.wxml', '<view id="t">{{text}}</view>');
      expect(buildNpm(dir)).toEqual([
        { name: 'mp-widget', how: 'copied', from: 'node_modules/mp-widget/miniprogram_dist' },
        { name: 'plain-lib', how: 'bundled', from: 'node_modules/plain-lib/lib/main.js' },
        { name: 'tiny-dep', how: 'bundled', from: 'node_modules/tiny-dep/index.js' },
      ]);
      const sim = await startSimulator({ projectPath: dir, port: 0 });
      const mp = await automator.connect({ wsEndpoint: sim.wsEndpoint });
      try {
        expect(await textOf((await mp.currentPage())!, '#t')).toBe('plain+dep widget');
      } finally {
        mp.disconnect();
        await sim.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
