// The production start, as a merchant does it on a server: a copy of the project, `npm run build:server`,
// `npm prune --omit=dev` (no TypeScript, no esbuild, no sandbox dependencies left), then `npm run start:prod` with a
// production environment. No network: the copy gets this checkout's node_modules (hard links; npm prune only unlinks).

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { CreateOrderResponse } from '../../typings/api';
import { getJson, json, postJson, ROOT, sleep, spawnProcess, STRONG_KEY, tempDir, waitForLine, type Spawned } from './helpers';

/** npm run inside npm test: drop what the outer npm told its children, keep its configuration (cache, registry) */
function npmEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^npm_(lifecycle|package|command|node_execpath)/i.test(name)),
  );
}

function copyProject(to: string): void {
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT })
    .toString('utf8')
    .split('\0')
    .filter((file) => file && fs.existsSync(path.join(ROOT, file)));
  for (const file of files) {
    fs.mkdirSync(path.dirname(path.join(to, file)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, file), path.join(to, file));
  }
  try {
    execFileSync('cp', ['-al', path.join(ROOT, 'node_modules'), path.join(to, 'node_modules')]);
    // npm rewrites its hidden lockfile in place: that one must be a copy, or the checkout's would change too
    const hidden = path.join(to, 'node_modules', '.package-lock.json');
    fs.rmSync(hidden, { force: true });
    fs.copyFileSync(path.join(ROOT, 'node_modules', '.package-lock.json'), hidden);
  } catch {
    // another file system, or no cp -l: a plain copy
    fs.rmSync(path.join(to, 'node_modules'), { recursive: true, force: true });
    fs.cpSync(path.join(ROOT, 'node_modules'), path.join(to, 'node_modules'), { recursive: true, verbatimSymlinks: true });
  }
}

async function run(proc: Spawned, what: string): Promise<void> {
  const code = await proc.exited;
  if (code !== 0) throw new Error(`${what} exited with ${code}:\n${proc.output()}`);
}

describe('npm run start:prod after npm run build:server and npm prune --omit=dev', () => {
  it('runs the compiled backend alone with production dependencies only, and serves /healthz and orders', async () => {
    const work = tempDir('xwjf-prod-');
    const data = tempDir();
    let server: Spawned | undefined;
    try {
      const project = path.join(work.dir, 'project');
      copyProject(project);
      const env = npmEnv();
      await run(spawnProcess('npm', ['run', 'build:server'], { cwd: project, env }), 'npm run build:server');
      expect(fs.existsSync(path.join(project, 'build', 'server', 'main.js'))).toBe(true);
      await run(
        spawnProcess('npm', ['prune', '--omit=dev', '--offline', '--no-audit', '--no-fund'], { cwd: project, env }),
        'npm prune --omit=dev',
      );
      for (const devOnly of ['typescript', 'esbuild', 'esbuild-register', 'jest', 'miniprogram-automator']) {
        expect(fs.existsSync(path.join(project, 'node_modules', devOnly))).toBe(false);
      }

      // npm runs the backend as its child: a process group, so that the test can stop both
      server = spawnProcess('npm', ['run', 'start:prod'], {
        group: true,
        cwd: project,
        env: {
          ...env,
          NODE_ENV: '',
          PORT: '0',
          DATA_DIR: data.dir,
          MERCHANT_ID: 'mch-prod-1',
          MERCHANT_KEY: STRONG_KEY,
          PROVIDER_BASE_URL: 'https://api.provider.example',
          PUBLIC_BASE_URL: 'https://pay.shop.example',
          LOG_LEVEL: 'warn',
        },
      });
      const url = (await waitForLine(server, /server listening (http:\/\/\S+)/, 30_000))[1];
      // on 127.0.0.1 without TRUST_PROXY it says what a proxy in front needs
      expect(server.output()).toMatch(/TRUST_PROXY is off: if a reverse proxy on this machine forwards to the backend/);
      expect((await getJson(`${url}/healthz`)).status).toBe(200);
      const created = await postJson(`${url}/api/orders`, { sku: 'vip-month' });
      expect(created.status).toBe(201);
      const order = json<CreateOrderResponse>(created);
      // production: the configured public address, the real merchant id, never the sandbox or the dev key
      expect(order.payParams.notify_url).toBe('https://pay.shop.example/api/pay/notify');
      expect(order.payParams.mchid).toBe('mch-prod-1');
      expect(fs.existsSync(path.join(data.dir, 'orders.sqlite3'))).toBe(true);

      // a graceful stop, as a process manager does it
      process.kill(-server.child.pid!, 'SIGTERM');
      await server.exited;
      let stopped = false;
      for (let i = 0; i < 100 && !stopped; i++) {
        stopped = await getJson(`${url}/healthz`).then(() => false, () => true);
        if (!stopped) await sleep(50);
      }
      expect(stopped).toBe(true);
    } finally {
      if (server?.child.pid && server.child.exitCode === null && server.child.signalCode === null) {
        process.kill(-server.child.pid, 'SIGKILL');
      }
      work.remove();
      data.remove();
    }
  }, 240_000);

  it('refuses to run without a build, or under another NODE_ENV, saying what to do', async () => {
    const work = tempDir('xwjf-prod-');
    try {
      fs.mkdirSync(path.join(work.dir, 'scripts'));
      fs.copyFileSync(path.join(ROOT, 'scripts', 'start-prod.js'), path.join(work.dir, 'scripts', 'start-prod.js'));
      const missing = spawnProcess(process.execPath, ['scripts/start-prod.js'], { cwd: work.dir });
      expect(await missing.exited).toBe(1);
      expect(missing.output()).toMatch(/build\/server\/main\.js is missing\. Run `npm run build:server` first/);

      fs.mkdirSync(path.join(work.dir, 'build', 'server'), { recursive: true });
      fs.writeFileSync(path.join(work.dir, 'build', 'server', 'main.js'), 'console.log("started")');
      const development = spawnProcess(process.execPath, ['scripts/start-prod.js'], { cwd: work.dir, env: { NODE_ENV: 'development' } });
      expect(await development.exited).toBe(1);
      expect(development.output()).toMatch(/NODE_ENV is "development". Unset NODE_ENV or set it to production/);
    } finally {
      work.remove();
    }
  });
});
