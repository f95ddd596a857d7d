// Where Chromium is missing, the browser render mode still runs the app: only layout calls fail, and they say which
// package to install. The headless mode's screenshot says which mode gives one.
import path from 'node:path';
import automator from 'miniprogram-automator';
import { startSimulator } from '../../simulator';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'render-app');

it('runs the app without Chromium and answers layout calls with the package to install', async () => {
  const saved = process.env.CHROMIUM_PATH;
  process.env.CHROMIUM_PATH = path.join(__dirname, 'no-such-chromium');
  const sim = await startSimulator({ projectPath: FIXTURE, port: 0, render: 'browser' });
  const miniProgram = await automator.connect({ wsEndpoint: sim.wsEndpoint });
  try {
    const page = (await miniProgram.currentPage())!;
    const primary = (await page.$('#primary'))!;
    await primary.tap();
    expect(await (await page.$('#taps'))!.text()).toBe('taps 1');
    await expect(primary.size()).rejects.toThrow(/apt-get install chromium/);
    await expect(miniProgram.screenshot()).rejects.toThrow(/Debian's package chromium/);
    expect(await page.data('taps')).toBe(1);
  } finally {
    if (saved === undefined) delete process.env.CHROMIUM_PATH;
    else process.env.CHROMIUM_PATH = saved;
    miniProgram.disconnect();
    await sim.close();
  }
}, 30000);

it('says in headless mode which mode and package give screenshots', async () => {
  const sim = await startSimulator({ projectPath: FIXTURE, port: 0, render: 'headless' });
  const miniProgram = await automator.connect({ wsEndpoint: sim.wsEndpoint });
  try {
    await expect(miniProgram.screenshot()).rejects.toThrow(/--render browser.*chromium/);
  } finally {
    miniProgram.disconnect();
    await sim.close();
  }
}, 30000);
