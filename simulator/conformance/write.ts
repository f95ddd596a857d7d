// npm run sim:conformance: refreshes the wx catalog from the installed miniprogram-api-typings, rewrites the
// conformance section of simulator/README.md, and prints the counts. test/simulator/conformance.test.ts checks that
// both are current.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { readWxCatalog } from './typings';
import { CATALOG } from '../runtime/wx/catalog';
import { computeConformance, countsLine, renderMarkdown, withSection } from './table';

export const CATALOG_FILE = path.join(__dirname, '..', 'runtime', 'wx', 'typings-catalog.json');
export const README = path.join(__dirname, '..', 'README.md');

export function catalogText(): string {
  return `${JSON.stringify(readWxCatalog(), null, 1)}\n`;
}

async function main() {
  const fresh = catalogText();
  if (fresh !== fs.readFileSync(CATALOG_FILE, 'utf8')) {
    const changed = fresh !== `${JSON.stringify(CATALOG, null, 1)}\n`;
    fs.writeFileSync(CATALOG_FILE, fresh);
    process.stdout.write(`wrote ${path.relative(process.cwd(), CATALOG_FILE)} from miniprogram-api-typings; computing the table with it\n`);
    // the runtime has the old catalog loaded: compute the table in a fresh process
    if (!changed) return void (await writeTable());
    const run = spawnSync(process.execPath, [path.join(__dirname, '..', '..', 'scripts', 'run-ts.js'), __filename], { stdio: 'inherit' });
    process.exit(run.status ?? 1);
  }
  await writeTable();
}

async function writeTable() {
  const conformance = await computeConformance();
  const readme = fs.readFileSync(README, 'utf8');
  fs.writeFileSync(README, withSection(readme, renderMarkdown(conformance)));
  process.stdout.write(`${countsLine(conformance)}\nwrote the conformance section of ${path.relative(process.cwd(), README)}\n`);
}

if (require.main === module || path.resolve(process.argv[1] ?? '') === __filename) {
  main().catch((err) => {
    process.stderr.write(`sim:conformance: ${(err as Error).stack}\n`);
    process.exit(1);
  });
}
