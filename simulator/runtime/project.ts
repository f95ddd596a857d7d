// Reads a WeChat project the way DevTools does: project.config.json -> miniprogramRoot -> app.json, then compiles
// every .wxml under the root with WeChat's own wcc. Anything wrong becomes a LoadError that says what to fix.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { compileOptionsOf, withExtendedLibs, CompileError, type CompileOptions } from './compile';

export class LoadError extends Error {
  override name = 'LoadError';
}

export interface AppJson {
  pages: string[];
  subpackages?: { root: string; pages: string[] }[];
  subPackages?: { root: string; pages: string[] }[];
  entryPagePath?: string;
  tabBar?: { list: { pagePath: string; text?: string }[]; custom?: boolean };
  usingComponents?: Record<string, string>;
  networkTimeout?: { request?: number; connectSocket?: number; downloadFile?: number; uploadFile?: number };
  window?: Record<string, unknown>;
  darkmode?: boolean;
  themeLocation?: string;
  useExtendedLib?: Record<string, string>;
}

export interface Project {
  projectPath: string;
  /** absolute path of the mini program root (where app.json is) */
  root: string;
  appId: string;
  appJson: AppJson;
  /** every page route, main package and subpackages, without leading slash */
  pages: string[];
  entryPage: string;
  tabPages: string[];
  /** `$gwx` from wcc: path of a .wxml relative to root -> template function (something else when there is none) */
  gwx: (wxmlPath: string) => unknown;
  /** project.config.json's libVersion (the base library DevTools would run), when it names one */
  libVersion?: string;
  /** project.config.json's `setting` (es6, enhance, useCompilerPlugins...) */
  setting: Record<string, unknown>;
  /** ext.json's extJson, when ext.json has extEnable */
  extConfig?: Record<string, unknown>;
  /** how scripts are compiled (ES modules, TypeScript), from project.config.json's setting */
  compile: CompileOptions;
  /** the mini program root as the project has it (`root` is a mirror of it when extended libraries are mounted) */
  sourceRoot: string;
  /** pages listed in app.json whose files are missing, with the reason: opening them fails with it */
  missingPages: Record<string, string>;
  /** theme.json (app.json themeLocation) when app.json has darkmode: {light: {...}, dark: {...}} */
  theme?: Record<'light' | 'dark', Record<string, unknown>>;
}

/** project.config.json (with project.private.config.json over it), as far as the simulator reads it. */
interface ProjectConfig {
  miniprogramRoot?: string;
  appid?: string;
  libVersion?: unknown;
  setting?: Record<string, unknown>;
  [key: string]: unknown;
}

/** One node of the tree a wcc template function generates. */
interface TemplateNode {
  tag?: string;
  attr?: Record<string, unknown>;
  children?: unknown[];
}

const PAGE_JSON_NOT_WINDOW = new Set(['usingComponents', 'componentPlaceholder', 'component', 'componentGenerics', 'styleIsolation', 'renderer', 'componentFramework']);
const pageJsonCache = new WeakMap<Project, Map<string, Record<string, unknown>>>();

/**
 * The window settings a page gets: app.json `window`, then the page's own json over it; with app.json `darkmode`,
 * values written `@name` come from theme.json for the current theme, as WeChat resolves them.
 */
export function windowConfigOf(project: Project, route: string, theme: 'light' | 'dark'): Record<string, unknown> {
  let cache = pageJsonCache.get(project);
  if (!cache) pageJsonCache.set(project, (cache = new Map()));
  let own = cache.get(route);
  if (!own) {
    own = {};
    const file = path.join(project.root, `${route}.json`);
    if (fs.existsSync(file)) {
      const json = readJson(file, 'page json');
      for (const [k, v] of Object.entries(json && typeof json === 'object' ? json : {})) if (!PAGE_JSON_NOT_WINDOW.has(k)) own[k] = v;
    }
    cache.set(route, own);
  }
  const merged: Record<string, unknown> = { ...(project.appJson.window || {}), ...own };
  return resolveThemeValues(project, merged, theme);
}

/** `@name` values of app.json/page json (window, tabBar) resolved from theme.json, when darkmode is on. */
export function resolveThemeValues<T>(project: Project, value: T, theme: 'light' | 'dark'): T {
  const vars = project.theme?.[theme];
  if (!vars) return value;
  const resolve = (v: unknown): unknown => {
    if (typeof v === 'string' && v.startsWith('@')) return Object.prototype.hasOwnProperty.call(vars, v.slice(1)) ? vars[v.slice(1)] : v;
    if (Array.isArray(v)) return v.map(resolve);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x)]));
    return v;
  };
  return resolve(value) as T;
}

