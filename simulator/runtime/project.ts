// Reads a WeChat project the way DevTools does: project.config.json -> miniprogramRoot -> app.json, then compiles
// every .wxml under the root with WeChat's own wcc. Anything wrong becomes a LoadError that says what to fix.
/* eslint-disable @typescript-eslint/no-explicit-any */
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

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
  /** `$gwx` from wcc: path of a .wxml relative to root -> template function */
  gwx: (wxmlPath: string) => any;
  /** project.config.json's libVersion (the base library DevTools would run), when it names one */
  libVersion?: string;
  /** project.config.json's `setting` (es6, enhance, useCompilerPlugins...) */
  setting: Record<string, unknown>;
  /** ext.json's extJson, when ext.json has extEnable */
  extConfig?: Record<string, unknown>;
  /** theme.json (app.json themeLocation) when app.json has darkmode: {light: {...}, dark: {...}} */
  theme?: Record<'light' | 'dark', Record<string, unknown>>;
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
  const json = readJson(file, `theme file (app.json themeLocation "${appJson.themeLocation}")`);
  return { light: json.light ?? {}, dark: json.dark ?? {} };
}

function readExtConfig(root: string): Record<string, unknown> | undefined {
  const file = path.join(root, 'ext.json');
  if (!fs.existsSync(file)) return undefined;
  const json = readJson(file, 'ext.json');
  return json.extEnable ? (json.extJson ?? {}) : undefined;
}

const WCC = path.join(path.dirname(require.resolve('miniprogram-compiler/package.json')), 'bin', 'linux', 'wcc');

function readJson(file: string, what: string): any {
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
    if (entry.isDirectory()) listFiles(full, ext, base, out);
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
    if (fs.existsSync(path.join(root, `${norm}.js`))) return norm;
    if (fs.existsSync(path.join(root, norm, 'index.js'))) return path.posix.join(norm, 'index');
  }
  return undefined;
}

function compileTemplates(root: string, appJson: AppJson): (p: string) => any {
  const wxml = listFiles(root, '.wxml');
  const wxs = listFiles(root, '.wxs');
  // wcc needs, per file, the tag names that are custom components, or it renders them as unknown builtins
  const componentArgs: (string | number)[] = [];
  let count = 0;
  for (const file of wxml) {
    const jsonFile = path.join(root, file.replace(/\.wxml$/, '.json'));
    const own = fs.existsSync(jsonFile) ? readJson(jsonFile, 'component json').usingComponents || {} : {};
    const tags = Object.keys({ ...(appJson.usingComponents || {}), ...own });
    if (!tags.length) continue;
    count++;
    componentArgs.push(file, tags.length, ...tags);
  }
  const args = ['-d', '-cc', [count, ...componentArgs].join(' '), ...wxml, ...wxs, '-gn', '$gwx'];
  if (!fs.existsSync(WCC)) throw new LoadError(`wcc not found at ${WCC}: run npm ci (miniprogram-compiler)`);
  const res = spawnSync(WCC, args, { cwd: root, maxBuffer: 64 * 1024 * 1024 });
  if (res.error) throw new LoadError(`could not run wcc (${WCC}): ${res.error.message}`);
  if (res.status !== 0) {
    throw new LoadError(`template compile error (wcc): ${res.stderr.toString().trim() || res.stdout.toString().trim()}`);
  }
  // wcc's output reads and writes a few browser globals; give it a private `window` instead of the real global
  // engine version 0.02 keeps wx:if/wx:for blocks as virtual nodes (as WeChat's renderer does), so the diff
  // keeps node identity and wx:key works
  const fakeWindow: Record<string, unknown> = { __webview_engine_version__: 0.02 };
  const factory = new Function('window', '__WXML_GLOBAL__', `var $gwx, $gwxc, $gaic, $gwn, $gwl, cs;\n${res.stdout.toString()}\nreturn $gwx;`);
  const wxmlGlobal: Record<string, unknown> = { entrys: {}, defines: {}, modules: {}, ops: [], total_ops: 0 };
  // the WXS runtime patches builtin prototypes once per process (non-configurable): tell later compiles it is done
  if (Object.prototype.hasOwnProperty.call(Function.prototype, 'nv_length')) wxmlGlobal.wxs_nf_init = true;
  return factory(fakeWindow, wxmlGlobal);
}

export function loadProject(projectPath: string): Project {
  const absProject = path.resolve(projectPath);
  if (!fs.existsSync(absProject)) throw new LoadError(`project path does not exist: ${absProject}`);
  const configFile = path.join(absProject, 'project.config.json');
  const config = fs.existsSync(configFile) ? readJson(configFile, 'project.config.json') : {};
  const root = path.resolve(absProject, config.miniprogramRoot || '.');
  const appJsonFile = path.join(root, 'app.json');
  if (!fs.existsSync(appJsonFile)) {
    throw new LoadError(`app.json not found in the mini program root ${root} (miniprogramRoot "${config.miniprogramRoot ?? ''}" in ${configFile}); build the app first?`);
  }
  const appJson = readJson(appJsonFile, 'app.json') as AppJson;
  if (!Array.isArray(appJson.pages) || appJson.pages.length === 0 || appJson.pages.some((p) => typeof p !== 'string')) {
    throw new LoadError(`app.json (${appJsonFile}) must have a non-empty "pages" array of page paths`);
  }
  if (!fs.existsSync(path.join(root, 'app.js'))) throw new LoadError(`app.js not found in ${root}`);
  const pages = [...appJson.pages];
  for (const sub of [...(appJson.subpackages || []), ...(appJson.subPackages || [])]) {
    for (const p of sub.pages || []) pages.push(path.posix.join(sub.root, p));
  }
  for (const page of pages) {
    for (const ext of ['.js', '.wxml']) {
      if (!fs.existsSync(path.join(root, page + ext))) {
        throw new LoadError(`page "${page}" listed in app.json has no ${ext} file (${path.join(root, page + ext)})`);
      }
    }
  }
  const entryPage = (appJson.entryPagePath || pages[0]).replace(/^\//, '').replace(/\.html$/, '');
  if (!pages.includes(entryPage)) throw new LoadError(`entryPagePath "${entryPage}" is not one of the pages in app.json`);
  const tabPages = (appJson.tabBar?.list || []).map((t) => t.pagePath.replace(/^\//, ''));
  const gwx = compileTemplates(root, appJson);
  return {
    projectPath: absProject, root, appId: config.appid || 'touristappid', appJson, pages, entryPage, tabPages, gwx,
    libVersion: typeof config.libVersion === 'string' ? config.libVersion : undefined,
    setting: config.setting && typeof config.setting === 'object' ? config.setting : {},
    extConfig: readExtConfig(root),
    theme: readTheme(root, appJson),
  };
}
