// Programmatic entry: start the runtime for a project and serve the automator protocol.
//   const sim = await startSimulator({ projectPath, port: 0, handlers });
//   const miniProgram = await automator.connect({ wsEndpoint: sim.wsEndpoint });
import { loadProject } from './runtime/project';
import { Simulation } from './runtime/simulation';
import type { Log } from './runtime/types';
import { DEFAULT_DEVICE as DEFAULT_DEVICE_NAME, SCREEN, useDevice } from './runtime/window';
import { startProtocolServer } from './protocol/server';
import { createRenderer, parseRenderMode } from './render';
import type { Renderer, RendererFactory, RenderMode } from './render/renderer';
import { resolveHandlers, type Handlers } from './handlers';
import { setInitialTheme } from './runtime/wx-api';

export type { MiniProgramHandler, EnterOptions, ShowRequest, ReferrerInfo } from './runtime/types';
export type { RenderMode, Renderer, RendererFactory, RenderedPage, Rect } from './render/renderer';
export { LoadError } from './runtime/project';
export { PROJECT_HANDLERS_FILES } from './handlers';

export interface SimulatorOptions {
  projectPath: string;
  /** 0 (default) picks a free port */
  port?: number;
  /**
   * stand-ins for other mini programs, by appId, for wx.navigateToMiniProgram: an object, or the path of a module
   * exporting one. Default: the project's simulator.handlers.js (or .ts), if it has one.
   */
  handlers?: Handlers | string;
  /** 'headless' (default: SIM_RENDER, else headless) or 'browser' (Chromium lays pages out) */
  render?: RenderMode;
  /** where the simulator's own diagnostics go (default: nowhere) */
  log?: Log;
  /** also copy the app's console output to `log` */
  verbose?: boolean;
  /** the phone, one of DevTools' simulator devices by name ("iPhone 6/7/8 Plus"...; default: SIM_DEVICE, else
   * "iPhone 12/13 (Pro)", DevTools' default): screen and window sizes, pixel ratio, status bar */
  device?: string;
  /** the system theme at start (default: SIM_THEME, else light); __sim.setTheme changes it */
  theme?: 'light' | 'dark';
  /** internal (tests): builds the renderer instead of the `render` mode's own */
  createRenderer?: RendererFactory;
  /** internal: called when a client sends Tool.close */
  onToolClose?: () => void;
  /** internal: called when a client connects */
  onConnect?: (count: number) => void;
  /** internal: called when a client disconnects */
  onDisconnect?: (remaining: number) => void;
}

export interface RunningSimulator {
  wsEndpoint: string;
  port: number;
  render: RenderMode;
  close(): Promise<void>;
}

export async function startSimulator(options: SimulatorOptions): Promise<RunningSimulator> {
  const log: Log = options.log ?? (() => undefined);
  const mode = options.render ?? parseRenderMode(process.env.SIM_RENDER, 'SIM_RENDER');
  const project = loadProject(options.projectPath, log);
  const { handlers, source } = resolveHandlers(project.projectPath, options.handlers);
  const appIds = Object.keys(handlers);
  log(`handlers for other mini programs: ${appIds.length ? `${appIds.join(', ')} from ${source}` : source}`);
  const device = useDevice(options.device ?? process.env.SIM_DEVICE);
  if (device.name !== DEFAULT_DEVICE_NAME) log(`device: ${device.name} (${device.width} × ${device.height}, pixel ratio ${device.pixelRatio})`);
  const rendererOptions = { project, window: { width: SCREEN.width, height: SCREEN.height, pixelRatio: SCREEN.pixelRatio }, log };
  const renderer: Renderer = options.createRenderer ? await options.createRenderer(rendererOptions) : await createRenderer(mode, rendererOptions);
  const sim = new Simulation({ project, handlers, log, verbose: options.verbose, renderer });
  if (options.theme !== undefined) setInitialTheme(sim, options.theme);
  let server;
  try {
    await sim.start();
    server = await startProtocolServer(sim, options.port ?? 0, {
      log,
      onToolClose: options.onToolClose,
      onConnect: options.onConnect,
      onDisconnect: options.onDisconnect,
    });
  } catch (err) {
    sim.close();
    await renderer.close().catch(() => undefined);
    throw err;
  }
  let closing: Promise<void> | undefined;
  return {
    wsEndpoint: `ws://127.0.0.1:${server.port}`,
    port: server.port,
    render: renderer.kind,
    close: () => {
      closing ??= server.close().then(async () => {
        sim.close();
        await renderer.close();
      });
      return closing;
    },
  };
}
