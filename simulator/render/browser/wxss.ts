// The project's wxss as a browser sees it in WeChat: every .wxss compiled by WeChat's own stylesheet compiler (wcsc,
// from miniprogram-compiler), then run through the `setCssToHead` runtime that wcsc emits, which resolves rpx for
// the device width, inlines @import and puts a component's class prefix in front of its class names.
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { spawnSync } from 'node:child_process';

export class WxssError extends Error {
  override name = 'WxssError';
}

export interface WxssDevice {
  /** CSS px; rpx = width / 750 */
  width: number;
  pixelRatio: number;
}

export interface CompiledWxss {
  /** app.wxss (with its imports) and every component's `:host` rule: what every page's document gets */
  global: string;
  /** the CSS of one .wxss file (a path relative to the mini program root, such as "pages/a/a.wxss"), with class
   * names prefixed by `classPrefix` (a component's isolation scope, "" for pages); undefined if there is no such file */
  file(wxssPath: string, classPrefix?: string): string | undefined;
  /** every compiled file, for diagnostics */
  files: string[];
}

const WCSC = path.join(path.dirname(require.resolve('miniprogram-compiler/package.json')), 'bin', 'linux', 'wcsc');

function listWxss(dir: string, base = dir, out: string[] = []): string[] {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) listWxss(full, base, out);
    else if (entry.name.endsWith('.wxss')) out.push(path.relative(base, full).split(path.sep).join('/'));
  }
  return out;
}

/** wcsc writes JavaScript source with \xNN escapes (so that "=" can separate its sections). */
function unescapeJs(text: string): string {
  return text.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|[\s\S])/g, (_m, esc: string) => {
    if (esc[0] === 'x' || esc[0] === 'u') return String.fromCharCode(parseInt(esc.slice(1), 16));
    return ({ n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', v: '\v', '0': '\0' } as Record<string, string>)[esc] ?? esc;
  });
}

type Rewritor = (suffix: string, opt: Record<string, unknown>) => void;

/** Compiles every .wxss under `root`. Throws a WxssError with wcsc's message when a stylesheet does not compile. */
export function compileWxss(root: string, device: WxssDevice): CompiledWxss {
  const all = listWxss(root);
  if (!all.length) return { global: '', file: () => undefined, files: [] };
  if (!fs.existsSync(WCSC)) throw new WxssError(`wcsc not found at ${WCSC}: run npm ci (miniprogram-compiler)`);
  // wcsc's contract (as DevTools calls it): pages' and components' files (those with a .json beside them) first,
  // counted by -pc, then app.wxss and the files they import; paths in "./" form, or app.wxss comes out empty
  const isPageOrComponent = (f: string) => f !== 'app.wxss' && fs.existsSync(path.join(root, f.replace(/\.wxss$/, '.json')));
  const first = all.filter(isPageOrComponent);
  const rest = all.filter((f) => !isPageOrComponent(f));
  const args = ['-pc', String(first.length), ...[...first, ...rest].map((f) => `./${f}`)];
  const res = spawnSync(WCSC, args, { cwd: root, maxBuffer: 64 * 1024 * 1024 });
  if (res.error) throw new WxssError(`could not run wcsc (${WCSC}): ${res.error.message}`);
  if (res.status !== 0) throw new WxssError(`stylesheet compile error (wcsc): ${(res.stderr.toString() || res.stdout.toString()).trim()}`);

  // output: version=<v>=comm=<js>=<file>=<js>=...
  const parts = res.stdout.toString().split('=');
  const sections = new Map<string, string>();
  for (let i = 0; i + 1 < parts.length; i += 2) sections.set(parts[i], unescapeJs(parts[i + 1]));

  let captured: string[] = [];
  const window = {
    screen: { width: device.width, height: Math.round(device.width * 16 / 9) },
    devicePixelRatio: device.pixelRatio,
    __rpxRecalculatingFuncs__: [] as unknown[],
    // wcsc's runtime hands finished CSS to this manager when it exists (WeChat's own webview has one)
    __styleSheetManager2__: {
      addItem: () => undefined,
      setCss: (_key: string, css: string) => {
        captured.push(css);
      },
    },
  };
  // an iPhone, as the device width is: 1rpx at 375 px is 0.5 px there (1 px on Android)
  const context = vm.createContext({ window, navigator: { userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 15_0 like Mac OS X)' }, console: { warn: () => undefined, error: () => undefined, log: () => undefined } });
  const comm = sections.get('comm') ?? '';
  vm.runInContext(`${comm}\n;this.__setCssToHead = setCssToHead;`, context, { filename: 'wcsc-comm.js' });
  const global = captured.join('\n');

  const rewritors = new Map<string, Rewritor>();
  for (const [key, source] of sections) {
    if (key === 'version' || key === 'comm' || !key.endsWith('.wxss')) continue;
    const rel = key.replace(/^\.\//, '');
    rewritors.set(rel, vm.runInContext(`(${source})`, context, { filename: rel }) as Rewritor);
  }
  const cache = new Map<string, string>();
  return {
    global,
    files: [...rewritors.keys()],
    file(wxssPath, classPrefix = '') {
      const rel = wxssPath.replace(/^\.?\//, '');
      const rewritor = rewritors.get(rel);
      if (!rewritor) return undefined;
      const key = `${rel}\0${classPrefix}`;
      let css = cache.get(key);
      if (css === undefined) {
        captured = [];
        rewritor(classPrefix, { deviceWidth: device.width });
        css = captured.join('\n');
        cache.set(key, css);
      }
      return css;
    },
  };
}
