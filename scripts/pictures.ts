// `npm run pictures`: every state a payer can see, rendered at 375 px width (2x pixels) in WeChat's light and dark
// themes into docs/pictures/ for the README (scripts/render-pictures.ts does the rendering).
//   npm run pictures                      all states, both themes: <state>.png and <state>.dark.png
//   npm run pictures -- --theme dark      the dark set alone (the phone starts in dark mode)
//   npm run pictures -- --only paid,failed --out /tmp/pics
import fs from 'node:fs';
import path from 'node:path';
import { PICTURES, PICTURES_DIR, THEMES, pictureFile, renderPictures, type PictureName, type Theme } from './render-pictures';

function parseArgs(argv: string[]): { themes: readonly Theme[]; only?: PictureName[]; out: string } {
  let themes: readonly Theme[] = THEMES;
  let only: PictureName[] | undefined;
  let out = PICTURES_DIR;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--theme') {
      const t = value();
      if (t !== 'light' && t !== 'dark' && t !== 'both') throw new Error(`--theme must be light, dark or both, got "${t}"`);
      themes = t === 'both' ? THEMES : [t];
    } else if (arg === '--only') {
      const names = value().split(',').map((s) => s.trim()).filter(Boolean);
      const known = PICTURES.map((p) => p.name as string);
      const unknown = names.filter((n) => !known.includes(n));
      if (unknown.length) throw new Error(`--only: unknown state ${unknown.join(', ')} (known: ${known.join(', ')})`);
      only = names as PictureName[];
    } else if (arg === '--out') {
      out = path.resolve(value());
    } else {
      throw new Error(`unknown argument "${arg}" (use --theme light|dark|both, --only a,b, --out DIR)`);
    }
  }
  return { themes, only, out };
}

async function main(): Promise<void> {
  const { themes, only, out } = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const pictures = await renderPictures({ themes, only, log: (line) => console.log(line) });
  fs.mkdirSync(out, { recursive: true });
  for (const { name, theme, png } of pictures) {
    const file = path.join(out, pictureFile(name, theme));
    fs.writeFileSync(file, png);
    console.log(`wrote ${path.relative(process.cwd(), file)} (${png.length} bytes)`);
  }
  console.log(`${pictures.length} pictures in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((err) => {
  console.error(`npm run pictures failed: ${(err as Error).stack ?? String(err)}`);
  process.exit(1);
});
