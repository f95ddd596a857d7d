// What DevTools compiles before the app runs, from project.config.json's `setting`:
// - ES module syntax (import/export) becomes CommonJS when "将JS编译成ES5" (es6) or "增强编译" (enhance) is on, as
//   DevTools' babel pass does (esbuild here; missing settings count as on, DevTools' default for new projects);
// - TypeScript sources run when `useCompilerPlugins` has "typescript" (transpiled only, as DevTools does);
// - app.json `useExtendedLib` libraries (weui) are mounted from their npm package at miniprogram_npm/<lib>;
// - npm packages come from miniprogram_npm, which DevTools' 构建 npm builds (build-npm.ts does the same here).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { transformSync } from 'esbuild';

export interface CompileOptions {
  /** import/export compiled to CommonJS */
  esm: boolean;
  /** .ts sources transpiled (useCompilerPlugins: ["typescript"]) */
  typescript: boolean;
  /** useCompilerPlugins entries for styles (less, sass): headless mode applies no styles, so they only get noted */
  stylePlugins: string[];
  /** package.json dependencies next to the mini program, for the "build npm" hint */
  npmDependencies: string[];
}

export class CompileError extends Error {
  override name = 'CompileError';
}

export function compileOptionsOf(setting: Record<string, unknown>, projectPath: string, root: string): CompileOptions {
  const plugins = Array.isArray(setting.useCompilerPlugins) ? setting.useCompilerPlugins.map((p) => (typeof p === 'string' ? p : (p as { type?: string })?.type)).filter((p): p is string => typeof p === 'string') : [];
  const on = (v: unknown) => v === undefined || v === true;
  return {
    esm: on(setting.es6) || setting.enhance === true,
    typescript: plugins.includes('typescript'),
    stylePlugins: plugins.filter((p) => p === 'less' || p === 'sass'),
    npmDependencies: npmDependencies(projectPath, root),
  };
}

function npmDependencies(projectPath: string, root: string): string[] {
  const out = new Set<string>();
  for (const dir of new Set([root, projectPath])) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
      for (const name of Object.keys(pkg.dependencies ?? {})) out.add(name);
    } catch {
      /* no package.json there */
    }
  }
  return [...out];
}

const MODULE_SYNTAX = /(^|[\n;])\s*(import\s*[\w*{'"]|export\s+(default|const|let|var|function|class|async|\{|\*))/;

/** The CommonJS source to run for a script file, compiled as DevTools would compile it. */
export function compileScript(file: string, source: string, options: CompileOptions, root: string): string {
  const rel = path.relative(root, file);
  const isTs = file.endsWith('.ts');
  const isModule = MODULE_SYNTAX.test(source);
  if (!isTs && !isModule) return source;
  if (isTs && !options.typescript) {
    throw new CompileError(`${rel} is TypeScript, but project.config.json does not list "typescript" in setting.useCompilerPlugins (DevTools would not compile it either)`);
  }
  if (!isTs && !options.esm) {
    throw new CompileError(`${rel} uses ES module syntax (import/export), but project.config.json turns off setting.es6 (将JS编译成ES5) and setting.enhance (增强编译): DevTools would not compile it either; turn one of them on`);
  }
  try {
    return transformSync(source, {
      loader: isTs ? 'ts' : 'js',
      format: 'cjs',
      target: 'es2020',
      sourcefile: file,
      sourcemap: 'inline',
      tsconfigRaw: { compilerOptions: { experimentalDecorators: true, useDefineForClassFields: false } },
      logLevel: 'silent',
    }).code;
  } catch (err) {
    const e = err as { errors?: { text: string; location?: { line: number; column: number } }[] };
    const first = e.errors?.[0];
    throw new CompileError(`${rel}${first?.location ? `:${first.location.line}:${first.location.column}` : ''}: ${first?.text ?? (err as Error).message}`);
  }
}

/** The package name a bare require refers to ("lodash/get" -> "lodash", "@vant/weapp/x" -> "@vant/weapp"). */
export function packageOf(request: string): string {
  const parts = request.split('/');
  return request.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

export function buildNpmHint(request: string, options: CompileOptions): string | undefined {
  const pkg = packageOf(request);
  if (!options.npmDependencies.includes(pkg)) return undefined;
  return `npm package "${pkg}" is a dependency in package.json but miniprogram_npm/${pkg} was not built: run 构建 npm in DevTools (工具 → 构建 npm) after npm install, or \`npm run sim:build-npm -- <project>\``;
}

const EXTENDED_LIBS: Record<string, { pkg: string; dir: string }> = {
  weui: { pkg: 'weui-miniprogram', dir: 'miniprogram_dist' },
};

/**
 * The root the simulator reads: the mini program root itself, or, when app.json uses extended libraries the project
 * does not vendor, a mirror of it (symlinks, in the system temp folder) with miniprogram_npm/<lib> added.
 */
/** The staged project folders this process made and has not removed yet. */
const stages = new Set<string>();
let exitHookInstalled = false;

function releaseAllStages(): void {
  for (const stage of stages) fs.rmSync(stage, { recursive: true, force: true });
  stages.clear();
}

/** Removes the folder withExtendedLibs staged for a project (nothing when `root` is the project's own folder). */
export function releaseExtendedLibs(root: string): void {
  if (!stages.delete(root)) return;
  fs.rmSync(root, { recursive: true, force: true });
}

export function withExtendedLibs(root: string, useExtendedLib: Record<string, unknown> | undefined, log: (line: string) => void): string {
  const wanted = Object.keys(useExtendedLib ?? {}).filter((k) => useExtendedLib![k]);
  const mounts: [string, string][] = [];
  for (const lib of wanted) {
    const known = EXTENDED_LIBS[lib];
    if (!known) {
      log(`app.json useExtendedLib "${lib}" is not available in the simulator (only ${Object.keys(EXTENDED_LIBS).join(', ')})`);
      continue;
    }
    if (fs.existsSync(path.join(root, 'miniprogram_npm', known.pkg))) continue; // vendored by the project
    let pkgDir: string;
    try {
      pkgDir = path.dirname(require.resolve(`${known.pkg}/package.json`));
    } catch {
      throw new CompileError(`app.json useExtendedLib "${lib}" needs the npm package ${known.pkg} next to the simulator: npm install --save-dev ${known.pkg}`);
    }
    mounts.push([known.pkg, path.join(pkgDir, known.dir)]);
  }
  if (!mounts.length) return root;
  // one per load (simulators may run side by side on one project): removed when the simulator closes
  // (releaseExtendedLibs), or at the latest when the process exits
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), `wx-sim-${path.basename(root)}-`));
  stages.add(stage);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', releaseAllStages);
  }
  fs.mkdirSync(path.join(stage, 'miniprogram_npm'), { recursive: true });
  for (const entry of fs.readdirSync(root)) {
    if (entry === 'miniprogram_npm') continue;
    fs.symlinkSync(path.join(root, entry), path.join(stage, entry));
  }
  const ownNpm = path.join(root, 'miniprogram_npm');
  if (fs.existsSync(ownNpm)) for (const entry of fs.readdirSync(ownNpm)) fs.symlinkSync(path.join(ownNpm, entry), path.join(stage, 'miniprogram_npm', entry));
  for (const [name, dir] of mounts) fs.symlinkSync(dir, path.join(stage, 'miniprogram_npm', name));
  return stage;
}
