// Choosing a render mode: `--render` on the CLI, SIM_RENDER, or startSimulator({render}); headless by default. The
// browser mode's module (render/browser/, with Chromium behind it) is loaded only when it is asked for.
import { HeadlessRenderer } from './headless';
import type { Renderer, RendererFactory, RendererOptions, RenderMode } from './renderer';

export const RENDER_MODES: readonly RenderMode[] = ['headless', 'browser'];

/** Checks a mode given by a user (flag or environment variable named by `source`). */
export function parseRenderMode(value: string | undefined, source: string): RenderMode {
  if (value === undefined || value === '') return 'headless';
  if ((RENDER_MODES as readonly string[]).includes(value)) return value as RenderMode;
  throw new Error(`${source} must be one of ${RENDER_MODES.join(', ')}; got "${value}"`);
}

function loadBrowserFactory(): RendererFactory {
  let mod: { createRenderer?: RendererFactory };
  try {
    mod = require('./browser');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'MODULE_NOT_FOUND' && /['"]\.\/browser['"]|render[\\/]browser/.test(e.message)) {
      throw new Error('render mode "browser" is not available in this copy of the simulator (simulator/render/browser/ is missing); use --render headless');
    }
    throw err;
  }
  if (typeof mod.createRenderer !== 'function') throw new Error('simulator/render/browser does not export createRenderer(options)');
  return mod.createRenderer;
}

export async function createRenderer(mode: RenderMode, options: RendererOptions): Promise<Renderer> {
  if (mode === 'headless') return new HeadlessRenderer(options);
  if (mode === 'browser') return loadBrowserFactory()(options);
  throw new Error(`unknown render mode "${String(mode)}": use ${RENDER_MODES.join(' or ')}`);
}
