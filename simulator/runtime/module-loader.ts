// CommonJS between the mini program's own files, as WeChat's `require` does it: relative, root-absolute and
// miniprogram_npm lookups, `require.async`, one module registry per app launch (a cold restart starts from an empty
// one). Sources are compiled as DevTools compiles them (compile.ts: ES modules, TypeScript).
import fs from 'node:fs';
import path from 'node:path';
import { buildNpmHint, compileScript, type CompileOptions } from './compile';

export type Scope = Record<string, unknown>;

interface LoadedModule {
  exports: unknown;
  loaded: boolean;
}

// WeChat wraps each module in define(path, function (require, module, exports, window, document, frames, self,
// location, navigator, localStorage, history, Caches, screen, alert, confirm, prompt, XMLHttpRequest, WebSocket,
// Reporter, webkit, WeixinJSCore) {...}) and passes nothing for the browser names: a module sees them declared and
// undefined, so `typeof window` is "undefined" and a UMD wrapper's `(window, factory)` does not throw.
const BROWSER_NAMES = ['window', 'document', 'frames', 'self', 'location', 'navigator', 'localStorage', 'history', 'Caches', 'screen', 'alert', 'confirm', 'prompt', 'XMLHttpRequest', 'WebSocket', 'Reporter', 'webkit', 'WeixinJSCore'];

const DEFAULT_COMPILE: CompileOptions = { esm: true, typescript: false, stylePlugins: [], npmDependencies: [] };

export class ModuleLoader {
  private readonly cache = new Map<string, LoadedModule>();

  /** `scope` holds the app's globals (wx, App, Page, getApp...), handed to each module as parameters */
  constructor(
    private readonly root: string,
    private readonly scope: () => Scope,
    private readonly compile: CompileOptions = DEFAULT_COMPILE,
  ) {}

  /** Loads a module given its path relative to root (with or without .js; a .ts source when TypeScript is on). */
  load(relPath: string): unknown {
    const file = this.resolveFile(relPath.replace(/^\//, ''));
    if (!file) throw new Error(`module "${relPath}" not found under ${this.root}`);
    return this.loadFile(file);
  }

  private resolveFile(rel: string): string | undefined {
    const base = path.join(this.root, rel);
    const bare = base.replace(/\.(js|ts)$/, '');
    const candidates = [base, `${base}.js`, path.join(base, 'index.js')];
    // a TypeScript project requires './util' or './util.js' and has util.ts
    candidates.push(`${bare}.ts`, `${base}.ts`, path.join(base, 'index.ts'));
    for (const candidate of candidates) {
      if (candidate.startsWith(this.root) && fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
    }
    return undefined;
  }

  private resolveFrom(fromFile: string, request: string): string | undefined {
    const fromRel = path.relative(this.root, path.dirname(fromFile)).split(path.sep).join('/');
    if (request.startsWith('/')) return this.resolveFile(request.slice(1));
    if (request.startsWith('.')) return this.resolveFile(path.posix.join(fromRel, request));
    // WeChat resolves a bare name relative to the file first, then in miniprogram_npm up the tree
    const local = this.resolveFile(path.posix.join(fromRel, request));
    if (local) return local;
    let dir = fromRel;
    for (;;) {
      const hit = this.resolveFile(path.posix.join(dir, 'miniprogram_npm', request));
      if (hit) return hit;
      if (!dir || dir === '.') break;
      dir = path.posix.dirname(dir) === '.' ? '' : path.posix.dirname(dir);
    }
    return this.resolveFile(request);
  }

  private loadFile(file: string): unknown {
    const cached = this.cache.get(file);
    if (cached) return cached.exports;
    const source = compileScript(file, fs.readFileSync(file, 'utf8'), this.compile, this.root);
    const mod: LoadedModule = { exports: {}, loaded: false };
    this.cache.set(file, mod);
    const scope = this.scope();
    const names = Object.keys(scope);
    const rel = path.relative(this.root, file);
    const resolve = (request: unknown) => {
      if (typeof request !== 'string') throw new Error(`require() expects a string, got ${typeof request}`);
      const target = this.resolveFrom(file, request);
      if (!target) {
        const hint = request.startsWith('.') || request.startsWith('/') ? undefined : buildNpmHint(request, this.compile);
        throw new Error(`module "${request}" is not defined (required from ${rel})${hint ? `: ${hint}` : ''}`);
      }
      return target;
    };
    const localRequire = Object.assign((request: string) => this.loadFile(resolve(request)), {
      // require.async (subpackage code): a promise of the module, rejecting with {mod, errMsg} as WeChat does
      async: (request: string) =>
        new Promise((resolveModule, reject) => {
          setImmediate(() => {
            try {
              resolveModule(this.loadFile(resolve(request)));
            } catch (err) {
              reject({ mod: request, errMsg: (err as Error)?.message ?? String(err) });
            }
          });
        }),
    });
    // new Function, not vm.compileFunction: the app's objects must come from the same realm as exparser's
    // (under jest that is the test sandbox, not Node's main context), or exparser's `constructor === Object`
    // type checks fail. The globals (wx, App, getApp...) are an outer scope, as in WeChat, so a module may declare
    // its own `const App = getApp()`. sourceURL keeps file names in stack traces.
    let fn: (...a: unknown[]) => void;
    try {
      const hidden = BROWSER_NAMES.filter((n) => !names.includes(n));
      const outer = new Function(...names, ...hidden, `return function (require, module, exports) {${source}\n};\n//# sourceURL=${file}`) as (...a: unknown[]) => typeof fn;
      fn = outer(...names.map((n) => scope[n]));
    } catch (err) {
      this.cache.delete(file);
      throw new Error(`${rel}: ${(err as Error).message}`);
    }
    try {
      fn.call(mod.exports, localRequire, mod, mod.exports);
    } catch (err) {
      this.cache.delete(file);
      throw err;
    }
    mod.loaded = true;
    return mod.exports;
  }
}
