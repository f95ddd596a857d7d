// The backend alone in a child process, for the capacity benchmark (bench/lib/capacity.ts): the load generator's
// own work and memory stay out of the figures. Talks over the fork IPC channel:
//   -> {type: 'ready', url}          once listening
//   <- {type: 'stats', gc?}  -> {type: 'stats', rss, heapUsed, inFlight}   (gc: after a full GC; needs --expose-gc)
//   <- {type: 'close'}               closes the server, removes its data folder, exits
import diagnostics from 'node:diagnostics_channel';
import { startStack } from '../../scripts/stack';

export interface ServerStats {
  type: 'stats';
  rss: number;
  heapUsed: number;
  /** HTTP requests received and not yet answered: the checks being held */
  inFlight: number;
}

let received = 0;
let answered = 0;
diagnostics.subscribe('http.server.request.start', () => received++);
diagnostics.subscribe('http.server.response.finish', () => answered++);

async function main(): Promise<void> {
  const { backend: server, close } = await startStack({
    env: {},
    tempData: true,
    sandbox: false,
    backend: {
      port: 0,
      logLevel: 'silent',
      orderRateLimitPerMinute: 100_000_000,
      // checks are only counted here: no provider query (and none to a provider that is not there)
      providerQueryAfterMs: 3_600_000,
      providerBaseUrl: 'http://127.0.0.1:9',
    },
  });
  const send = (message: unknown): void => void process.send?.(message);
  process.on('message', (message: { type: string; gc?: boolean }) => {
    if (message.type === 'stats') {
      const gc = (globalThis as { gc?: () => void }).gc;
      if (gc && message.gc) {
        gc();
        gc();
      }
      const memory = process.memoryUsage();
      send({ type: 'stats', rss: memory.rss, heapUsed: memory.heapUsed, inFlight: received - answered } satisfies ServerStats);
    } else if (message.type === 'close') {
      void close().finally(() => process.exit(0));
    }
  });
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', url: server.url });
}

main().catch((error: Error) => {
  console.error(`capacity server failed to start: ${error.message}`);
  process.exit(1);
});
