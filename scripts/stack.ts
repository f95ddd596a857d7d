// The one way to start the backend with the sandbox standing in for the provider: npm run serve, npm start, the
// server and e2e tests and the benchmarks all call startStack. (Production runs the backend alone: server/main.ts.)
//
//   startStack({backend?, sandbox?, env?, tempData?, relay?}): Promise<{backend, sandbox?, dataDir, close()}>
// - the sandbox starts first and the backend asks it as its provider, unless PROVIDER_BASE_URL (or
//   backend.providerBaseUrl) says otherwise; `sandbox: false` starts the backend alone;
// - options override the environment (`env`, default process.env), which overrides the development defaults;
// - tempData: the backend's SQLite lives in a fresh temporary folder, removed by close();
// - relay: something to put between the backend and the sandbox (the benchmark's counting proxy);
// - under NODE_ENV=production it refuses to start the sandbox: the sandbox would accept any payment the backend
//   asked it about. Production is `npm run build:server` then `npm run start:prod`.
// A failure half-way closes what had started.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSandbox, type RunningSandbox, type SandboxOptions } from '../sandbox';
import { startServer, type Clock, type RunningServer, type ServerOptions } from '../server';

export interface StackOptions {
  backend?: ServerOptions & { clock?: Clock };
  /** the sandbox's options, or false for the backend alone */
  sandbox?: Partial<SandboxOptions> | false;
  env?: NodeJS.ProcessEnv;
  tempData?: boolean;
  relay?: (sandboxUrl: string) => Promise<{ url: string; close(): Promise<unknown> }>;
}

export interface RunningStack {
  backend: RunningServer;
  /** absent when started with `sandbox: false` */
  sandbox?: RunningSandbox;
  dataDir: string;
  close(): Promise<void>;
}

export class StackRefused extends Error {
  override name = 'StackRefused';
}

export type BackendAlone = RunningStack & { sandbox: undefined };
export type BackendWithSandbox = RunningStack & { sandbox: RunningSandbox };

export function startStack(options: StackOptions & { sandbox: false }): Promise<BackendAlone>;
export function startStack(options?: StackOptions & { sandbox?: Partial<SandboxOptions> }): Promise<BackendWithSandbox>;
export function startStack(options?: StackOptions): Promise<RunningStack>;
export async function startStack(options: StackOptions = {}): Promise<RunningStack> {
  const env = options.env ?? process.env;
  if (options.sandbox !== false && env.NODE_ENV === 'production') {
    throw new StackRefused(
      'NODE_ENV=production: refusing to start the sandbox, a stand-in for the provider that would let the backend ' +
        'believe any payment. Run the backend alone: npm run build:server, then npm run start:prod',
    );
  }
  const closers: (() => Promise<unknown>)[] = [];
  const close = async (): Promise<void> => {
    for (const closer of closers.splice(0).reverse()) await closer().catch(() => undefined);
  };
  try {
    let dataDir = options.backend?.dataDir;
    if (options.tempData && !dataDir) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xwjf-data-'));
      closers.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
      dataDir = dir;
    }
    let sandbox: RunningSandbox | undefined;
    let providerBaseUrl = options.backend?.providerBaseUrl ?? (env.PROVIDER_BASE_URL || undefined);
    if (options.sandbox !== false) {
      const running = await startSandbox({ ...options.sandbox, env });
      sandbox = running;
      closers.push(() => running.close());
      if (!providerBaseUrl) {
        const relay = options.relay ? await options.relay(running.url) : undefined;
        if (relay) closers.push(() => relay.close());
        providerBaseUrl = relay?.url ?? running.url;
      }
    }
    const backend = await startServer({ ...options.backend, dataDir, providerBaseUrl, env });
    closers.push(() => backend.close());
    return { backend, sandbox, dataDir: backend.config.dataDir, close };
  } catch (error) {
    await close();
    throw error;
  }
}
