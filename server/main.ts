// Runs the backend alone, configured from the environment: `node -r esbuild-register server/main.ts`.
// Prints `server listening <url>` once it listens; exits 1 with a one-line reason when it cannot start.

import { startServer } from './index';

startServer()
  .then((server) => {
    process.stdout.write(`server listening ${server.url}\n`);
    const stop = (): void => {
      server.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  })
  .catch((error: Error) => {
    process.stderr.write(`server not started: ${error.message}\n`);
    process.exit(1);
  });
