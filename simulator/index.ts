// Programmatic entry: start the headless runtime for a project and serve the automator protocol.
//   const sim = await startSimulator({ projectPath, port: 0, handlers });
//   const miniProgram = await automator.connect({ wsEndpoint: sim.wsEndpoint });
import { loadProject } from './runtime/project';
import { Simulation } from './runtime/simulation';
import { startProtocolServer } from './protocol/server';
import type { Log, MiniProgramHandler } from './runtime/types';
import type { Renderer } from './render/renderer';
import { createBrowserRenderer } from './render/browser';

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
  /** 'headless' (default; no layout) or 'browser' (Chromium lays pages out); default $SIM_RENDER */
  render?: 'headless' | 'browser';
  /** internal: called when a client sends Tool.close */
  onToolClose?: () => void;
  /** internal: called when a client disconnects */
  onDisconnect?: (remaining: number) => void;
}

export interface RunningSimulator {
  wsEndpoint: string;
  port: number;
  /** the page renderer, when one is active (browser mode) */
  renderer?: Renderer;
  close(): Promise<void>;
}

export async function startSimulator(options: SimulatorOptions): Promise<RunningSimulator> {
  const log: Log = options.log ?? (() => undefined);
  const project = loadProject(options.projectPath);
  const sim = new Simulation({ project, handlers: options.handlers ?? {}, log, verbose: options.verbose });
  const render = renderMode(options.render);
  if (render === 'browser') sim.renderer = createBrowserRenderer({ root: project.root, appJson: project.appJson, log });
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
    await sim.renderer?.close();
    throw err;
  }
  let closing: Promise<void> | undefined;
  return {
    wsEndpoint: `ws://127.0.0.1:${server.port}`,
    port: server.port,
    renderer: sim.renderer,
    close: () => {
      closing ??= server.close().then(async () => {
        sim.close();
        await sim.renderer?.close();
      });
      return closing;
    },
  };
}

function renderMode(requested: string | undefined): 'headless' | 'browser' {
  const mode = requested ?? (process.env.SIM_RENDER || 'headless');
  if (mode !== 'headless' && mode !== 'browser') throw new Error(`render mode must be "headless" or "browser" (--render / SIM_RENDER), got "${mode}"`);
  return mode;
}
