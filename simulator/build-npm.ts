// DevTools' 构建 npm (Tools → Build npm), for a project built without DevTools:
//
//   npm run sim:build-npm -- <projectPath>
//
// For the package.json in the mini program root (else the project root), after `npm install` there: every dependency,
// and theirs, goes to <miniprogramRoot>/miniprogram_npm/<name>. A package with a `miniprogram` field (a mini program
// npm package: components, miniprogram_dist) has that folder copied; any other package is bundled from its `main`
// into index.js, its own dependencies left as requires that resolve to their miniprogram_npm folders — as DevTools
// builds them.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildSync } from 'esbuild';

export interface BuiltPackage {
  name: string;
  how: 'copied' | 'bundled';
  from: string;
}

function readJson(file: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function findPackageJson(projectPath: string): { pkgDir: string; root: string } {
  const configFile = path.join(projectPath, 'project.config.json');
  const config = fs.existsSync(configFile) ? readJson(configFile) : {};
  const root = path.resolve(projectPath, typeof config.miniprogramRoot === 'string' ? config.miniprogramRoot : '.');
  for (const dir of [root, path.resolve(projectPath)]) if (fs.existsSync(path.join(dir, 'package.json'))) return { pkgDir: dir, root };
  throw new Error(`no package.json in ${root} or ${path.resolve(projectPath)}: nothing to build`);
}

export function buildNpm(projectPath: string): BuiltPackage[] {
  const { pkgDir, root } = findPackageJson(projectPath);
  const modules = path.join(pkgDir, 'node_modules');
  const out = path.join(root, 'miniprogram_npm');
  const queue = Object.keys((readJson(path.join(pkgDir, 'package.json')).dependencies as Record<string, string>) ?? {});
  const seen = new Set<string>();
  const built: BuiltPackage[] = [];
  while (queue.length) {
    const name = queue.shift()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const dir = path.join(modules, name);
    if (!fs.existsSync(path.join(dir, 'package.json'))) throw new Error(`${name} is a dependency but ${dir} does not exist: run npm install in ${pkgDir} first`);
    const pkg = readJson(path.join(dir, 'package.json'));
    const deps = Object.keys((pkg.dependencies as Record<string, string>) ?? {});
    queue.push(...deps);
    const target = path.join(out, name);
    fs.rmSync(target, { recursive: true, force: true });
    if (typeof pkg.miniprogram === 'string') {
      const from = path.join(dir, pkg.miniprogram);
      fs.cpSync(from, target, { recursive: true });
      built.push({ name, how: 'copied', from: path.relative(pkgDir, from) });
      continue;
    }
    const entry = require.resolve(dir);
    buildSync({
      entryPoints: [entry],
      bundle: true,
      format: 'cjs',
      platform: 'neutral',
      mainFields: ['main', 'module'],
      target: 'es2018',
      outfile: path.join(target, 'index.js'),
      external: deps.flatMap((d) => [d, `${d}/*`]),
      logLevel: 'silent',
    });
    built.push({ name, how: 'bundled', from: path.relative(pkgDir, entry) });
  }
  return built;
}

// run directly, or through scripts/run-ts.js (npm run sim:build-npm), which puts the entry in argv[1]
if (require.main === module || path.resolve(process.argv[1] ?? '') === __filename) {
  const { positionals } = parseArgs({ allowPositionals: true });
  if (positionals.length !== 1) {
    process.stderr.write('usage: npm run sim:build-npm -- <projectPath>\n');
    process.exit(2);
  }
  try {
    for (const p of buildNpm(positionals[0])) process.stdout.write(`miniprogram_npm/${p.name}: ${p.how} from ${p.from}\n`);
  } catch (err) {
    process.stderr.write(`build npm: ${(err as Error).message}\n`);
    process.exit(1);
  }
}
