// The build as a user of it sees it: a broken template fails with its file and line; a good one yields a small
// dist/ with the backend URL baked in and nothing that could sign a payment.
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildMiniprogram, BuildError, readBuildEnvFile } from '../../gulpfile';
import { backendUrlProblem, DEVELOP_API_BASE_URL } from '../../miniprogram/lib/backend-url';
import { DEV_MERCHANT_KEY } from '../../config/dev-defaults';

const ROOT = path.join(__dirname, '..', '..');
const SRC = path.join(ROOT, 'miniprogram');
jest.setTimeout(60000);

let tmp: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'mp-build-'));
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

async function copyOfSources(name: string): Promise<string> {
  const dir = path.join(tmp, name, 'miniprogram');
  await fs.cp(SRC, dir, { recursive: true });
  return dir;
}

async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await files(full)));
    else out.push(full);
  }
  return out;
}

const quiet = () => undefined;

test('a broken binding in a .wxml fails the build with its file and line', async () => {
  const srcDir = await copyOfSources('broken-wxml');
  const wxmlFile = path.join(srcDir, 'pages', 'checkout', 'checkout.wxml');
  const lines = (await fs.readFile(wxmlFile, 'utf8')).split('\n');
  const index = lines.findIndex((l) => l.includes('id="pay-status"'));
  expect(index).toBeGreaterThan(0);
  lines[index] = lines[index].replace('{{statusText}}', '{{statusText +}}');
  await fs.writeFile(wxmlFile, lines.join('\n'));

  const outDir = path.join(tmp, 'broken-wxml', 'dist');
  const error = await buildMiniprogram({ srcDir, outDir, log: quiet }).then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(BuildError);
  const message = (error as Error).message;
  expect(message).toContain(`${path.relative(process.cwd(), wxmlFile)}:${index + 1}:`);
  expect(message).toMatch(/Bad value/);
});

test('a broken .wxss fails the build with its file and line', async () => {
  const srcDir = await copyOfSources('broken-wxss');
  const wxssFile = path.join(srcDir, 'pages', 'checkout', 'checkout.wxss');
  await fs.appendFile(wxssFile, '\n.oops {\n  color: \n');
  const lineCount = (await fs.readFile(wxssFile, 'utf8')).split('\n').length;
  const error = await buildMiniprogram({ srcDir, outDir: path.join(tmp, 'broken-wxss', 'dist'), log: quiet }).then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(BuildError);
  expect((error as Error).message).toMatch(new RegExp(`checkout\\.wxss:(${lineCount - 1}|${lineCount}):\\d+: `));
});

test('a TypeScript syntax error fails the build with its file and line', async () => {
  const srcDir = await copyOfSources('broken-ts');
  await fs.appendFile(path.join(srcDir, 'lib', 'money.ts'), '\nexport const = ;\n');
  const error = await buildMiniprogram({ srcDir, outDir: path.join(tmp, 'broken-ts', 'dist'), log: quiet }).then(() => null, (e: unknown) => e);
  expect((error as Error).message).toMatch(/money\.ts:\d+:\d+: /);
});

test('going over the size budget fails the build', async () => {
  const error = await buildMiniprogram({ outDir: path.join(tmp, 'budget', 'dist'), sizeBudgetBytes: 1024, log: quiet }).then(() => null, (e: unknown) => e);
  expect((error as Error).message).toMatch(/above the 1\.0 KB budget/);
});

