// The README's pictures are what the app really looks like: every state is rendered afresh (as `npm run pictures`
// does) and compared with the committed picture, pixel by pixel with a small per-pixel colour tolerance. A real
// difference fails, and the failure names a diff image (changed pixels in red) in a temporary folder.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pixelmatch from 'pixelmatch';
import { PNG } from 'pngjs';
import { PICTURES, PICTURES_DIR, pictureFile, renderPictures, type PictureName } from '../../scripts/render-pictures';
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

function compare(name: string, baseline: Buffer, fresh: Buffer, diffDir: string): Comparison {
  const a = PNG.sync.read(baseline);
  const b = PNG.sync.read(fresh);
  if (a.width !== b.width || a.height !== b.height) {
    return { changed: Infinity, problem: `size changed from ${a.width}x${a.height} to ${b.width}x${b.height}` };
  }
  const diff = new PNG({ width: a.width, height: a.height });
  const changed = pixelmatch(a.data, b.data, diff.data, a.width, a.height, { threshold: COLOUR_TOLERANCE });
  if (changed <= MAX_CHANGED_PIXELS) return { changed };
  fs.mkdirSync(diffDir, { recursive: true });
  const diffFile = path.join(diffDir, `${name}.diff.png`);
  fs.writeFileSync(diffFile, PNG.sync.write(diff));
  fs.writeFileSync(path.join(diffDir, `${name}.new.png`), fresh);
  return { changed, diffFile };
}

let shots: Map<PictureName, Buffer>;
const diffDir = path.join(os.tmpdir(), `pictures-diff-${process.pid}`);

beforeAll(async () => {
  requireChromium();
  shots = await renderPictures({ theme: 'light' });
}, 240_000);

it.each(PICTURES.map((p) => p.name))('%s looks as committed in docs/pictures/', (name) => {
  const file = path.join(PICTURES_DIR, pictureFile(name, 'light'));
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run npm run pictures and commit docs/pictures/`);
  const fresh = shots.get(name);
  if (!fresh) throw new Error(`the state ${name} was not rendered`);
  const result = compare(name, fs.readFileSync(file), fresh, diffDir);
  if (result.problem || result.changed > MAX_CHANGED_PIXELS) {
    throw new Error(
      `${name}: ${result.problem ?? `${result.changed} pixels differ from docs/pictures/${pictureFile(name, 'light')}`}` +
        (result.diffFile ? `; see ${result.diffFile} (and the new render beside it). If the change is intended, run npm run pictures and commit.` : ''),
    );
  }
});

it('notices a real difference: a button painted another colour', () => {
  const fresh = PNG.sync.read(shots.get('checkout')!);
  // paint a 30 x 10 px patch of the pay button (CSS px; the pictures are 2x) a darker green
  for (let y = 480; y < 500; y++) {
    for (let x = 100; x < 160; x++) {
      const i = (y * fresh.width + x) * 4;
      fresh.data[i] = 6;
      fresh.data[i + 1] = 120;
      fresh.data[i + 2] = 60;
    }
  }
  const result = compare('self-check', shots.get('checkout')!, PNG.sync.write(fresh), diffDir);
  expect(result.changed).toBeGreaterThan(MAX_CHANGED_PIXELS);
  expect(fs.existsSync(result.diffFile!)).toBe(true);
});
