// Build of the mini program: clean -> check the backend URL for the target -> (transpile TS, copy wxml/wxss/json/images)
// -> validate with wcc/wcsc -> size budget. Small typed task factories composed with series/parallel; `buildMiniprogram()` runs the same pipeline
// programmatically (the e2e suite and `npm start` build into their own folder with their own backend URL).
import { spawnSync } from 'child_process';
import { promises as fs, constants as fsConstants, readFileSync } from 'fs';
import * as path from 'path';
import * as esbuild from 'esbuild';
import { parallel, series, watch as gulpWatch } from 'gulp';
import { BUILD_TARGETS, backendUrlProblem, DEVELOP_API_BASE_URL, type BuildTarget } from './miniprogram/lib/backend-url';

const ROOT = __dirname;
/** Build settings for WeChat DevTools, whose custom commands run without your shell's environment (see README). */
export const BUILD_ENV_FILE = '.env.build';

export interface BuildOptions {
  /** where the built mini program goes; default $MINIPROGRAM_OUT_DIR or <repo>/dist */
  outDir?: string;
  /**
   * develop (default), preview (a phone: no loopback backend) or release (a trial/release upload: a public https
   * backend only). A URL the target cannot use fails the build and leaves no dist/ behind.
   */
  target?: BuildTarget;
  /** backend base URL baked into the build; default $API_BASE_URL, then API_BASE_URL in .env.build, then (develop only) http://127.0.0.1:3000 */
  apiBaseUrl?: string;
  /** mini program sources; default <repo>/miniprogram */
  srcDir?: string;
  /** fail above this many bytes of output; default 100 KB */
  sizeBudgetBytes?: number;
  /**
   * how long the payment confirmation waits for a verdict before the page says 尚未支付 (default 0: the app's own
   * 60 s, lib/config.ts). Develop builds only: the README pictures' build shortens it so that state is reached in
   * seconds; a preview or release build refuses any other value.
   */
  confirmDeadlineMs?: number;
  log?: (line: string) => void;
}

type ResolvedOptions = Required<BuildOptions>;
type Task = (() => Promise<void>) & { displayName?: string };

export const SIZE_BUDGET_BYTES = 100 * 1024;
const ASSET_EXTENSIONS = ['.wxml', '.wxss', '.json', '.wxs', '.png', '.jpg', '.jpeg', '.gif', '.svg', '.webp'];

