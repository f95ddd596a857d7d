// The CLI as DevTools' stand-in: automator.launch spawns it (one test: the client sleeps 5 s after launching), it
// finds the project's simulator.handlers.js by itself, takes DevTools' arguments (parsed strictly: an unknown one is
// refused), writes what it says to <project>/.simulator.log, and a project that cannot load makes it exit with a
// message instead of hanging.
import path from 'node:path';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import automator from 'miniprogram-automator';
import { FIXTURE, INDEX } from './helpers';

declare const __sim: { idle(): Promise<void> };

const CLI = path.join(__dirname, '..', '..', 'simulator', 'cli.js');

// each test spawns Node with esbuild-register, jsdom and wcc: seconds on a loaded 2-core machine
jest.setTimeout(30000);

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function portIsOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const FIXTURE_LOG = path.join(FIXTURE, '.simulator.log');

async function waitForPort(port: number): Promise<void> {
  const deadline = Date.now() + 10000;
  while (!(await portIsOpen(port)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

describe('simulator/cli.js', () => {
  it('automator.launch starts it with DevTools\' arguments and launch\'s args; it pays through the project\'s handlers file; close() makes it exit', async () => {
    const port = await freePort();
    const mp = await automator.launch({ cliPath: CLI, projectPath: FIXTURE, port, trustProject: true, args: ['--verbose'] });
    try {
      const page = await mp.currentPage();
      expect(page!.path).toBe(INDEX);
      const count = await page!.$('#count');
      await (await page!.$('#inner'))!.tap();
      expect(await count!.text()).toBe('Count: 1');
      await (await page!.$('#pay-sync'))!.tap();
      await mp.evaluate(() => __sim.idle());
      expect(await (await page!.$('#returned'))!.text()).toBe('{"from":"project-file","amount":100}');
      await mp.evaluate(() => console.log('hello from the app'));
    } finally {
      await mp.close();
    }
    const deadline = Date.now() + 3000;
    while ((await portIsOpen(port)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await portIsOpen(port)).toBe(false);
    const log = fs.readFileSync(FIXTURE_LOG, 'utf8');
    expect(log).toContain(`arguments: --verbose auto --project ${FIXTURE} --auto-port ${port} --trust-project`);
    expect(log).toContain(`handlers for other mini programs: wxprovider from ${path.join(FIXTURE, 'simulator.handlers.js')}`);
    expect(log).toContain('[app log] hello from the app'); // --verbose copies the app's console
    expect(log).toContain('Tool.close received: exiting');
  }, 30000);

  it('serves connect too; --handlers replaces the project file; a jump without a handler is explained in the log; it exits when its client disconnects', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [CLI, 'auto', '--project', FIXTURE, '--auto-port', String(port), '--handlers', path.join(FIXTURE, 'handlers.js')], { stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      await waitForPort(port);
      const mp = await automator.connect({ wsEndpoint: `ws://127.0.0.1:${port}` });
      const page = await mp.currentPage();
      await (await page!.$('#pay-sync'))!.tap();
      await mp.evaluate(() => __sim.idle());
      expect(await (await page!.$('#returned'))!.text()).toBe('{"from":"cli-handlers","amount":100}');
      await (await page!.$('#nav-unknown'))!.tap();
      await mp.evaluate(() => __sim.idle());
      mp.disconnect();
      expect(await exited).toBe(0);
      const log = fs.readFileSync(FIXTURE_LOG, 'utf8');
      expect(log).toContain(`handlers for other mini programs: wxprovider from ${path.join(FIXTURE, 'handlers.js')}`);
      expect(log).toMatch(/wx\.navigateToMiniProgram to wxnobody: no handler for this appId/);
      expect(log).toContain('the last client disconnected: exiting');
    } finally {
      child.kill();
    }
  }, 20000);

  describe('arguments', () => {
    it('refuses an unknown option with exit code 2 and says which', async () => {
      const { code, stderr } = await runCli(['auto', '--project', FIXTURE, '--auto-port', '0', '--bogus']);
      expect(code).toBe(2);
      expect(stderr).toMatch(/^simulator: Unknown option '--bogus'/);
      expect(stderr).toContain('usage: simulator/cli.js auto --project <dir>');
    });

    it('refuses DevTools commands it does not have, a missing value and a bad port', async () => {
      const preview = await runCli(['preview', '--project', FIXTURE]);
      expect(preview.code).toBe(2);
      expect(preview.stderr).toContain('"preview" is a WeChat DevTools command the simulator does not have');
      const missing = await runCli(['auto', '--project']);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/--project <value>' argument missing/);
      const port = await runCli(['auto', '--project', FIXTURE, '--auto-port', 'x9']);
      expect(port.code).toBe(2);
      expect(port.stderr).toContain('--auto-port must be a port number 0..65535, got "x9"');
      const render = await runCli(['auto', '--project', FIXTURE, '--auto-port', '0', '--render', 'gpu']);
      expect(render.code).toBe(1);
      expect(render.stderr).toContain('--render must be one of headless, browser; got "gpu"');
    });

    it('--help prints the usage; DevTools\' other flags and its old --auto form are accepted', async () => {
      const help = await runCli(['--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('--auto-account <id>, --ticket <t>, --trust-project, --lang <en|zh>');
      const port = await freePort();
      const child = spawn(process.execPath, [CLI, '--lang', 'zh', '--auto', FIXTURE, '--auto-port', String(port), '--auto-account', 'oABC', '--ticket', 't', '--debug'], { stdio: 'ignore' });
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      try {
        await waitForPort(port);
        const mp = await automator.connect({ wsEndpoint: `ws://127.0.0.1:${port}` });
        expect((await mp.currentPage())!.path).toBe(INDEX);
        await mp.close();
        expect(await exited).toBe(0);
      } finally {
        child.kill();
      }
    }, 20000);
  });

  describe('load errors exit non-zero with a message', () => {
    let dir: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-bad-'));
      fs.writeFileSync(path.join(dir, 'project.config.json'), JSON.stringify({ miniprogramRoot: 'app/' }));
      fs.mkdirSync(path.join(dir, 'app', 'pages', 'a'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'app', 'app.js'), 'App({})');
      fs.writeFileSync(path.join(dir, 'app', 'app.json'), JSON.stringify({ pages: ['pages/a/a'] }));
      fs.writeFileSync(path.join(dir, 'app', 'pages', 'a', 'a.js'), 'Page({})');
      fs.writeFileSync(path.join(dir, 'app', 'pages', 'a', 'a.wxml'), '<view>{{x}}</view>');
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('missing page file; the reason is in .simulator.log too (automator.launch hides stderr)', async () => {
      fs.rmSync(path.join(dir, 'app', 'pages', 'a', 'a.js'));
      const { code, stderr } = await runCli(['auto', '--project', dir, '--auto-port', '0']);
      expect(code).toBe(1);
      expect(stderr).toContain('page "pages/a/a" listed in app.json has no .js file');
      expect(fs.readFileSync(path.join(dir, '.simulator.log'), 'utf8')).toMatch(/cannot start: page "pages\/a\/a" listed in app\.json has no \.js file/);
    });

    it('bad app.json', async () => {
      fs.writeFileSync(path.join(dir, 'app', 'app.json'), '{"pages": [');
      const { code, stderr } = await runCli(['auto', '--project', dir, '--auto-port', '0']);
      expect(code).toBe(1);
      expect(stderr).toContain('app.json is not valid JSON');
    });

    it('template compile error', async () => {
      fs.writeFileSync(path.join(dir, 'app', 'pages', 'a', 'a.wxml'), '<view>{{x</view>');
      const { code, stderr } = await runCli(['auto', '--project', dir, '--auto-port', '0']);
      expect(code).toBe(1);
      expect(stderr).toMatch(/template compile error \(wcc\): pages\/a\/a\.wxml/);
    });

    it('a page whose script throws', async () => {
      fs.writeFileSync(path.join(dir, 'app', 'pages', 'a', 'a.js'), 'Page({ data: undefinedThing })');
      const { code, stderr } = await runCli(['auto', '--project', dir, '--auto-port', '0']);
      expect(code).toBe(1);
      expect(stderr).toContain('undefinedThing is not defined');
    });
  });
});
