// The README's pictures are what the app really looks like: every state is rendered afresh in both themes (as
// `npm run pictures` does) and compared with the committed picture, pixel by pixel with a small per-pixel colour
// tolerance. A real difference fails, and the failure names a diff image (changed pixels in red) in a temporary folder.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { PNG } from 'pngjs';
import { PICTURES, PICTURES_DIR, SCALE, THEMES, pictureFile, renderPictures, type Picture, type PictureName, type Theme } from '../../scripts/render-pictures';
import { requireChromium } from './helpers';

/** pixelmatch's per-pixel colour distance (0..1); anti-aliased pixels are not counted */
const COLOUR_TOLERANCE = 0.1;
/** pixels that may differ beyond it: a few stray edge pixels, never a changed word or colour (a glyph is ~200) */
const MAX_CHANGED_PIXELS = 40;

interface Comparison {
  changed: number;
  diffFile?: string;
  problem?: string;
}

/** Compares a fresh render with the committed picture: the same bytes pass at once, else pixel by pixel. */
function compare(name: string, baseline: Buffer, fresh: Buffer, diffDir: string, tamper?: Tamper): Promise<Comparison> {
  if (!tamper && baseline.equals(fresh)) return Promise.resolve({ changed: 0 });
  return new Promise((resolve, reject) => {
    const worker = new Worker(path.join(__dirname, 'compare-pictures.js'), {
      workerData: { baseline, fresh, threshold: COLOUR_TOLERANCE, maxChanged: MAX_CHANGED_PIXELS, diffDir, name, tamper },
    });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => code !== 0 && reject(new Error(`the picture comparison stopped with code ${code}`)));
  });
}

interface Tamper {
  left: number;
  top: number;
  width: number;
  height: number;
  rgb: [number, number, number];
}

let pictures: Picture[];
const diffDir = path.join(os.tmpdir(), `pictures-diff-${process.pid}`);
const shot = (name: PictureName, theme: Theme) => pictures.find((p) => p.name === name && p.theme === theme)?.png;

beforeAll(async () => {
  requireChromium();
  // the phone starts light; each state is shot, then shot again after the phone switched to dark mode
  pictures = await renderPictures({ themes: THEMES });
}, 240_000);

const cases = PICTURES.flatMap((p) => THEMES.map((theme) => [pictureFile(p.name, theme), p.name, theme] as const));

it.each(cases)('%s looks as committed in docs/pictures/', async (file, name, theme) => {
  const committed = path.join(PICTURES_DIR, file);
  if (!fs.existsSync(committed)) throw new Error(`${committed} is missing: run npm run pictures and commit docs/pictures/`);
  const fresh = shot(name, theme);
  if (!fresh) throw new Error(`the state ${name} was not rendered in the ${theme} theme`);
  const result = await compare(file.replace(/\.png$/, ''), fs.readFileSync(committed), fresh, diffDir);
  if (result.problem || result.changed > MAX_CHANGED_PIXELS) {
    throw new Error(
      `${file}: ${result.problem ?? `${result.changed} pixels differ from docs/pictures/${file}`}` +
        (result.diffFile ? `; see ${result.diffFile} (and the new render beside it). If the change is intended, run npm run pictures and commit.` : ''),
    );
  }
});

it('shows the dark theme in dark mode: the page, its card and the navigation bar are dark, the pay button green', () => {
  const light = PNG.sync.read(shot('checkout', 'light')!);
  const dark = PNG.sync.read(shot('checkout', 'dark')!);
  const at = (png: PNG, x: number, y: number) => {
    const i = (y * SCALE * png.width + x * SCALE) * 4;
    return [png.data[i], png.data[i + 1], png.data[i + 2]];
  };
  const lightness = ([r, g, b]: number[]) => (r + g + b) / 3;
  // page background (bottom), navigation bar (beside the title), the order card (its corner inside the padding)
  for (const [x, y] of [[20, 600], [40, 40], [30, 90]]) {
    expect(lightness(at(light, x, y))).toBeGreaterThan(200);
    expect(lightness(at(dark, x, y))).toBeLessThan(60);
  }
});

it('notices a real difference: a button painted another colour', async () => {
  const original = shot('checkout', 'light')!;
  // a 30 x 10 px patch of the pay button (CSS px; the pictures are 2x) painted a darker green
  // its diff goes to a folder of its own, removed after: only a real failure's diff is left behind to look at
  const selfCheckDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pictures-self-check-'));
  try {
    const result = await compare('self-check', original, original, selfCheckDir, { left: 100, top: 660, width: 60, height: 20, rgb: [6, 60, 30] });
    expect(result.changed).toBeGreaterThan(MAX_CHANGED_PIXELS);
    expect(fs.existsSync(result.diffFile!)).toBe(true);
  } finally {
    fs.rmSync(selfCheckDir, { recursive: true, force: true });
  }
});
