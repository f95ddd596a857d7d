// A newcomer's own spec: automator.launch on simulator/cli.js with nothing but the project and the sandbox that
// `npm run serve` started (found at SANDBOX_PORT by the repository's simulator.handlers.js, which the CLI loads from
// the project by itself) pays for real.
import fs from 'fs';
import path from 'path';
import { useStack, expectPaidByOneJump, openCheckout, setScenario, tap, waitForStatus } from './harness';

const stack = useStack({ runtime: 'simulator-launch' });

it('automator.launch({cliPath: "simulator/cli.js", projectPath}) pays through the project\'s handlers file', async () => {
  await setScenario(stack(), { outcome: 'paid' });
  const page = await openCheckout(stack());
  await tap(page, '#pay-button');
  await waitForStatus(page, /支付成功/, 10000);
  await expectPaidByOneJump(stack());
  const log = fs.readFileSync(path.join(stack().projectPath, '.simulator.log'), 'utf8');
  expect(log).toMatch(/handlers for other mini programs: wx959c8c1fb2d89988, wx959c8c1fb2d877b5 from .*simulator\.handlers\.js/);
}, 30000);
