// Shared by the browser-mode tests: they need Debian's Chromium (CI installs it; see .ci/run).
import { PNG } from 'pngjs';
import { chromiumAvailable, ChromiumMissingError } from '../../simulator/render/browser';
import { chromiumPath } from '../../simulator/render/browser/chromium';

/** Fails the suite at once, with the install command, where Chromium is missing. */
export function requireChromium(): void {
  if (!chromiumAvailable()) throw new ChromiumMissingError(chromiumPath(), 'The browser-mode tests');
}

export function decodePng(data: Buffer): PNG {
  if (data.subarray(1, 4).toString('latin1') !== 'PNG') throw new Error('not a PNG');
  return PNG.sync.read(data);
}

/** The colour at (x, y) in CSS px of a PNG taken at `scale` device pixels per CSS px. */
export function pixel(png: PNG, x: number, y: number, scale = 1): [number, number, number] {
  const i = (Math.round(y * scale) * png.width + Math.round(x * scale)) * 4;
  return [png.data[i], png.data[i + 1], png.data[i + 2]];
}
