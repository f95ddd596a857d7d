// 16. WeChat's dark mode switched while the page is open: the page follows (onThemeChange), keeping its state.
// Needs the simulator's theme seam (wx.onThemeChange and __sim.setTheme). Until the simulator has them this spec is
// skipped, and says so: the simulator is asked first, in a child process, the way the spec itself would ask it.
import { spawnSync } from 'child_process';
import path from 'path';
import { ICON_COLORS } from '../../miniprogram/lib/theme';
import { openCheckout, setScenario, tap, useStack, waitForStatus, waitUntil } from './harness';

const ROOT = path.join(__dirname, '..', '..');
const probe = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'run-ts.js'), path.join(__dirname, 'simulator-supports.ts')], { encoding: 'utf8', timeout: 60000 });
if (probe.status !== 0) throw new Error(`could not ask the simulator what it supports: ${probe.stderr || probe.error}`);
const supports: { onThemeChange: boolean; setTheme: boolean } = JSON.parse(probe.stdout);
const themeSeam = supports.onThemeChange && supports.setTheme;
if (!themeSeam) {
  // straight to stderr: jest does not print the console of a test file whose tests were all skipped
  const lacks = [!supports.onThemeChange && 'wx.onThemeChange', !supports.setTheme && '__sim.setTheme'].filter(Boolean).join(' and ');
  process.stderr.write(`Theme spec skipped: the simulator lacks ${lacks} (the theme seam); it runs once the simulator has them.\n`);
}

(themeSeam ? describe : describe.skip)('dark mode while the page is open', () => {
  const stack = useStack();

  const setTheme = (theme: 'light' | 'dark') =>
    stack().miniProgram.evaluate((t: string) => (__sim as unknown as { setTheme(t: string): unknown }).setTheme(t), theme);

  it('follows the switch to dark and back, keeping 支付成功', async () => {
    await setScenario(stack(), { outcome: 'paid' });
    const page = await openCheckout(stack());
    await tap(page, '#pay-button');
    await waitForStatus(page, /支付成功/, 10000);
    const iconColor = async () => (await page.$('#result-icon'))!.attribute('color');
    expect(await iconColor()).toBe(ICON_COLORS.light);

    await setTheme('dark');
    await waitUntil(async () => (await iconColor()) === ICON_COLORS.dark, 5000, 'the success icon to take the dark theme\'s colour');
    expect(await page.data('iconColor')).toBe(ICON_COLORS.dark);
    await waitForStatus(page, /支付成功/, 1000);

    await setTheme('light');
    await waitUntil(async () => (await iconColor()) === ICON_COLORS.light, 5000, 'the success icon to take the light theme\'s colour');
  }, 60000);
});
