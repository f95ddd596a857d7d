// Starts the backend in a child process (backend-process.ts) and talks to it: its URL, its figures, its end.
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { ServerOptions } from '../../server';
import type { ServerStats } from './backend-process';

export type { ServerStats };

export interface BackendChild {
  url: string;
  pid: number;
  /** gc: collect garbage first (for memory figures; slow with a big heap); reset: restart the event loop delay */
  stats(gc?: boolean, reset?: boolean): Promise<ServerStats>;
  close(): Promise<void>;
}

/**
 * `options` override the benchmark defaults of bench-backend.ts: no rate limits, no per-address connection cap, no
 * provider query.
 */
export async function startBackendChild(options: ServerOptions = {}): Promise<BackendChild> {
  const child: ChildProcess = fork(path.join(__dirname, 'backend-process.ts'), [JSON.stringify(options)], {
    execArgv: ['-r', 'esbuild-register', '--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (m: { type: string; url: string }) => (m.type === 'ready' ? resolve(m.url) : reject(new Error('unexpected message'))));
    child.once('exit', (code) => reject(new Error(`the benchmark backend exited with code ${code} before it was ready`)));
  });
  return {
    url,
    pid: child.pid as number,
    stats: (gc = false, reset = false) =>
      new Promise<ServerStats>((resolve, reject) => {
        if (child.exitCode !== null) return reject(new Error('the benchmark backend has exited'));
        const onMessage = (m: ServerStats): void => {
          if (m.type !== 'stats') return;
          child.off('message', onMessage);
          resolve(m);
        };
        child.on('message', onMessage);
        child.send({ type: 'stats', gc, reset });
      }),
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.send({ type: 'close' });
      }),
  };
}
