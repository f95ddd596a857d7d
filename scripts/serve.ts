// `npm run serve`: the backend and the sandbox on 127.0.0.1 with the development defaults (or the environment:
// PORT, SANDBOX_PORT, DATA_DIR, MERCHANT_ID, MERCHANT_KEY, PROVIDER, PROVIDER_BASE_URL, PUBLIC_BASE_URL, ...).
// Prints one line containing `ready` with both URLs once both listen; shuts both down on SIGINT/SIGTERM.

import { closeOnSignals } from '../common/shutdown';
import { startStack } from './stack';

async function main(): Promise<void> {
  const stack = await startStack();
  const { backend, sandbox } = stack;
  process.stdout.write(
    `ready: backend ${backend.url} (orders in ${backend.storeDescription}, provider ${backend.config.provider}), ` +
      `sandbox ${sandbox?.url}\n`,
  );
  closeOnSignals(() => stack.close(), { onSignal: (signal) => process.stdout.write(`${signal}: shutting down\n`) });
}

main().catch((error: Error) => {
  process.stderr.write(`npm run serve failed: ${error.message}\n`);
  process.exit(1);
});
