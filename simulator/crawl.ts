// Crawls a mini program in the simulator, as a tester clicking through it would: launch it, open every page listed
// in app.json (main package and subpackages) through the official automator client, and report what opened, what
// failed and what threw, with the reasons grouped.
//
//   npm run sim:crawl -- <projectPath> [--json] [--settle <ms>] [--verbose]
//
// Exit status: 0 when the app launched and every page whose files exist opened, 1 otherwise.
import path from 'node:path';
import { parseArgs } from 'node:util';
import automator from 'miniprogram-automator';
import { startSimulator } from './index';

export interface PageOutcome {
  route: string;
  opened: boolean;
  /** why it did not open */
  error?: string;
  /** the page it routed on to by itself, if it did */
  wentOn?: string;
  /** what app code threw while the page opened (and in the settle time after) */
  exceptions: string[];
  /** wx calls that failed "not supported in the simulator" while it opened */
  unsupported: string[];
}

export interface CrawlReport {
  project: string;
  launched: boolean;
  launchError?: string;
  launchMs: number;
  /** exceptions and unsupported wx calls during launch (App.onLaunch, the first page) */
  launchExceptions: string[];
  pages: PageOutcome[];
  /** pages listed in app.json whose files are missing (not counted as failures: there is nothing to open) */
  missing: string[];
  totals: { listed: number; opened: number; failed: number; withExceptions: number; missing: number };
  /** reason -> pages, most frequent first */
  failures: [string, string[]][];
  exceptions: [string, string[]][];
  unsupported: [string, string[]][];
  ms: number;
}

