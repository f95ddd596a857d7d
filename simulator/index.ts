// Programmatic entry: start the runtime for a project and serve the automator protocol.
//   const sim = await startSimulator({ projectPath, port: 0, handlers });
//   const miniProgram = await automator.connect({ wsEndpoint: sim.wsEndpoint });
import { loadProject } from './runtime/project';
import { releaseExtendedLibs } from './runtime/compile';
import { Simulation } from './runtime/simulation';
import type { Log } from './runtime/types';
import { DEVICE, deviceNamed } from './runtime/window';
import { startProtocolServer } from './protocol/server';
import { createRenderer, parseRenderMode } from './render';
import type { Renderer, RendererFactory, RenderMode, Theme } from './render/renderer';
import { resolveHandlers, type Handlers } from './handlers';
import { setInitialTheme } from './runtime/wx-api';
import { parseTheme } from './runtime/wx/device';
// the browser mode and the live preview (render/browser/: Chromium, the phone page, an HTTP server) are loaded only
// when asked for, so the default headless launch stays as fast as it was without them
import type { PhoneScreen } from './render/browser/screen';
import type { RunningPreview } from './render/browser/preview';

export type { MiniProgramHandler, EnterOptions, ShowRequest, ReferrerInfo } from './runtime/types';
export type { RenderMode, Renderer, RendererFactory, RenderedPage, Rect, Theme } from './render/renderer';
export { DEVICE, type Device } from './runtime/window';
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
  /** browser render mode: device pixels per CSS px in screenshots (default 1) */
  browser?: { scale?: number };
  /**
   * serve the live preview (a person's view of the app, in their own browser) on 127.0.0.1:<port>; port default
   * $PREVIEW_PORT, else 3002 (0 picks a free one)
   */
  preview?: { port?: number; title?: string };
  /** where the simulator's own diagnostics go (default: nowhere) */
  log?: Log;
  /** also copy the app's console output to `log` */
  verbose?: boolean;
  /**
   * the phone, one of DevTools' simulator devices by name ("iPhone 6/7/8 Plus"...; default: SIM_DEVICE, else
   * "iPhone 6/7/8"): screen, pixel ratio, status bar, capsule, and so the window pages get
   */
  device?: string;
  /**
   * the system theme at start (default: SIM_THEME, else light): what getSystemInfoSync().theme says, and the colour
   * scheme the browser mode's Chromium and the preview's phone show; __sim.setTheme changes all of them
   */
  theme?: Theme;
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
  const device = deviceNamed(options.device ?? process.env.SIM_DEVICE);
  if (device !== DEVICE) log(`device: ${device.model} (${device.width} × ${device.height}, pixel ratio ${device.pixelRatio})`);
  const theme = options.theme !== undefined ? parseTheme(options.theme, 'startSimulator({theme})')
    : process.env.SIM_THEME ? parseTheme(process.env.SIM_THEME, 'SIM_THEME') : 'light';
  const rendererOptions = { project, device, log, theme, browser: options.browser };
  const mainRenderer: Renderer = options.createRenderer ? await options.createRenderer(rendererOptions) : await createRenderer(mode, rendererOptions);
  let renderer = mainRenderer;
  let screen: PhoneScreen | undefined;
  if (options.preview) {
    // the preview shows the same phone screen the browser mode lays out, or a screen of its own beside another renderer
    // require, not import(): esbuild-register (npm start, the CLI) leaves import() to Node's ES module loader
    const browser: typeof import('./render/browser') = require('./render/browser');
    screen = mainRenderer instanceof browser.BrowserRenderer ? mainRenderer.screen : undefined;
    if (!screen) {
      screen = new browser.PhoneScreen({ root: project.root, appJson: project.appJson, device, theme, log });
      renderer = browser.withScreen(mainRenderer, screen);
    }
  }
  const sim = new Simulation({ project, handlers, log, verbose: options.verbose, renderer, device });
  setInitialTheme(sim, theme);
  let preview: RunningPreview | undefined;
  let server: Awaited<ReturnType<typeof startProtocolServer>> | undefined;
  const closeAll = async () => {
    await server?.close();
    await preview?.close();
    sim.close();
    await renderer.close().catch(() => undefined);
    releaseExtendedLibs(project.root);
  };
  try {
    if (screen && options.preview) {
      const { startPreview }: typeof import('./render/browser/preview') = require('./render/browser/preview');
      const { simulationHost }: typeof import('./render/browser/preview-host') = require('./render/browser/preview-host');
      const shown = screen;
      preview = await startPreview({
        screen: shown,
        host: simulationHost(sim, shown),
        port: options.preview.port,
        title: options.preview.title ?? String(project.appJson.window?.navigationBarTitleText ?? 'mini program'),
        log,
      });
      // while a person watches the preview, another mini program shows them its screen and waits for their choice
      const watched = preview.watched;
      for (const [appId, handler] of Object.entries(handlers)) {
        handlers[appId] = (jump, context) => handler(jump, watched() ? { ...context, showScreen: (s) => shown.showForeign(s) } : context);
      }
    }
    await sim.start();
    server = await startProtocolServer(sim, options.port ?? 0, {
      log,
      onToolClose: options.onToolClose,
      onConnect: options.onConnect,
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
