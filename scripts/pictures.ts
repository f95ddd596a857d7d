// `npm run pictures`: every state a payer can see, rendered at 375 px width (2x pixels) into docs/pictures/ for the
// README (scripts/render-pictures.ts does the rendering).
//   npm run pictures                      all states, light theme
//   npm run pictures -- --theme dark      the same with prefers-color-scheme: dark, into <state>-dark.png
//   npm run pictures -- --only paid,failed --out /tmp/pics
import fs from 'node:fs';
import path from 'node:path';
import { PICTURES, PICTURES_DIR, pictureFile, renderPictures, type PictureName, type Theme } from './render-pictures';

function parseArgs(argv: string[]): { theme: Theme; only?: PictureName[]; out: string } {
  let theme: Theme = 'light';
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
      if (t !== 'light' && t !== 'dark') throw new Error(`--theme must be light or dark, got "${t}"`);
      theme = t;
    } else if (arg === '--only') {
      const names = value().split(',').map((s) => s.trim()).filter(Boolean);
      const known = PICTURES.map((p) => p.name as string);
      const unknown = names.filter((n) => !known.includes(n));
      if (unknown.length) throw new Error(`--only: unknown state ${unknown.join(', ')} (known: ${known.join(', ')})`);
      only = names as PictureName[];
    } else if (arg === '--out') {
      out = path.resolve(value());
    } else {
      throw new Error(`unknown argument "${arg}" (use --theme light|dark, --only a,b, --out DIR)`);
    }
  }
  return { theme, only, out };
}

async function main(): Promise<void> {
  const { theme, only, out } = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const shots = await renderPictures({ theme, only, log: (line) => console.log(line) });
  fs.mkdirSync(out, { recursive: true });
  for (const [name, png] of shots) {
    const file = path.join(out, pictureFile(name, theme));
    fs.writeFileSync(file, png);
    console.log(`wrote ${path.relative(process.cwd(), file)} (${png.length} bytes)`);
  }
  console.log(`${shots.size} pictures in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((err) => {
  console.error(`npm run pictures failed: ${(err as Error).stack ?? String(err)}`);
  process.exit(1);
});
