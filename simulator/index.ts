// Programmatic entry: start the headless runtime for a project and serve the automator protocol.
//   const sim = await startSimulator({ projectPath, port: 0, handlers });
//   const miniProgram = await automator.connect({ wsEndpoint: sim.wsEndpoint });
import { loadProject } from './runtime/project';
import { Simulation } from './runtime/simulation';
import { startProtocolServer } from './protocol/server';
import type { Log, MiniProgramHandler } from './runtime/types';
import type { Renderer } from './render/renderer';
import { createBrowserRenderer, PhoneScreen, type BrowserRenderer } from './render/browser';
import { startPreview, type RunningPreview } from './render/browser/preview';
import { simulationHost } from './render/browser/preview-host';
import { withScreen } from './render/browser/with-screen';

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
  /** browser render mode: device pixels per CSS px in screenshots (default 1) and the system theme it emulates */
  browser?: { scale?: number; theme?: 'light' | 'dark' };
  /** serve the live preview (a person's view of the app, in their browser) on 127.0.0.1:<port> (default
   * $PREVIEW_PORT or 3002; 0 picks a free port) */
  preview?: { port?: number; title?: string };
  /** internal: called when a client sends Tool.close */
  onToolClose?: () => void;
  /** internal: called when a client disconnects */
  onDisconnect?: (remaining: number) => void;
}

export interface RunningSimulator {
  wsEndpoint: string;
  port: number;
  /** the page renderer, when one is active (browser mode, or the preview's screen) */
  renderer?: Renderer;
  /** the live preview's address, when it was asked for */
  previewUrl?: string;
  close(): Promise<void>;
}

export async function startSimulator(options: SimulatorOptions): Promise<RunningSimulator> {
  const log: Log = options.log ?? (() => undefined);
  const project = loadProject(options.projectPath);
  const handlers = { ...(options.handlers ?? {}) };
  const sim = new Simulation({ project, handlers, log, verbose: options.verbose });
  const render = renderMode(options.render);
  let browser: BrowserRenderer | undefined;
  if (render === 'browser') browser = createBrowserRenderer({ root: project.root, appJson: project.appJson, log, scale: options.browser?.scale, theme: options.browser?.theme });
  sim.renderer = browser;
  let preview: RunningPreview | undefined;
  const closeAll = async () => {
    await preview?.close();
    sim.close();
    await sim.renderer?.close();
  };
  if (options.preview) {
    const screen = browser?.screen ?? new PhoneScreen({ root: project.root, appJson: project.appJson, log });
    if (!browser) sim.renderer = withScreen(undefined, screen);
    try {
      preview = await startPreview({ screen, host: simulationHost(sim, screen), port: options.preview.port, title: options.preview.title ?? project.appJson.window?.navigationBarTitleText as string | undefined, log });
    } catch (err) {
      await closeAll();
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'EADDRINUSE') throw Object.assign(new Error('the preview could not listen: its port is in use (choose another with PREVIEW_PORT)'), { code: e.code });
      throw err;
    }
    // while a person watches the preview, another mini program shows them its screen and waits for them
    const watching = preview;
    for (const [appId, handler] of Object.entries(handlers)) {
      handlers[appId] = (jump, context) => handler(jump, watching.watched() ? { ...context, showScreen: (s) => screen.showForeign(s) } : context);
    }
  }
  try {
    await sim.start();
  } catch (err) {
    await closeAll();
    throw err;
  }
  let server;
  try {
    server = await startProtocolServer(sim, options.port ?? 0, {
      log,
      onToolClose: options.onToolClose,
      onDisconnect: options.onDisconnect,
    });
  } catch (err) {
    await closeAll();
    throw err;
  }
  let closing: Promise<void> | undefined;
  return {
    wsEndpoint: `ws://127.0.0.1:${server.port}`,
    port: server.port,
    renderer: sim.renderer,
    previewUrl: preview?.url,
    close: () => {
      closing ??= server.close().then(closeAll);
      return closing;
    },
  };
}

function renderMode(requested: string | undefined): 'headless' | 'browser' {
  const mode = requested ?? (process.env.SIM_RENDER || 'headless');
  if (mode !== 'headless' && mode !== 'browser') throw new Error(`render mode must be "headless" or "browser" (--render / SIM_RENDER), got "${mode}"`);
  return mode;
}
