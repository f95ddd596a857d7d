// Simulator figures, measured with the real miniprogram-automator client over `connect`:
//   cold launch            the first launch in this process: loading the simulator's modules (headless: never the
//                          browser mode's) + the launch to first page below
//   launch to first page   startSimulator (wcc compile, app launch) + connect + the first page's text read back
//   tap to re-render       Element.tap on #inner until #count shows the new count
//   20-step session        reLaunch, taps, setData, navigateTo/back, evaluate, a jump to another mini program
// Run: node -r esbuild-register bench/simulator.ts [--runs N]   (prints JSON; median of N runs, default 5)
import os from 'node:os';
import path from 'node:path';
import automator from 'miniprogram-automator';
import type { startSimulator as StartSimulator } from '../simulator';

const FIXTURE = path.join(__dirname, '..', 'test', 'fixtures', 'sim-app');

declare const __sim: { idle(): Promise<void> };
declare const getApp: () => { globalData: { events: string[] } };

export interface SimulatorFigures {
  coldLaunchMs: number;
  launchToFirstPageMs: number;
  tapToRerenderMs: number;
  session20StepsMs: number;
  runs: number;
}

let startSimulator: typeof StartSimulator | undefined;

async function once(): Promise<Omit<SimulatorFigures, 'runs' | 'coldLaunchMs'> & { coldLaunchMs?: number }> {
  const cold = !startSimulator;
  const t0 = performance.now();
  // loaded on the first launch, so that launch shows what a fresh process pays for the simulator's code
  startSimulator ??= (require('../simulator') as typeof import('../simulator')).startSimulator;
  const tLoaded = performance.now();
  const sim = await startSimulator({
    projectPath: FIXTURE,
    port: 0,
    handlers: { wxprovider: async () => ({ extraData: { paid: true } }) },
  });
  const mp = await automator.connect({ wsEndpoint: sim.wsEndpoint });
  try {
    const page = await mp.currentPage();
    const count = await page!.$('#count');
    if ((await count!.text()) !== 'Count: 0') throw new Error('first page did not render');
    const launchToFirstPageMs = performance.now() - tLoaded;
    const coldLaunchMs = cold ? performance.now() - t0 : undefined;

    const inner = await page!.$('#inner');
    const t1 = performance.now();
    await inner!.tap();
    while ((await count!.text()) !== 'Count: 1') { /* re-read until the view shows it */ }
    const tapToRerenderMs = performance.now() - t1;

    const t2 = performance.now();
    const steps: (() => Promise<unknown>)[] = [
      () => mp.callWxMethod('reLaunch', { url: '/pages/index/index' }),
      () => mp.currentPage(),
      async () => (await mp.currentPage())!.$('#inner').then((e) => e!.tap()),
      async () => (await mp.currentPage())!.$('#count').then((e) => e!.text()),
      async () => (await mp.currentPage())!.setData({ title: 'Bench' }),
      async () => (await mp.currentPage())!.data('title'),
      async () => (await mp.currentPage())!.$$('.item'),
      async () => (await mp.currentPage())!.$('card').then((e) => e!.$('#card-btn')).then((e) => e!.tap()),
      () => mp.callWxMethod('setStorageSync', 'k', { v: 1 }),
      () => mp.callWxMethod('getStorageSync', 'k'),
      () => mp.callWxMethod('navigateTo', { url: '/pages/detail/detail?from=bench' }),
      async () => (await mp.currentPage())!.$('#from').then((e) => e!.text()),
      () => mp.callWxMethod('navigateBack'),
      () => mp.evaluate(() => getApp().globalData.events.length),
      () => mp.mockWxMethod('showToast', { errMsg: 'showToast:ok' }),
      () => mp.callWxMethod('showToast', { title: 'x' }),
      () => mp.restoreWxMethod('showToast'),
      async () => (await mp.currentPage())!.$('#pay-sync').then((e) => e!.tap()),
      () => mp.evaluate(() => __sim.idle()),
      async () => (await mp.currentPage())!.$('#returned').then((e) => e!.text()),
    ];
    for (const step of steps) await step();
    const session20StepsMs = performance.now() - t2;
    return { coldLaunchMs, launchToFirstPageMs, tapToRerenderMs, session20StepsMs };
  } finally {
    mp.disconnect();
    await sim.close();
  }
}

export async function benchSimulator(runs = 5): Promise<SimulatorFigures> {
  const results: Awaited<ReturnType<typeof once>>[] = [];
  for (let i = 0; i < runs; i++) results.push(await once());
  const median = (k: 'launchToFirstPageMs' | 'tapToRerenderMs' | 'session20StepsMs') => {
    const v = results.map((r) => r[k]).sort((a, b) => a - b);
    return Math.round(v[Math.floor(v.length / 2)] * 10) / 10;
  };
  const cold = results.find((r) => r.coldLaunchMs !== undefined)?.coldLaunchMs ?? NaN;
  return {
    coldLaunchMs: Math.round(cold * 10) / 10,
    launchToFirstPageMs: median('launchToFirstPageMs'),
    tapToRerenderMs: median('tapToRerenderMs'),
    session20StepsMs: median('session20StepsMs'),
    runs,
  };
}

if (require.main === module) {
  const i = process.argv.indexOf('--runs');
  const runs = i > 0 ? Number(process.argv[i + 1]) : 5;
  benchSimulator(runs).then(
    (f) => {
      console.log(JSON.stringify({ ...f, loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100) }, null, 2));
      process.exit(0);
    },
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
