// Runs the sandbox alone, configured from the environment: `node -r esbuild-register sandbox/main.ts`.

import { closeOnSignals } from '../common/shutdown';
import { startSandbox } from './index';

startSandbox()
  .then((sandbox) => {
    process.stdout.write(`sandbox listening ${sandbox.url}\n`);
    closeOnSignals(() => sandbox.close());
  })
  .catch((error: Error) => {
    process.stderr.write(`sandbox not started: ${error.message}\n`);
    process.exit(1);
  });
