// The backend alone in a child process, for the capacity and stress benchmarks: the load generator's own work,
// sockets and memory stay out of the figures. Started by backend-child.ts with the server options as JSON in argv[2],
// merged over the benchmark defaults of bench-backend.ts (no rate limits, no per-address connection cap, no provider
// query).
// Talks over the fork IPC channel:
//   -> {type: 'ready', url}          once listening
//   <- {type: 'stats', gc?, reset?}  -> ServerStats   (gc: after a full GC, needs --expose-gc; reset: the event
//                                                 loop delay starts over)
//   <- {type: 'close'}               closes the server, removes its data folder, exits
import diagnostics from 'node:diagnostics_channel';
import type net from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { ServerOptions } from '../../server';
import type { WaitingChecksStats } from '../../server/waiting-checks';
import { startBenchBackend } from './bench-backend';

export interface ServerStats {
  type: 'stats';
  rss: number;
  heapUsed: number;
  /** HTTP requests received and not yet answered: the checks being held */
  inFlight: number;
  /** TCP connections open at the server */
  connections: number;
  /** CPU time used so far (user + system), µs */
  cpuMicros: number;
  /** the longest the event loop was blocked since the last stats with `reset`, ms */
  eventLoopDelayMaxMs: number;
  waitingChecks: WaitingChecksStats;
}

const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
let received = 0;
let answered = 0;
let connections = 0;
diagnostics.subscribe('http.server.request.start', () => received++);
diagnostics.subscribe('http.server.response.finish', () => answered++);
diagnostics.subscribe('net.server.socket', (message) => {
  connections++;
  (message as { socket: net.Socket }).socket.once('close', () => connections--);
});

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] || '{}') as ServerOptions;
  const { backend: server, close } = await startBenchBackend(options);
  const send = (message: unknown): void => void process.send?.(message);
  process.on('message', (message: { type: string; gc?: boolean; reset?: boolean }) => {
    if (message.type === 'stats') {
      const gc = (globalThis as { gc?: () => void }).gc;
      if (gc && message.gc) {
        gc();
        gc();
      }
      const memory = process.memoryUsage();
      send({
        type: 'stats',
        rss: memory.rss,
        heapUsed: memory.heapUsed,
        inFlight: received - answered,
        connections,
        cpuMicros: process.cpuUsage().user + process.cpuUsage().system,
        eventLoopDelayMaxMs: Math.round(loopDelay.max / 1e6),
        waitingChecks: server.waitingChecks.stats(),
      } satisfies ServerStats);
      if (message.reset) loopDelay.reset();
    } else if (message.type === 'close') {
      void close().finally(() => process.exit(0));
    }
  });
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', url: server.url });
}

main().catch((error: Error) => {
  console.error(`benchmark backend failed to start: ${error.message}`);
  process.exit(1);
});
