// `npm run serve`: the backend and the sandbox on 127.0.0.1 with the development defaults (or the environment:
// PORT, SANDBOX_PORT, DATA_DIR, MERCHANT_ID, MERCHANT_KEY, PROVIDER, PROVIDER_BASE_URL, PUBLIC_BASE_URL).
// Prints one line containing `ready` with both URLs once both listen; shuts both down on SIGINT/SIGTERM.

import { startSandbox } from '../sandbox';
import { startServer } from '../server';

async function main(): Promise<void> {
  const sandbox = await startSandbox();
  let server;
  try {
    server = await startServer({ providerBaseUrl: process.env.PROVIDER_BASE_URL || sandbox.url });
  } catch (error) {
    await sandbox.close();
    throw error;
  }
  process.stdout.write(
    `ready: backend ${server.url} (data in ${server.config.dataDir}, provider ${server.config.provider}), ` +
      `sandbox ${sandbox.url}\n`,
  );
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${signal}: shutting down\n`);
    Promise.allSettled([server.close(), sandbox.close()]).then(() => process.exit(0));
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: Error) => {
  process.stderr.write(`npm run serve failed: ${error.message}\n`);
  process.exit(1);
});
