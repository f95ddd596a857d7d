// The backend alone in a child process, for the capacity benchmark (bench/lib/capacity.ts): the load generator's
// own work and memory stay out of the figures. Talks over the fork IPC channel:
//   -> {type: 'ready', url}          once listening
//   <- {type: 'stats', gc?}  -> {type: 'stats', rss, heapUsed, inFlight}   (gc: after a full GC; needs --expose-gc)
//   <- {type: 'close'}               closes the server, removes its data folder, exits
// BENCH_DATABASE_URL (set by startChild) puts it on that PostgreSQL database instead of SQLite.
import diagnostics from 'node:diagnostics_channel';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer } from '../../server';

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
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xwjf-capacity-'));
  const server = await startServer({
    port: 0,
    dataDir,
    logLevel: 'silent',
    orderRateLimitPerMinute: 100_000_000,
    // checks are only counted here: no provider query (and none to a provider that is not there)
    providerQueryAfterMs: 3_600_000,
    providerBaseUrl: 'http://127.0.0.1:9',
    databaseUrl: process.env.BENCH_DATABASE_URL || null,
    env: {},
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
      void server.close().finally(() => {
        fs.rmSync(dataDir, { recursive: true, force: true });
        process.exit(0);
      });
    }
  });
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', url: server.url });
}

main().catch((error: Error) => {
  console.error(`capacity server failed to start: ${error.message}`);
  process.exit(1);
});
