// Programmatic entry: start the headless runtime for a project and serve the automator protocol.
//   const sim = await startSimulator({ projectPath, port: 0, handlers });
//   const miniProgram = await automator.connect({ wsEndpoint: sim.wsEndpoint });
import { loadProject } from './runtime/project';
import { Simulation } from './runtime/simulation';
import { startProtocolServer } from './protocol/server';
import { setInitialTheme } from './runtime/wx-api';
import type { Log, MiniProgramHandler } from './runtime/types';

export type { MiniProgramHandler, EnterOptions, ShowRequest, ReferrerInfo } from './runtime/types';
export { LoadError } from './runtime/project';

export interface SimulatorOptions {
  projectPath: string;
  /** 0 (default) picks a free port */
  port?: number;
  /** stand-ins for other mini programs, by appId, for wx.navigateToMiniProgram */
  handlers?: Record<string, MiniProgramHandler>;
  /** where the simulator's own diagnostics go (default: nowhere) */
  log?: Log;
  /** also copy the app's console output to `log` */
  verbose?: boolean;
  /** the system theme at start (default: SIM_THEME, else light); __sim.setTheme changes it */
  theme?: 'light' | 'dark';
  /** internal: called when a client sends Tool.close */
  onToolClose?: () => void;
  /** internal: called when a client disconnects */
  onDisconnect?: (remaining: number) => void;
}

export interface RunningSimulator {
  wsEndpoint: string;
  port: number;
  close(): Promise<void>;
}

export async function startSimulator(options: SimulatorOptions): Promise<RunningSimulator> {
  const log: Log = options.log ?? (() => undefined);
  const project = loadProject(options.projectPath, log);
  const sim = new Simulation({ project, handlers: options.handlers ?? {}, log, verbose: options.verbose });
  if (options.theme !== undefined) setInitialTheme(sim, options.theme);
  await sim.start();
  let server;
  try {
    server = await startProtocolServer(sim, options.port ?? 0, {
      log,
      onToolClose: options.onToolClose,
      onDisconnect: options.onDisconnect,
    });
  } catch (err) {
    sim.close();
    throw err;
  }
  let closing: Promise<void> | undefined;
  return {
    wsEndpoint: `ws://127.0.0.1:${server.port}`,
    port: server.port,
    close: () => {
      closing ??= server.close().then(() => sim.close());
      return closing;
    },
  };
}
