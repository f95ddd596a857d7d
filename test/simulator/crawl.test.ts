// npm run sim:crawl's engine over the repository's fixture apps: every page listed in app.json (subpackages
// included) opens through the real automator client, none throws, and a broken page is reported with its reason.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { crawl, formatReport, reasonOf } from '../../simulator/crawl';
import { FIXTURE } from './helpers';

const COMPILE_FIXTURE = path.join(__dirname, '..', 'fixtures', 'compile-app');

describe('crawl', () => {
  it('compile-app (ES modules, TypeScript, npm, weui, decode, includes, wxs, dark mode): every page opens, none throws', async () => {
    const report = await crawl(COMPILE_FIXTURE);
    expect(report.launched).toBe(true);
    expect(report.totals).toEqual({ listed: 7, opened: 7, failed: 0, withExceptions: 0, missing: 0 });
    expect(report.failures).toEqual([]);
    expect(report.exceptions).toEqual([]);
    expect(formatReport(report)).toContain('7 of 7 opened, 0 failed, 0 with exceptions');
  });

  it('sim-app: every page opens except the one it breaks on purpose', async () => {
    const report = await crawl(FIXTURE);
    expect(report.launched).toBe(true);
    expect(report.failures).toEqual([[expect.stringContaining('cannot be opened: Cannot read properties of undefined'), ['pages/broken/broken']]]);
    expect(report.totals.opened).toBe(report.totals.listed - 1);
  });

  it('reports pages that fail or throw, grouped by reason, and pages with missing files apart', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-crawl-'));
    const write = (rel: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), text);
    };
    try {
      write('app.json', JSON.stringify({ pages: ['pages/ok/ok', 'pages/throws/throws', 'pages/bad/bad', 'pages/gone/gone', 'pages/comp/comp'] }));
      write('app.js', 'App({})');
      for (const p of ['ok', 'throws', 'bad']) write(`pages/${p}/${p}.wxml`, `<view>${p}</view>`);
      write('pages/ok/ok.js', 'Page({})');
      write('pages/throws/throws.js', 'Page({ onLoad() { this.data.missing.deep = 1; } })');
      write('pages/bad/bad.js', "require('./nowhere'); Page({})");
      // a component lifetime that throws: exparser catches it; it is the app's error all the same
      write('pages/comp/comp.js', 'Page({})');
      write('pages/comp/comp.json', JSON.stringify({ usingComponents: { boom: '/components/boom/boom' } }));
      write('pages/comp/comp.wxml', '<boom />');
      write('components/boom/boom.js', "Component({ lifetimes: { attached() { throw new Error('attached failed'); } } })");
      write('components/boom/boom.wxml', '<view>boom</view>');
      const report = await crawl(dir);
      expect(report.totals).toEqual({ listed: 5, opened: 3, failed: 1, withExceptions: 3, missing: 1 });
      expect(report.missing).toEqual(['pages/gone/gone']);
      expect(report.failures).toEqual([[expect.stringContaining('module "…" is not defined'), ['pages/bad/bad']]]);
      expect(report.exceptions.map(([, pages]) => pages)).toEqual(expect.arrayContaining([['pages/throws/throws']]));
      expect(report.exceptions).toContainEqual(['attached failed', ['pages/comp/comp']]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('groups messages that differ only in paths, positions and quoted names', () => {
    expect(reasonOf('module "./a" is not defined (required from /x/y.js:3:4)')).toBe(reasonOf('module "./b" is not defined (required from /z/w.js:9:1)'));
  });
});