function readTheme(root: string, appJson: AppJson): Project['theme'] {
  if (!appJson.darkmode) return undefined;
  if (!appJson.themeLocation) throw new LoadError('app.json has "darkmode": true but no "themeLocation" (the theme.json that holds the @variables)');
  const file = path.join(root, appJson.themeLocation);
  const json = readJson(file, `theme file (app.json themeLocation "${appJson.themeLocation}")`) as { light?: Record<string, unknown>; dark?: Record<string, unknown> };
  return { light: json.light ?? {}, dark: json.dark ?? {} };
}

function readExtConfig(root: string): Record<string, unknown> | undefined {
  const file = path.join(root, 'ext.json');
  if (!fs.existsSync(file)) return undefined;
  const json = readJson(file, 'ext.json') as { extEnable?: unknown; extJson?: Record<string, unknown> };
  return json.extEnable ? (json.extJson ?? {}) : undefined;
}

const WCC = path.join(path.dirname(require.resolve('miniprogram-compiler/package.json')), 'bin', 'linux', 'wcc');

function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new LoadError(`${what} not found: ${file}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new LoadError(`${what} is not valid JSON (${file}): ${(err as Error).message}`);
  }
}

function listFiles(dir: string, ext: string, base = dir, out: string[] = []): string[] {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    // extended libraries are mounted by symlink (compile.ts)
    const isDir = entry.isDirectory() || (entry.isSymbolicLink() && fs.statSync(full, { throwIfNoEntry: false })?.isDirectory());
    if (isDir) listFiles(full, ext, base, out);
    else if (entry.name.endsWith(ext)) out.push(path.relative(base, full).split(path.sep).join('/'));
  }
  return out;
}

/** Resolves a usingComponents value to a component path (no extension) relative to root, or undefined. */
export function resolveComponentPath(root: string, fromFile: string, value: string): string | undefined {
  const candidates: string[] = [];
  if (value.startsWith('/')) candidates.push(value.slice(1));
  else if (value.startsWith('.')) candidates.push(path.posix.join(path.posix.dirname(fromFile), value));
  else {
    candidates.push(path.posix.join(path.posix.dirname(fromFile), value), value);
    let dir = path.posix.dirname(fromFile);
    for (;;) {
      candidates.push(path.posix.join(dir === '.' ? '' : dir, 'miniprogram_npm', value));
      if (dir === '.' || dir === '') break;
      dir = path.posix.dirname(dir);
    }
  }
  for (const c of candidates) {
    const norm = path.posix.normalize(c);
    if (fs.existsSync(path.join(root, `${norm}.js`)) || fs.existsSync(path.join(root, `${norm}.ts`))) return norm;
    if (fs.existsSync(path.join(root, norm, 'index.js')) || fs.existsSync(path.join(root, norm, 'index.ts'))) return path.posix.join(norm, 'index');
  }
  return undefined;
}

/** Decodes what `<text decode>` decodes, as WeChat's text component does. */
const TEXT_ENTITIES: Record<string, string> = { nbsp: '\u00a0', lt: '<', gt: '>', amp: '&', apos: "'", ensp: '\u2002', emsp: '\u2003', quot: '"' };
export function decodeText(text: string): string {
  return text.replace(/&(nbsp|lt|gt|amp|apos|ensp|emsp|quot);/g, (_m, name: string) => TEXT_ENTITIES[name]);
}

/**
 * `<text decode>` decodes entities and `<text space="ensp|emsp|nbsp">` widens spaces: WeChat's text component does
 * it at render time, so it is done here on wcc's output tree before the component framework sees it.
 */
function textSemantics(tree: unknown): unknown {
  const visit = (value: unknown) => {
    const node = value as TemplateNode | null | undefined;
    if (!node || typeof node !== 'object' || !Array.isArray(node.children)) return;
    if (node.tag === 'wx-text' || node.tag === 'text') {
      const attr = node.attr || {};
      const decode = attr.decode !== undefined && attr.decode !== false && attr.decode !== 'false';
      const space = ({ ensp: '\u2002', emsp: '\u2003', nbsp: '\u00a0' } as Record<string, string>)[String(attr.space)];
      if (decode || space) {
        node.children = node.children.map((c: unknown) => {
          if (typeof c !== 'string') return c;
          let t = space ? c.replace(/ /g, space) : c;
          if (decode) t = decodeText(t);
          return t;
        });
      }
    }
    for (const c of node.children) visit(c);
  };
  visit(tree);
  return tree;
}

function compileTemplates(root: string, appJson: AppJson, log: (line: string) => void): (p: string) => unknown {
  const wxml = listFiles(root, '.wxml');
  const wxs = listFiles(root, '.wxs');
  // DevTools hands wcc "./"-prefixed paths: wcc's runtime then resolves root-absolute <include>/<import> src
  // ("/pages/common/head.wxml") against "./", where a bare path would be looked up as "/pages/..." and not found
  const dot = (f: string) => `./${f}`;
  // wcc needs, per file, the tag names that are custom components, or it renders them as unknown builtins
  const componentArgs: (string | number)[] = [];
  let count = 0;
  for (const file of wxml) {
    const jsonFile = path.join(root, file.replace(/\.wxml$/, '.json'));
    let own: Record<string, unknown> = {};
    if (fs.existsSync(jsonFile)) {
      const json = readJson(jsonFile, 'component json') as { usingComponents?: Record<string, string>; componentGenerics?: Record<string, unknown> };
      own = { ...(json.usingComponents || {}), ...(json.componentGenerics || {}) };
    }
    const tags = Object.keys({ ...(appJson.usingComponents || {}), ...own });
    if (!tags.length) continue;
    count++;
    componentArgs.push(dot(file), tags.length, ...tags);
  }
  const args = ['-d', '-cc', [count, ...componentArgs].join(' '), ...wxml.map(dot), ...wxs.map(dot), '-gn', '$gwx'];
  if (!fs.existsSync(WCC)) throw new LoadError(`wcc not found at ${WCC}: run npm ci (miniprogram-compiler)`);
  const res = spawnSync(WCC, args, { cwd: root, maxBuffer: 256 * 1024 * 1024 });
  if (res.error) throw new LoadError(`could not run wcc (${WCC}): ${res.error.message}`);
  if (res.status !== 0) {
    throw new LoadError(`template compile error (wcc): ${(res.stderr.toString().trim() || res.stdout.toString().trim()).replace(/(^|\s)\.\//g, '$1')}`);
  }
  // wcc's output reads and writes a few browser globals; give it a private `window` instead of the real global
  // engine version 0.02 keeps wx:if/wx:for blocks as virtual nodes (as WeChat's renderer does), so the diff
  // keeps node identity and wx:key works
  const fakeWindow: Record<string, unknown> = { __webview_engine_version__: 0.02 };
  // the template runtime's warnings (a bad wx:key...) go to the simulator's log, once each, as DevTools prints them
  const seen = new Set<string>();
  const once = (...args: unknown[]) => {
    const line = args.map(String).join(' ').replace(/(\$gwx:)\.\//, '$1');
    if (seen.has(line) || seen.size > 200) return;
    seen.add(line);
    log(`template: ${line}`);
  };
  const templateConsole = { log: once, info: once, warn: once, error: once, debug: once };
  const factory = new Function('window', '__WXML_GLOBAL__', 'console', `var $gwx, $gwxc, $gaic, $gwn, $gwl, cs;\n${res.stdout.toString()}\nreturn $gwx;`) as (window: unknown, wxmlGlobal: unknown, console: unknown) => (wxmlPath: string) => unknown;
  const wxmlGlobal: Record<string, unknown> = { entrys: {}, defines: {}, modules: {}, ops: [], total_ops: 0 };
  // the WXS runtime patches builtin prototypes once per process (non-configurable): tell later compiles it is done
  if (Object.prototype.hasOwnProperty.call(Function.prototype, 'nv_length')) wxmlGlobal.wxs_nf_init = true;
  const gwx = factory(fakeWindow, wxmlGlobal, templateConsole);
  return (p: string) => {
    const generate = gwx(dot(p.replace(/^\.?\//, '')));
    if (typeof generate !== 'function') return generate;
    return (...a: unknown[]) => textSemantics((generate as (...args: unknown[]) => unknown)(...a));
  };
}

export function loadProject(projectPath: string, log: (line: string) => void = () => undefined): Project {
  const absProject = path.resolve(projectPath);
  if (!fs.existsSync(absProject)) throw new LoadError(`project path does not exist: ${absProject}`);
  const configFile = path.join(absProject, 'project.config.json');
  const config = (fs.existsSync(configFile) ? readJson(configFile, 'project.config.json') : {}) as ProjectConfig;
  // DevTools: "project.private.config.json's fields override the same fields of project.config.json"
  const privateFile = path.join(absProject, 'project.private.config.json');
  if (fs.existsSync(privateFile)) {
    const own = readJson(privateFile, 'project.private.config.json') as Record<string, unknown>;
    for (const [k, v] of Object.entries(own)) {
      config[k] = k === 'setting' && v && typeof v === 'object' ? { ...(config.setting ?? {}), ...v } : v;
    }
  }
  const sourceRoot = path.resolve(absProject, config.miniprogramRoot || '.');
  const appJsonFile = path.join(sourceRoot, 'app.json');
  if (!fs.existsSync(appJsonFile)) {
    throw new LoadError(`app.json not found in the mini program root ${sourceRoot} (miniprogramRoot "${config.miniprogramRoot ?? ''}" in ${configFile}); build the app first?`);
  }
  const appJson = readJson(appJsonFile, 'app.json') as AppJson;
  if (!Array.isArray(appJson.pages) || appJson.pages.length === 0 || appJson.pages.some((p) => typeof p !== 'string')) {
    throw new LoadError(`app.json (${appJsonFile}) must have a non-empty "pages" array of page paths`);
  }
  const setting = config.setting && typeof config.setting === 'object' ? config.setting : {};
  const compile = compileOptionsOf(setting, absProject, sourceRoot);
  const script = (rel: string) => fs.existsSync(path.join(sourceRoot, `${rel}.js`)) || (compile.typescript && fs.existsSync(path.join(sourceRoot, `${rel}.ts`)));
  if (!script('app')) throw new LoadError(`app.js not found in ${sourceRoot}${fs.existsSync(path.join(sourceRoot, 'app.ts')) ? ' (there is an app.ts: add "typescript" to setting.useCompilerPlugins in project.config.json)' : ''}`);
  const pages = [...appJson.pages];
  for (const sub of [...(appJson.subpackages || []), ...(appJson.subPackages || [])]) {
    for (const p of sub.pages || []) pages.push(path.posix.join(sub.root, p));
  }
  const entryPage = (appJson.entryPagePath || pages[0]).replace(/^\//, '').replace(/\.html$/, '');
  if (!pages.includes(entryPage)) throw new LoadError(`entryPagePath "${entryPage}" is not one of the pages in app.json`);
  // DevTools refuses to compile a project with a page missing; here only the entry page must exist, and the others
  // fail when opened, so a project with one broken subpackage (a git submodule not checked out...) still runs
  const missingPages: Record<string, string> = {};
  for (const page of pages) {
    const missing = !script(page) ? (fs.existsSync(path.join(sourceRoot, `${page}.ts`)) ? '.js file (there is a .ts: add "typescript" to setting.useCompilerPlugins)' : '.js file') : !fs.existsSync(path.join(sourceRoot, `${page}.wxml`)) ? '.wxml file' : undefined;
    if (!missing) continue;
    const reason = `page "${page}" listed in app.json has no ${missing} (${path.join(sourceRoot, page)})`;
    if (page === entryPage) throw new LoadError(reason);
    missingPages[page] = reason;
  }
  if (Object.keys(missingPages).length) log(`${Object.keys(missingPages).length} page(s) listed in app.json have missing files and will fail to open, e.g. ${Object.values(missingPages)[0]}`);
  if (compile.stylePlugins.length) log(`useCompilerPlugins ${compile.stylePlugins.join(', ')}: styles are not compiled in headless mode (no styles apply headless)`);
  let root: string;
  try {
    root = withExtendedLibs(sourceRoot, appJson.useExtendedLib, log);
  } catch (err) {
    if (err instanceof CompileError) throw new LoadError(err.message);
    throw err;
  }
  const tabPages = (appJson.tabBar?.list || []).map((t) => t.pagePath.replace(/^\//, ''));
  const gwx = compileTemplates(root, appJson, log);
  return {
    projectPath: absProject, root, sourceRoot, appId: config.appid || 'touristappid', appJson, pages, entryPage, tabPages, gwx,
    libVersion: typeof config.libVersion === 'string' ? config.libVersion : undefined,
    setting,
    compile,
    missingPages,
    extConfig: readExtConfig(sourceRoot),
    theme: readTheme(sourceRoot, appJson),
  };
}