/** One line per kind of error: paths, line numbers and quoted values are what differ between occurrences. */
export function reasonOf(message: string): string {
  return message
    .split('\n')[0]
    .replace(/"[^"\s]{0,200}"/g, '"…"')
    .replace(/[\w.@~-]*\/[^\s)"',]*/g, '<path>')
    .replace(/:\d+(:\d+)?/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200);
}

function group(pages: PageOutcome[], pick: (p: PageOutcome) => string[]): [string, string[]][] {
  const by = new Map<string, Set<string>>();
  for (const p of pages) for (const m of pick(p)) by.set(reasonOf(m), (by.get(reasonOf(m)) ?? new Set()).add(p.route));
  return [...by].map(([k, v]) => [k, [...v]] as [string, string[]]).sort((a, b) => b[1].length - a[1].length);
}

export async function crawl(projectPath: string, options: { settleMs?: number; log?: (line: string) => void } = {}): Promise<CrawlReport> {
  const started = Date.now();
  const settleMs = options.settleMs ?? 30;
  const unsupportedNow: string[] = [];
  const log = (line: string) => {
    const m = /^wx\.([\w.]+) is not supported in the simulator/.exec(line) ?? /^unhandled promise rejection in the app: ([\w.]+):fail not supported/.exec(line);
    if (m) unsupportedNow.push(m[1]);
    options.log?.(line);
  };
  const report: CrawlReport = {
    project: path.resolve(projectPath), launched: false, launchMs: 0, launchExceptions: [], pages: [], missing: [],
    totals: { listed: 0, opened: 0, failed: 0, withExceptions: 0, missing: 0 }, failures: [], exceptions: [], unsupported: [], ms: 0,
  };
  let sim;
  try {
    sim = await startSimulator({ projectPath, port: 0, log, handlers: {} });
  } catch (err) {
    report.launchError = (err as Error).message;
    report.ms = report.launchMs = Date.now() - started;
    return report;
  }
  report.launched = true;
  report.launchMs = Date.now() - started;
  const mp = await automator.connect({ wsEndpoint: sim.wsEndpoint });
  const thrown: string[] = [];
  mp.on('exception', (e: { message: string }) => thrown.push(e.message));
  try {
    const { pages, missingPages } = await mp.evaluate(() => __sim.pages());
    await new Promise((r) => setTimeout(r, settleMs));
    report.launchExceptions = [...thrown.splice(0), ...unsupportedNow.splice(0).map((n) => `wx.${n} not supported`)];
    report.missing = Object.keys(missingPages);
    for (const route of pages as string[]) {
      if (missingPages[route]) continue;
      const outcome: PageOutcome = { route, opened: false, exceptions: [], unsupported: [] };
      try {
        await mp.callWxMethod('reLaunch', { url: `/${route}` });
        outcome.opened = true;
        // a page may route on by itself (a redirect in onLoad): it opened all the same
        const page = await mp.currentPage();
        if (page?.path !== route) outcome.wentOn = page?.path;
      } catch (err) {
        outcome.error = (err as Error).message;
      }
      await new Promise((r) => setTimeout(r, settleMs));
      outcome.exceptions = thrown.splice(0);
      outcome.unsupported = [...new Set(unsupportedNow.splice(0))];
      report.pages.push(outcome);
    }
  } finally {
    mp.disconnect();
    await sim.close();
  }
  const opened = report.pages.filter((p) => p.opened);
  report.totals = {
    listed: report.pages.length + report.missing.length,
    opened: opened.length,
    failed: report.pages.length - opened.length,
    withExceptions: report.pages.filter((p) => p.exceptions.length).length,
    missing: report.missing.length,
  };
  report.failures = group(report.pages, (p) => (p.error ? [p.error] : []));
  report.exceptions = group(report.pages, (p) => p.exceptions);
  report.unsupported = group(report.pages, (p) => p.unsupported.map((n) => `wx.${n}`));
  report.ms = Date.now() - started;
  return report;
}

// evaluate() runs in the app's scope, where __sim is; the page list comes from the simulator, not from re-reading
// app.json here
declare const __sim: { pages(): { pages: string[]; missingPages: Record<string, string> } };

export function formatReport(r: CrawlReport, top = 8): string {
  const lines = [`crawl of ${r.project}`];
  if (!r.launched) return [...lines, `launch FAILED after ${r.launchMs} ms: ${r.launchError}`].join('\n');
  const t = r.totals;
  lines.push(
    `launched in ${r.launchMs} ms${r.launchExceptions.length ? ` (${r.launchExceptions.length} exceptions/unsupported calls at launch)` : ''}`,
    `pages: ${t.listed} listed, ${t.missing} with missing files, ${t.opened} of ${t.listed - t.missing} opened, ${t.failed} failed, ${t.withExceptions} with exceptions (${r.ms} ms in all)`,
  );
  const section = (title: string, groups: [string, string[]][]) => {
    if (!groups.length) return;
    lines.push(`${title}:`);
    for (const [reason, pages] of groups.slice(0, top)) lines.push(`  ${String(pages.length).padStart(4)}  ${reason}  (e.g. ${pages[0]})`);
    if (groups.length > top) lines.push(`        … ${groups.length - top} more`);
  };
  section('failed to open, by reason', r.failures);
  section('exceptions, by reason', r.exceptions);
  section('wx calls not supported in the simulator, by API', r.unsupported);
  return lines.join('\n');
}

// run directly, or through scripts/run-ts.js (npm run sim:crawl), which puts the entry in argv[1]
if (require.main === module || path.resolve(process.argv[1] ?? '') === __filename) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { json: { type: 'boolean' }, settle: { type: 'string' }, verbose: { type: 'boolean' }, top: { type: 'string' } } });
  if (positionals.length !== 1) {
    process.stderr.write('usage: npm run sim:crawl -- <projectPath> [--json] [--settle <ms>] [--top <n>] [--verbose]\n');
    process.exit(2);
  }
  crawl(positionals[0], { settleMs: values.settle ? Number(values.settle) : undefined, log: values.verbose ? (l) => process.stderr.write(`simulator: ${l}\n`) : undefined }).then(
    (r) => {
      process.stdout.write(`${values.json ? JSON.stringify(r, null, 2) : formatReport(r, values.top ? Number(values.top) : undefined)}\n`);
      process.exit(r.launched && r.totals.failed === 0 ? 0 : 1);
    },
    (err) => {
      process.stderr.write(`crawl: ${(err as Error).stack}\n`);
      process.exit(2);
    },
  );
}
