// Graceful shutdown for the command-line entry points: the first SIGINT or SIGTERM closes what runs (waiting checks
// answer with the current status, open requests finish, the store closes), then the process exits.

export interface ShutdownOptions {
  /** told which signal arrived, before closing */
  onSignal?: (signal: NodeJS.Signals) => void;
  /** closing longer than this exits with code 1 anyway */
  graceMs?: number;
}

/** Runs `close` once on SIGINT/SIGTERM and exits 0, or 1 when it failed or took too long; a second signal exits at once. */
export function closeOnSignals(close: () => Promise<unknown>, options: ShutdownOptions = {}): void {
  const { onSignal, graceMs = 15_000 } = options;
  let closing = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (closing) {
      process.exit(1);
    }
    closing = true;
    onSignal?.(signal);
    const late = setTimeout(() => {
      process.stderr.write(`shutdown took longer than ${graceMs / 1000} s; exiting anyway\n`);
      process.exit(1);
    }, graceMs);
    late.unref();
    close().then(
      () => process.exit(0),
      (error: Error) => {
        process.stderr.write(`shutdown failed: ${error.message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