/** KEY=VALUE lines (# comments, optional quotes) of .env.build in the project root; {} when there is none. */
export function readBuildEnvFile(file: string = path.join(ROOT, BUILD_ENV_FILE)): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return {};
  }
  const values: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m || line.trim().startsWith('#')) continue;
    values[m[1]] = m[2].replace(/^(['"])(.*)\1$/, '$2');
  }
  return values;
}

function resolveTarget(target: string | undefined): BuildTarget {
  const value = target || process.env.MINIPROGRAM_TARGET || 'develop';
  if (!BUILD_TARGETS.includes(value as BuildTarget)) {
    throw new BuildError('config', [`MINIPROGRAM_TARGET must be one of ${BUILD_TARGETS.join(', ')}, got "${value}"`]);
  }
  return value as BuildTarget;
}

export function resolveBuildOptions(options: BuildOptions = {}): ResolvedOptions {
  const target = resolveTarget(options.target);
  const fromEnv = process.env.API_BASE_URL || readBuildEnvFile().API_BASE_URL || '';
  const apiBaseUrl = options.apiBaseUrl !== undefined ? options.apiBaseUrl : fromEnv || (target === 'develop' ? DEVELOP_API_BASE_URL : '');
  return {
    outDir: path.resolve(options.outDir || process.env.MINIPROGRAM_OUT_DIR || path.join(ROOT, 'dist')),
    target,
    apiBaseUrl: apiBaseUrl.replace(/\/+$/, ''),
    srcDir: path.resolve(options.srcDir || path.join(ROOT, 'miniprogram')),
    sizeBudgetBytes: options.sizeBudgetBytes || SIZE_BUDGET_BYTES,
    confirmDeadlineMs: resolveConfirmDeadline(options.confirmDeadlineMs, target),
    log: options.log || ((line) => console.log(line)),
  };
}

function resolveConfirmDeadline(value: number | undefined, target: BuildTarget): number {
  if (value === undefined || value === 0) return 0;
  if (!Number.isInteger(value) || value < 1000) throw new BuildError('config', [`confirmDeadlineMs must be a whole number of ms, at least 1000 (or 0 for the app's own), got ${value}`]);
  if (target !== 'develop') throw new BuildError('config', [`confirmDeadlineMs is for develop builds (tests, the README pictures): a ${target} build keeps the app's own confirmation deadline`]);
  return value;
}

/** A build failure whose message lists each problem as file:line:col: message. */
export class BuildError extends Error {
  constructor(
    readonly step: string,
    readonly problems: string[],
  ) {
    super(`${step} failed:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'BuildError';
    // gulp-cli prints the message alone for such errors: the problems are the news, not where the build noticed them
    Object.defineProperty(this, 'showStack', { value: false });
  }
}

function named(name: string, fn: () => Promise<void>): Task {
  const task: Task = fn;
  task.displayName = name;
  return task;
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(full)));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

const toPosix = (p: string) => p.split(path.sep).join('/');
const isSource = (file: string) => file.endsWith('.ts') && !file.endsWith('.d.ts');
const isAsset = (file: string) => ASSET_EXTENSIONS.includes(path.extname(file).toLowerCase()) && path.basename(file) !== 'tsconfig.json';
/** How a problem is reported: the source file (not its dist copy), relative to where the command runs. */
const displayPath = (o: ResolvedOptions, rel: string) => path.relative(process.cwd(), path.join(o.srcDir, rel)) || rel;

async function transpileFiles(o: ResolvedOptions, files: string[]): Promise<void> {
  if (files.length === 0) return;
  try {
    await esbuild.build({
      entryPoints: files,
      outdir: o.outDir,
      outbase: o.srcDir,
      bundle: false,
      format: 'cjs',
      platform: 'neutral',
      target: 'es2018',
      charset: 'utf8',
      logLevel: 'silent',
      define: {
        __API_BASE_URL__: JSON.stringify(o.apiBaseUrl),
        __BUILD_TARGET__: JSON.stringify(o.target),
        __CONFIRM_DEADLINE_MS__: JSON.stringify(o.confirmDeadlineMs),
      },
    });
  } catch (err) {
    const failure = err as esbuild.BuildFailure;
    if (!failure.errors) throw err;
    throw new BuildError(
      'transpile',
      failure.errors.map((e) => (e.location ? `${path.relative(process.cwd(), path.resolve(e.location.file))}:${e.location.line}:${e.location.column + 1}: ${e.text}` : e.text)),
    );
  }
}

async function copyFiles(o: ResolvedOptions, files: string[]): Promise<void> {
  for (const file of files) {
    const target = path.join(o.outDir, path.relative(o.srcDir, file));
    await fs.mkdir(path.dirname(target), { recursive: true });
    await fs.copyFile(file, target);
  }
}

/** Refuses a backend URL the target cannot use, naming API_BASE_URL. Runs after clean: a refused build leaves no dist/ to upload. */
export const checkConfigTask = (o: ResolvedOptions): Task =>
  named('check-config', async () => {
    const problem = backendUrlProblem(o.apiBaseUrl, o.target);
    if (problem) {
      throw new BuildError('config', [
        `${problem} (${o.target} build; from the environment or ${BUILD_ENV_FILE} in the project root)`,
      ]);
    }
    o.log(`${o.target} build for the backend at ${o.apiBaseUrl}`);
  });

export const cleanTask = (o: ResolvedOptions): Task =>
  named('clean', async () => {
    await fs.rm(o.outDir, { recursive: true, force: true });
  });

export const transpileTask = (o: ResolvedOptions): Task =>
  named('transpile', async () => {
    await transpileFiles(o, (await walk(o.srcDir)).filter(isSource));
  });

export const copyTask = (o: ResolvedOptions): Task =>
  named('copy', async () => {
    await copyFiles(o, (await walk(o.srcDir)).filter(isAsset));
  });

function compilerBinary(name: 'wcc' | 'wcsc'): string {
  const dir = path.join(path.dirname(require.resolve('miniprogram-compiler/package.json')), 'bin');
  if (process.platform === 'darwin') return path.join(dir, 'mac', name);
  if (process.platform === 'win32') return path.join(dir, 'windows', `${name}.exe`);
  return path.join(dir, 'linux', name);
}

async function ensureExecutable(file: string): Promise<void> {
  try {
    await fs.access(file, fsConstants.X_OK);
  } catch {
    await fs.chmod(file, 0o755); // the package ships them without the x bit (see scripts/postinstall.js)
  }
}

/** wcc prints `pages/a/a.wxml:3:9: Bad value ...`; wcsc prints `ERR: pages/a/a.wxss(2:12): unexpected token ...`. */
export function parseCompilerErrors(o: ResolvedOptions, output: string): string[] {
  const problems: string[] = [];
  for (const raw of output.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || /^error file count/i.test(line)) continue;
    let m = /^(?:ERR:\s*)?([^\s:()]+\.(?:wxml|wxss|wxs))\((\d+):(\d+)\):\s*(.*)$/.exec(line);
    if (!m) m = /^(?:ERR:\s*)?([^\s:()]+\.(?:wxml|wxss|wxs)):(\d+):(\d+):\s*(.*)$/.exec(line);
    if (m) problems.push(`${displayPath(o, m[1])}:${m[2]}:${m[3]}: ${m[4]}`);
    else problems.push(line);
  }
  return problems;
}

function runCompiler(o: ResolvedOptions, name: 'wcc' | 'wcsc', args: string[]): string[] {
  const result = spawnSync(compilerBinary(name), args, { cwd: o.outDir, maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw new BuildError(name, [`could not run ${compilerBinary(name)}: ${result.error.message}`]);
  if (result.status === 0) return [];
  const problems = parseCompilerErrors(o, `${result.stderr.toString()}\n${result.stdout.toString().slice(0, 2000)}`);
  return problems.length ? problems : [`${name} exited with status ${result.status}`];
}

async function readJson(file: string): Promise<{ usingComponents?: Record<string, string> } | null> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8'));
  } catch {
    return null;
  }
}

export const validateTask = (o: ResolvedOptions): Task =>
  named('validate', async () => {
    const files = (await walk(o.outDir)).map((f) => toPosix(path.relative(o.outDir, f)));
    const wxml = files.filter((f) => f.endsWith('.wxml'));
    const wxs = files.filter((f) => f.endsWith('.wxs'));
    const wxss = files.filter((f) => f.endsWith('.wxss'));
    await Promise.all([ensureExecutable(compilerBinary('wcc')), ensureExecutable(compilerBinary('wcsc'))]);

    // The same arguments miniprogram-compiler's wxmlToJS builds: per component, its wxml, its count and tag names.
    const componentArgs: (string | number)[] = [];
    let components = 0;
    for (const file of wxml) {
      const json = await readJson(path.join(o.outDir, file.replace(/\.wxml$/, '.json')));
      if (json && json.usingComponents) {
        const tags = Object.keys(json.usingComponents);
        componentArgs.push(file, tags.length, ...tags);
        components++;
      }
    }
    const problems: string[] = [];
    for (const file of wxml) {
      // one file at a time: wcc stops at the first error, and each file's errors deserve to be reported
      problems.push(...runCompiler(o, 'wcc', ['-d', '-cc', [components, ...componentArgs].join(' '), file, ...wxs, '-gn', '$gwx']));
    }
    // component styles first, as wcsc expects (-pc <count>)
    const componentWxss = wxss.filter((f) => files.includes(f.replace(/\.wxss$/, '.json')));
    const otherWxss = wxss.filter((f) => !componentWxss.includes(f));
    if (wxss.length) problems.push(...runCompiler(o, 'wcsc', ['-db', '-pc', String(componentWxss.length), ...componentWxss, ...otherWxss]));
    if (problems.length) throw new BuildError('validate', problems);
    o.log(`validated ${wxml.length} wxml and ${wxss.length} wxss with wcc/wcsc`);
  });

export async function measure(dir: string): Promise<number> {
  let total = 0;
  for (const file of await walk(dir)) total += (await fs.stat(file)).size;
  return total;
}

export const sizeTask = (o: ResolvedOptions): Task =>
  named('size', async () => {
    const bytes = await measure(o.outDir);
    const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
    o.log(`dist size: ${kb(bytes)} (${bytes} bytes; budget ${kb(o.sizeBudgetBytes)}) in ${path.relative(process.cwd(), o.outDir) || '.'}`);
    if (bytes > o.sizeBudgetBytes) throw new BuildError('size', [`${o.outDir} is ${kb(bytes)}, above the ${kb(o.sizeBudgetBytes)} budget`]);
  });

/** The pipeline as stages: the tasks of a stage run in parallel, stages run in order. */
function buildStages(o: ResolvedOptions): Task[][] {
  return [[cleanTask(o)], [checkConfigTask(o)], [transpileTask(o), copyTask(o)], [validateTask(o)], [sizeTask(o)]];
}

export function buildTask(options: BuildOptions = {}) {
  const stages = buildStages(resolveBuildOptions(options)).map((stage) => (stage.length > 1 ? parallel(...stage) : stage[0]));
  return series(...stages);
}

/**
 * Programmatic build: resolves once dist is built, validated and within budget; rejects with a BuildError.
 * Runs the same stages without gulp's task registry (whose error events need the CLI's listeners).
 */
export async function buildMiniprogram(options: BuildOptions = {}): Promise<void> {
  for (const stage of buildStages(resolveBuildOptions(options))) await Promise.all(stage.map((task) => task()));
}

/** Rebuilds what changed: one file transpiled or copied (or removed), then validate and size again. */
export function watchTask(options: BuildOptions = {}): Task {
  const o = resolveBuildOptions(options);
  return named('watch', async () => {
    await buildMiniprogram(options).catch((err: Error) => o.log(err.message));
    const watcher = gulpWatch(['**/*'], { cwd: o.srcDir, ignoreInitial: true });
    let queue = Promise.resolve();
    const onEvent = (kind: 'add' | 'change' | 'unlink') => (rel: string) => {
      queue = queue.then(async () => {
        const file = path.resolve(o.srcDir, rel);
        try {
          if (kind === 'unlink') {
            const target = path.join(o.outDir, path.relative(o.srcDir, file)).replace(/\.ts$/, '.js');
            await fs.rm(target, { force: true });
          } else if (isSource(file)) await transpileFiles(o, [file]);
          else if (isAsset(file)) await copyFiles(o, [file]);
          else return;
          o.log(`${kind} ${toPosix(rel)}`);
          await validateTask(o)();
          await sizeTask(o)();
        } catch (err) {
          o.log((err as Error).message);
        }
      });
    };
    watcher.on('add', onEvent('add'));
    watcher.on('change', onEvent('change'));
    watcher.on('unlink', onEvent('unlink'));
    await new Promise<void>(() => undefined); // runs until Ctrl-C
  });
}

export const build = buildTask();
/** `npm run build:preview` (DevTools' beforePreview): a develop version on a phone */
export const preview = buildTask({ target: 'preview' });
/** `npm run build:release` (DevTools' beforeUpload): what a trial or release version may ship */
export const release = buildTask({ target: 'release' });
export const watch = watchTask();
export default build;
