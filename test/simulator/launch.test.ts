// The CLI as DevTools' stand-in: automator.launch spawns it (one test: the client sleeps 5 s after launching),
// and a project that cannot load makes it exit with a message instead of hanging.
import path from 'node:path';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import automator from 'miniprogram-automator';
import { FIXTURE, INDEX } from './helpers';

declare const __sim: { idle(): Promise<void> };

const CLI = path.join(__dirname, '..', '..', 'simulator', 'cli.js');

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

function runCli(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

describe('simulator/cli.js', () => {
  it('automator.launch starts it with DevTools\' arguments; close() makes it exit', async () => {
    const port = await freePort();
    const mp = await automator.launch({ cliPath: CLI, projectPath: FIXTURE, port, trustProject: true });
    try {
      const page = await mp.currentPage();
      expect(page!.path).toBe(INDEX);
      const count = await page!.$('#count');
      await (await page!.$('#inner'))!.tap();
      expect(await count!.text()).toBe('Count: 1');
    } finally {
      await mp.close();
    }
    const deadline = Date.now() + 3000;
    while ((await portIsOpen(port)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await portIsOpen(port)).toBe(false);
  }, 30000);

  it('serves connect too, loads --handlers, and exits when its client disconnects', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [CLI, 'auto', '--project', FIXTURE, '--auto-port', String(port), '--handlers', path.join(FIXTURE, 'handlers.js')], { stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      const deadline = Date.now() + 10000;
      while (!(await portIsOpen(port)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const mp = await automator.connect({ wsEndpoint: `ws://127.0.0.1:${port}` });
      const page = await mp.currentPage();
      await (await page!.$('#pay-sync'))!.tap();
      await mp.evaluate(() => __sim.idle());
      expect(await (await page!.$('#returned'))!.text()).toBe('{"from":"cli-handlers","amount":100}');
      mp.disconnect();
      expect(await exited).toBe(0);
    } finally {
      child.kill();
    }
  }, 20000);

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

    it('missing page file', async () => {
      fs.rmSync(path.join(dir, 'app', 'pages', 'a', 'a.js'));
      const { code, stderr } = await runCli(['auto', '--project', dir, '--auto-port', '0']);
      expect(code).toBe(1);
      expect(stderr).toContain('page "pages/a/a" listed in app.json has no .js file');
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
