// Programmatic entry: start the runtime for a project and serve the automator protocol.
//   const sim = await startSimulator({ projectPath, port: 0, handlers });
//   const miniProgram = await automator.connect({ wsEndpoint: sim.wsEndpoint });
import { loadProject } from './runtime/project';
import { Simulation } from './runtime/simulation';
import { SIMULATED_WINDOW, type Log } from './runtime/types';
import { startProtocolServer } from './protocol/server';
import { createRenderer, parseRenderMode } from './render';
import type { Renderer, RendererFactory, RenderMode } from './render/renderer';
import { resolveHandlers, type Handlers } from './handlers';
import { setInitialTheme } from './runtime/wx-api';
import { BrowserRenderer } from './render/browser';
import { PhoneScreen } from './render/browser/screen';
import { startPreview, type RunningPreview } from './render/browser/preview';
import { simulationHost } from './render/browser/preview-host';
import { withScreen } from './render/browser/with-screen';

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
  /** browser render mode: device pixels per CSS px in screenshots (default 1) and the system theme it emulates */
  browser?: { scale?: number; theme?: 'light' | 'dark' };
  /**
   * serve the live preview (a person's view of the app, in their own browser) on 127.0.0.1:<port>; port default
   * $PREVIEW_PORT, else 3002 (0 picks a free one)
   */
  preview?: { port?: number; title?: string };
  /** where the simulator's own diagnostics go (default: nowhere) */
  log?: Log;
  /** also copy the app's console output to `log` */
  verbose?: boolean;
  /** the system theme at start (default: SIM_THEME, else light); __sim.setTheme changes it */
  theme?: 'light' | 'dark';
  /** internal (tests): builds the renderer instead of the `render` mode's own */
  createRenderer?: RendererFactory;
  /** internal: called when a client sends Tool.close */
  onToolClose?: () => void;
  /** internal: called when a client disconnects */
  onDisconnect?: (remaining: number) => void;
}

export interface RunningSimulator {
  wsEndpoint: string;
  port: number;
  render: RenderMode;
  /** the renderer: the browser mode's can take screenshots for a picture command */
  renderer: Renderer;
  /** the live preview's address, when one was asked for */
  previewUrl?: string;
  close(): Promise<void>;
}

export async function startSimulator(options: SimulatorOptions): Promise<RunningSimulator> {
  const log: Log = options.log ?? (() => undefined);
  const mode = options.render ?? parseRenderMode(process.env.SIM_RENDER, 'SIM_RENDER');
  const project = loadProject(options.projectPath, log);
  const { handlers, source } = resolveHandlers(project.projectPath, options.handlers);
  const appIds = Object.keys(handlers);
  log(`handlers for other mini programs: ${appIds.length ? `${appIds.join(', ')} from ${source}` : source}`);
  const rendererOptions = { project, window: SIMULATED_WINDOW, log, browser: options.browser };
  const mainRenderer: Renderer = options.createRenderer ? await options.createRenderer(rendererOptions) : await createRenderer(mode, rendererOptions);
  // the preview shows the same phone screen the browser mode lays out, or a screen of its own beside another renderer
  const screen = !options.preview ? undefined
    : mainRenderer instanceof BrowserRenderer ? mainRenderer.screen
    : new PhoneScreen({ root: project.root, appJson: project.appJson, log });
  const renderer = screen && !(mainRenderer instanceof BrowserRenderer) ? withScreen(mainRenderer, screen) : mainRenderer;
  const sim = new Simulation({ project, handlers, log, verbose: options.verbose, renderer });
  if (options.theme !== undefined) setInitialTheme(sim, options.theme);
  let preview: RunningPreview | undefined;
  let server: Awaited<ReturnType<typeof startProtocolServer>> | undefined;
  const closeAll = async () => {
    await server?.close();
    await preview?.close();
    sim.close();
    await renderer.close().catch(() => undefined);
  };
  try {
    if (screen && options.preview) {
      preview = await startPreview({
        screen,
        host: simulationHost(sim, screen),
        port: options.preview.port,
        title: options.preview.title ?? String(project.appJson.window?.navigationBarTitleText ?? 'mini program'),
        log,
      });
      // while a person watches the preview, another mini program shows them its screen and waits for their choice
      const watched = preview.watched;
      for (const [appId, handler] of Object.entries(handlers)) {
        handlers[appId] = (jump, context) => handler(jump, watched() ? { ...context, showScreen: (s) => screen.showForeign(s) } : context);
      }
    }
    await sim.start();
    server = await startProtocolServer(sim, options.port ?? 0, {
      log,
      onToolClose: options.onToolClose,
      onDisconnect: options.onDisconnect,
    });
  } catch (err) {
    await closeAll();
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE' && !preview && options.preview) {
      throw Object.assign(new Error('the live preview could not listen: its port is in use (choose another with PREVIEW_PORT)'), { code: e.code });
    }
    throw err;
  }
  const listening = server;
  let closing: Promise<void> | undefined;
  return {
    wsEndpoint: `ws://127.0.0.1:${listening.port}`,
    port: listening.port,
    render: renderer.kind,
    renderer,
    previewUrl: preview?.url,
    close: () => {
      closing ??= closeAll();
      return closing;
    },
  };
}
