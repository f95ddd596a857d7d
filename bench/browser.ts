// Browser render mode and live preview figures, through the real automator client and a real Chromium:
//   browser launch to first page   startSimulator({render: 'browser'}) + connect + the first page laid out in
//                                  Chromium (an element's size read back non-zero)
//   screenshot                     miniProgram.screenshot(): App.captureScreenshot, a PNG of the phone, base64
//   preview shows a setData        page.setData(...) sent until the preview (open in Chromium) shows the new text
//   headless launch to first page  the same launch without a browser (bench/simulator.ts), to show it is unchanged
// Run: npm run bench:browser [-- --runs N]  (median of N, default 5; prints the figures and writes them into
// bench/results/latest.json under "browser", keeping what else the file holds)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import automator from 'miniprogram-automator';
import { startSimulator } from '../simulator';
import { launchChromium } from '../simulator/render/browser/chromium';
import { benchSimulator } from './simulator';

const FIXTURE = path.join(__dirname, '..', 'test', 'fixtures', 'render-app');
const OUT = path.join(__dirname, 'results', 'latest.json');

function median(values: number[]): number {
  const v = [...values].sort((a, b) => a - b);
  return Math.round(v[Math.floor(v.length / 2)] * 10) / 10;
}

async function launchToFirstPage(): Promise<number> {
  const t0 = performance.now();
  const sim = await startSimulator({ projectPath: FIXTURE, port: 0, render: 'browser' });
  const mp = await automator.connect({ wsEndpoint: sim.wsEndpoint });
  try {
    const page = await mp.currentPage();
    const size = await (await page!.$('#full'))!.size();
    if (Number(size.width) !== 375) throw new Error(`the first page was not laid out (#full is ${size.width} px wide)`);
    return performance.now() - t0;
  } finally {
    mp.disconnect();
    await sim.close();
  }
}

async function screenshots(runs: number): Promise<number[]> {
  const sim = await startSimulator({ projectPath: FIXTURE, port: 0, render: 'browser' });
  const mp = await automator.connect({ wsEndpoint: sim.wsEndpoint });
  try {
    const page = (await mp.currentPage())!;
    await (await page.$('#full'))!.size(); // Chromium up and the page laid out
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      // a change first, so each picture shows a re-rendered page
      await page.setData({ title: `Screenshot ${i}` });
      const t0 = performance.now();
      const data = (await mp.screenshot()) as string;
      times.push(performance.now() - t0);
      if (!Buffer.from(data, 'base64').subarray(1, 4).equals(Buffer.from('PNG'))) throw new Error('the screenshot is not a PNG');
    }
    return times;
  } finally {
    mp.disconnect();
    await sim.close();
  }
}

async function previewSetData(runs: number): Promise<number[]> {
  const sim = await startSimulator({ projectPath: FIXTURE, port: 0, preview: { port: 0 } });
  const mp = await automator.connect({ wsEndpoint: sim.wsEndpoint });
  const chromium = await launchChromium({ purpose: 'the preview benchmark', viewport: { width: 900, height: 760 } });
  try {
    const tab = chromium.context.pages()[0] ?? (await chromium.context.newPage());
    await tab.goto(sim.previewUrl!);
    const title = tab.frameLocator('iframe.page-frame.shown').locator('#title');
    await title.waitFor({ timeout: 10000 });
    const page = (await mp.currentPage())!;
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const text = `setData ${i} ${Date.now()}`;
      // the browser notes (on the same clock) when the text appears in the preview's page
      const seen = tab.evaluate(
        (want) =>
          new Promise<number>((resolve) => {
            const frame = document.querySelector('iframe.page-frame.shown') as HTMLIFrameElement;
            const doc = frame.contentDocument!;
            const check = () => {
              if (doc.body.innerText.includes(want)) {
                observer.disconnect();
                resolve(Date.now());
              }
            };
            const observer = new MutationObserver(check);
            observer.observe(doc.body, { subtree: true, childList: true, characterData: true });
            check();
          }),
        text,
      );
      await tab.waitForTimeout(20); // the observer is in place
      const sent = Date.now();
      await page.setData({ title: text });
      times.push((await seen) - sent);
    }
    return times;
  } finally {
    await chromium.close();
    mp.disconnect();
    await sim.close();
  }
}

async function main(): Promise<void> {
  const i = process.argv.indexOf('--runs');
  const runs = i > 0 ? Number(process.argv[i + 1]) : 5;
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a whole number >= 1');

  const launches: number[] = [];
  for (let r = 0; r < runs; r++) launches.push(await launchToFirstPage());
  const shots = await screenshots(Math.max(runs, 10));
  const preview = await previewSetData(Math.max(runs, 10));
  const headless = await benchSimulator(runs);

  const figures = {
    launchToFirstPageMs: median(launches),
    screenshotMs: median(shots),
    previewSetDataMs: median(preview),
    headlessLaunchToFirstPageMs: headless.launchToFirstPageMs,
    worst: {
      launchToFirstPageMs: Math.round(Math.max(...launches)),
      screenshotMs: Math.round(Math.max(...shots)),
      previewSetDataMs: Math.round(Math.max(...preview)),
    },
    runs,
    chromium: fs.existsSync('/usr/bin/chromium') ? 'Debian /usr/bin/chromium' : 'CHROMIUM_PATH',
    machine: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, node: process.version, loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100) },
    date: new Date().toISOString(),
  };
  const targets = [
    { target: 'browser-mode launch to first page < 3000 ms', figure: figures.launchToFirstPageMs, met: figures.launchToFirstPageMs < 3000 },
    { target: 'a screenshot < 300 ms', figure: figures.screenshotMs, met: figures.screenshotMs < 300 },
    { target: 'the preview shows a setData < 100 ms', figure: figures.previewSetDataMs, met: figures.previewSetDataMs < 100 },
    { target: 'headless launch to first page < 100 ms (unchanged)', figure: figures.headlessLaunchToFirstPageMs, met: figures.headlessLaunchToFirstPageMs < 100 },
  ];
  console.log(`Browser render mode and preview (median of ${runs}; screenshots and setData: median of ${Math.max(runs, 10)}):`);
  for (const t of targets) console.log(`${t.met ? 'MET    ' : 'MISSED '} ${t.target}: ${t.figure} ms`);
  console.log(`worst: launch ${figures.worst.launchToFirstPageMs} ms, screenshot ${figures.worst.screenshotMs} ms, preview ${figures.worst.previewSetDataMs} ms`);
  console.log(`load average ${figures.machine.loadAverage.join(', ')} on ${figures.machine.cores} cores`);

  let report: Record<string, unknown> = {};
  try {
    report = JSON.parse(fs.readFileSync(OUT, 'utf8'));
  } catch {
    // no earlier results: start the file
  }
  report.browser = { ...figures, targets };
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(OUT, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`wrote ${path.relative(process.cwd(), OUT)} ("browser")`);
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    console.error(`browser benchmark failed: ${err.stack ?? err.message}`);
    process.exit(1);
  },
);