describe('a good build', () => {
  const outDir = () => path.join(tmp, 'good', 'dist');
  const logs: string[] = [];
  beforeAll(async () => {
    await buildMiniprogram({ outDir: outDir(), apiBaseUrl: 'http://127.0.0.1:45678', log: (l) => logs.push(l) });
  });

  test('has every page and module, CommonJS, paths kept, within the budget, size printed', async () => {
    const rel = (await files(outDir())).map((f) => path.relative(outDir(), f).split(path.sep).join('/')).sort();
    expect(rel).toEqual(expect.arrayContaining(['app.js', 'app.json', 'app.wxss', 'pages/checkout/checkout.js', 'pages/checkout/checkout.wxml', 'pages/checkout/checkout.wxss', 'pages/checkout/checkout.json', 'lib/confirmer.js', 'lib/return-watcher.js']));
    expect(rel.some((f) => f.endsWith('.ts'))).toBe(false);
    const page = await fs.readFile(path.join(outDir(), 'pages/checkout/checkout.js'), 'utf8');
    expect(page).toContain('require("../../lib/checkout-flow")');
    const sizeLine = logs.find((l) => l.startsWith('dist size:'));
    expect(sizeLine).toMatch(/dist size: \d+\.\d KB \(\d+ bytes; budget 100\.0 KB\)/);
    const bytes = Number(/\((\d+) bytes/.exec(sizeLine || '')![1]);
    expect(bytes).toBeLessThan(100 * 1024);
  });

  test('bakes the backend URL in at build time', async () => {
    const config = await fs.readFile(path.join(outDir(), 'lib/config.js'), 'utf8');
    expect(config).toContain('"http://127.0.0.1:45678"');
    expect(config).not.toContain('__API_BASE_URL__');
  });

  test('contains no signing code and no merchant key', async () => {
    const literally = (text: string) => new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    const forbidden: RegExp[] = [/md5/i, /createHash/, /&key=/, /1732584193|0x67452301/i, /merchant_?key/i, /MERCHANT_KEY/, literally(DEV_MERCHANT_KEY)];
    if (process.env.MERCHANT_KEY) forbidden.push(literally(process.env.MERCHANT_KEY));
    for (const file of await files(outDir())) {
      const text = await fs.readFile(file, 'utf8');
      for (const pattern of forbidden) expect({ file: path.relative(outDir(), file), match: pattern.test(text) ? String(pattern) : null }).toEqual({ file: path.relative(outDir(), file), match: null });
    }
  });

  test('app.json: checkout first, both provider appIds listed', async () => {
    const appJson = JSON.parse(await fs.readFile(path.join(outDir(), 'app.json'), 'utf8'));
    expect(appJson.pages[0]).toBe('pages/checkout/checkout');
    expect(appJson.navigateToMiniProgramAppIdList).toEqual(expect.arrayContaining(['wx959c8c1fb2d89988', 'wx959c8c1fb2d877b5']));
  });
});

test('project.config.json opens dist/ in DevTools and has DevTools build it before compiling, previewing and uploading', async () => {
  const project = JSON.parse(await fs.readFile(path.join(ROOT, 'project.config.json'), 'utf8'));
  expect(project).toMatchObject({ miniprogramRoot: 'dist/', compileType: 'miniprogram', setting: { urlCheck: false } });
  expect(typeof project.appid).toBe('string');
  expect(project.scripts).toEqual({ beforeCompile: 'npm run build', beforePreview: 'npm run build:preview', beforeUpload: 'npm run build:release' });
  // each command is an npm script that runs the gulp task of that target
  const pkg = JSON.parse(await fs.readFile(path.join(ROOT, 'package.json'), 'utf8'));
  expect(pkg.scripts).toMatchObject({ build: 'gulp build', 'build:preview': 'gulp preview', 'build:release': 'gulp release' });
  const gulpfile = await import('../../gulpfile');
  for (const task of ['build', 'preview', 'release'] as const) expect(typeof gulpfile[task]).toBe('function');
});

test('per-developer files stay out of git: DevTools\' project.private.config.json and the build\'s .env.build', async () => {
  const ignored = (await fs.readFile(path.join(ROOT, '.gitignore'), 'utf8')).split('\n').map((l) => l.trim());
  expect(ignored).toEqual(expect.arrayContaining(['project.private.config.json', '.env.build', 'dist/']));
});

test('beforeUpload (npm run build:release) refuses the development backend that npm run build bakes in', async () => {
  const outDir = path.join(tmp, 'upload', 'dist');
  const error = await buildMiniprogram({ outDir, target: 'release', apiBaseUrl: DEVELOP_API_BASE_URL, log: quiet }).then(() => null, (e: unknown) => e);
  expect((error as Error).message).toMatch(/API_BASE_URL "http:\/\/127\.0\.0\.1:3000" is not https/);
});

describe('a trial/release build refuses a backend no payer can reach', () => {
  const refused: [string, string | RegExp][] = [
    ['', /API_BASE_URL is not set/],
    ['http://api.example.com', /API_BASE_URL "http:\/\/api\.example\.com" is not https/],
    ['https://127.0.0.1:3000', /loopback or private/],
    ['https://localhost', /loopback or private/],
    ['https://[::1]:3000', /loopback or private/],
    ['https://10.0.0.8', /loopback or private/],
    ['https://172.20.1.1', /loopback or private/],
    ['https://192.168.1.20:3000', /loopback or private/],
    ['https://169.254.1.1', /loopback or private/],
    ['https://backend', /loopback or private/],
    ['https://pay.local', /loopback or private/],
    ['https://8.8.8.8', /IP address/],
    ['ftp://api.example.com', /not an http\(s\) URL/],
    ['api.example.com', /not an http\(s\) URL/],
  ];

  test.each(refused)('API_BASE_URL=%j is refused, naming the variable', (url, pattern) => {
    const problem = backendUrlProblem(url, 'release');
    expect(problem).toMatch(pattern);
    expect(problem).toContain('API_BASE_URL');
  });

  test('a public https origin (with or without a path) is accepted for release', () => {
    expect(backendUrlProblem('https://api.example.com', 'release')).toBeNull();
    expect(backendUrlProblem('https://pay.example.com:8443/shop-api', 'release')).toBeNull();
  });

  test('a preview (a phone) refuses loopback but takes a LAN address; develop takes either', () => {
    expect(backendUrlProblem('http://127.0.0.1:3000', 'preview')).toMatch(/phone cannot reach/);
    expect(backendUrlProblem('http://192.168.1.20:3000', 'preview')).toBeNull();
    expect(backendUrlProblem('http://127.0.0.1:3000', 'develop')).toBeNull();
  });

  test('the refused build fails with the reason and leaves no dist/ behind to upload', async () => {
    const outDir = path.join(tmp, 'refused', 'dist');
    await buildMiniprogram({ outDir, apiBaseUrl: 'http://127.0.0.1:3000', log: quiet });
    const error = await buildMiniprogram({ outDir, target: 'release', apiBaseUrl: 'http://127.0.0.1:3000', log: quiet }).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(BuildError);
    expect((error as Error).message).toMatch(/API_BASE_URL "http:\/\/127\.0\.0\.1:3000" is not https.*release build/);
    await expect(fs.stat(outDir)).rejects.toThrow(/ENOENT/);
  });

  test('a release build bakes its target and URL in', async () => {
    const outDir = path.join(tmp, 'release', 'dist');
    const logs: string[] = [];
    await buildMiniprogram({ outDir, target: 'release', apiBaseUrl: 'https://api.example.com/', log: (l) => logs.push(l) });
    const config = await fs.readFile(path.join(outDir, 'lib/config.js'), 'utf8');
    expect(config).toContain('"https://api.example.com"');
    expect(config).toContain('"release"');
    expect(logs).toContain('release build for the backend at https://api.example.com');
  });

  test('a shorter confirmation deadline is for a develop build only (the README pictures\' 尚未支付); others keep 60 s', async () => {
    const release = path.join(tmp, 'deadline-release', 'dist');
    await expect(buildMiniprogram({ outDir: release, target: 'release', apiBaseUrl: 'https://api.example.com', confirmDeadlineMs: 2000, log: quiet })).rejects.toThrow(
      /confirmDeadlineMs is for develop builds/,
    );
    const short = path.join(tmp, 'deadline-develop', 'dist');
    await buildMiniprogram({ outDir: short, apiBaseUrl: 'http://127.0.0.1:45678', confirmDeadlineMs: 2000, log: quiet });
    expect(require(path.join(short, 'lib/config.js')).CONFIRM_DEFAULTS.deadlineMs).toBe(2000);
    const normal = path.join(tmp, 'deadline-default', 'dist');
    await buildMiniprogram({ outDir: normal, apiBaseUrl: 'http://127.0.0.1:45678', log: quiet });
    expect(require(path.join(normal, 'lib/config.js')).CONFIRM_DEFAULTS.deadlineMs).toBe(60000);
  });

  test('.env.build supplies API_BASE_URL for WeChat DevTools, whose commands run without your shell environment', async () => {
    const file = path.join(tmp, 'env.build');
    await fs.writeFile(file, '# for DevTools uploads\nAPI_BASE_URL="https://api.example.com"\nexport OTHER=1\n');
    expect(readBuildEnvFile(file)).toEqual({ API_BASE_URL: 'https://api.example.com', OTHER: '1' });
    expect(readBuildEnvFile(path.join(tmp, 'missing'))).toEqual({});
  });
});
