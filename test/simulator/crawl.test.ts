// npm run sim:crawl's engine over the repository's fixture apps: every page listed in app.json (subpackages
// included) opens through the real automator client, none throws, and a broken page is reported with its reason.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { crawl, formatReport, reasonOf } from '../../simulator/crawl';
import { FIXTURE } from './helpers';

const COMPILE_FIXTURE = path.join(__dirname, '..', 'fixtures', 'compile-app');

describe('crawl', () => {
  it.each([
    ['compile-app (ES modules, TypeScript, npm, weui, decode, includes, wxs, dark mode)', COMPILE_FIXTURE, 7],
    ['sim-app', FIXTURE, undefined],
  ])('%s: every page opens, none throws', async (_name, project, pages) => {
    const report = await crawl(project);
    expect(report.launched).toBe(true);
    if (pages !== undefined) expect(report.totals.listed).toBe(pages);
    expect(report.failures).toEqual([]);
    expect(report.exceptions).toEqual([]);
    expect(report.totals.opened).toBe(report.totals.listed);
    expect(formatReport(report)).toContain(`${report.totals.opened} of ${report.totals.listed} opened, 0 failed, 0 with exceptions`);
  });

  it('reports pages that fail or throw, grouped by reason, and pages with missing files apart', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-crawl-'));
    const write = (rel: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), text);
    };
    try {
      write('app.json', JSON.stringify({ pages: ['pages/ok/ok', 'pages/throws/throws', 'pages/bad/bad', 'pages/gone/gone'] }));
      write('app.js', 'App({})');
      for (const p of ['ok', 'throws', 'bad']) write(`pages/${p}/${p}.wxml`, `<view>${p}</view>`);
      write('pages/ok/ok.js', 'Page({})');
      write('pages/throws/throws.js', 'Page({ onLoad() { this.data.missing.deep = 1; } })');
      write('pages/bad/bad.js', "require('./nowhere'); Page({})");
      const report = await crawl(dir);
      expect(report.totals).toEqual({ listed: 4, opened: 2, failed: 1, withExceptions: 2, missing: 1 });
      expect(report.missing).toEqual(['pages/gone/gone']);
      expect(report.failures).toEqual([[expect.stringContaining('module "…" is not defined'), ['pages/bad/bad']]]);
      expect(report.exceptions.map(([, pages]) => pages)).toEqual(expect.arrayContaining([['pages/throws/throws']]));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('groups messages that differ only in paths, positions and quoted names', () => {
    expect(reasonOf('module "./a" is not defined (required from /x/y.js:3:4)')).toBe(reasonOf('module "./b" is not defined (required from /z/w.js:9:1)'));
  });
});
