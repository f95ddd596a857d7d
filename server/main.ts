// Runs the backend alone, configured from the environment: `node -r esbuild-register server/main.ts` in development,
// `node build/server/main.js` once compiled (npm run build:server, npm run start:prod).
// Prints `server listening <url>` once it listens; exits 1 with a one-line reason when it cannot start.

import { closeOnSignals } from '../common/shutdown';
import { startServer } from './index';

startServer()
  .then((server) => {
    process.stdout.write(`server listening ${server.url}\n`);
    closeOnSignals(() => server.close());
  })
  .catch((error: Error) => {
    process.stderr.write(`server not started: ${error.message}\n`);
    process.exit(1);
  });
