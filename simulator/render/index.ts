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

/** Chromium and playwright-core load only when a browser-mode simulator is asked for: headless starts stay fast. */
function loadBrowserFactory(): RendererFactory {
  return (require('./browser') as { createRenderer: RendererFactory }).createRenderer;
}

export async function createRenderer(mode: RenderMode, options: RendererOptions): Promise<Renderer> {
  if (mode === 'headless') return new HeadlessRenderer(options);
  if (mode === 'browser') return loadBrowserFactory()(options);
  throw new Error(`unknown render mode "${String(mode)}": use ${RENDER_MODES.join(' or ')}`);
}
