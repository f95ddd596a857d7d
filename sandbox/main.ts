// Runs the sandbox alone, configured from the environment: `node -r esbuild-register sandbox/main.ts`.

import { startSandbox } from './index';

startSandbox()
  .then((sandbox) => {
    process.stdout.write(`sandbox listening ${sandbox.url}\n`);
    const stop = (): void => {
      sandbox.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  })
  .catch((error: Error) => {
    process.stderr.write(`sandbox not started: ${error.message}\n`);
    process.exit(1);
  });
