// Asks a running simulator what it supports, the way a spec would (automator evaluate), and prints JSON. Run in a
// child process by specs that must decide, before jest collects their tests, whether they can run at all.
//   node scripts/run-ts.js test/e2e/simulator-supports.ts
import path from 'path';
import automator from 'miniprogram-automator';
import { startSimulator } from '../../simulator';

/** the app's own `wx`, in scope inside evaluate()d functions */
declare const wx: { canIUse(schema: string): boolean };

async function main(): Promise<void> {
  const sim = await startSimulator({ projectPath: path.join(__dirname, '..', 'fixtures', 'sim-app'), port: 0 });
  try {
    const miniProgram = await automator.connect({ wsEndpoint: sim.wsEndpoint });
    try {
      const supports = await miniProgram.evaluate(() => {
        // __sim and wx are the app's scope variables (simulator/README.md), not properties of globalThis
        const controls = typeof __sim === 'undefined' ? {} : (__sim as unknown as Record<string, unknown>);
        return { onThemeChange: wx.canIUse('onThemeChange'), setTheme: typeof controls.setTheme === 'function' };
      });
      process.stdout.write(JSON.stringify(supports));
    } finally {
      miniProgram.disconnect();
    }
  } finally {
    await sim.close();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(String(err && err.stack ? err.stack : err));
    process.exit(1);
  },
);
