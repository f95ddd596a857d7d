// The backend as a process: crash safety under SIGKILL, production configuration, npm run serve.

import net from 'node:net';
import type { CreateOrderResponse } from '../../typings/api';
import { check, createOrder, getJson, postForm, postJson, spawnTs, STRONG_KEY, storeEnv, tempDir, waitForLine, xwjfNotify } from './helpers';

describe('a backend killed with SIGKILL in the middle of a burst of notifies', () => {
  it('ends, after a restart on the same data folder, with every accepted notify paid and the rest recoverable', async () => {
    const data = tempDir();
    // 120 users check at once at the end, all from this test's one address
    const env = { PORT: '0', DATA_DIR: data.dir, MAX_CONNECTIONS_PER_CLIENT: '0', ...(await storeEnv()) };
    let proc = spawnTs('server/main.ts', env);
    try {
      let url = (await waitForLine(proc, /server listening (http:\/\/\S+)/))[1];
      const orders: CreateOrderResponse[] = [];
      for (let i = 0; i < 120; i++) orders.push(await createOrder(url));

      const accepted = new Set<string>();
      let sent = 0;
      let killed = false;
      // 8 notifies in flight at a time; SIGKILL after the 40th accepted one, while others are still on the wire
      const worker = async (): Promise<void> => {
        while (sent < orders.length && !killed) {
          const order = orders[sent++];
          try {
            const answer = await postForm(`${url}/api/pay/notify`, xwjfNotify(order), 2000);
            if (answer.status === 200 && answer.text === 'success') accepted.add(order.outTradeNo);
          } catch {
            // the connection died with the process: not accepted, the provider would retry
          }
          if (accepted.size >= 40 && !killed) {
            killed = true;
            proc.child.kill('SIGKILL');
          }
        }
      };
      await Promise.all(Array.from({ length: 8 }, worker));
      expect(await proc.exited).toBeNull();
      expect(accepted.size).toBeGreaterThanOrEqual(40);
      expect(accepted.size).toBeLessThan(orders.length);

      proc = spawnTs('server/main.ts', env);
      url = (await waitForLine(proc, /server listening (http:\/\/\S+)/))[1];
      for (const order of orders) {
        if (accepted.has(order.outTradeNo)) expect((await check(url, order)).status).toBe('paid');
      }
      // the provider retries what was not answered `success`: after that every paid order is paid
      for (const order of orders) {
        const answer = await postForm(`${url}/api/pay/notify`, xwjfNotify(order));
        expect(answer.text).toBe('success');
      }
      const statuses = await Promise.all(orders.map((order) => check(url, order)));
      expect(statuses.every((s) => s.status === 'paid')).toBe(true);
    } finally {
      proc.child.kill('SIGKILL');
      await proc.exited;
      data.remove();
    }
  }, 30_000);
});

describe('production configuration', () => {
  it('refuses to start without MERCHANT_ID and MERCHANT_KEY and names them', async () => {
    const data = tempDir();
    try {
      const proc = spawnTs('server/main.ts', {
        NODE_ENV: 'production',
        PORT: '0',
        DATA_DIR: data.dir,
        MERCHANT_ID: '',
        MERCHANT_KEY: '',
        PROVIDER_BASE_URL: 'https://provider.example',
        PUBLIC_BASE_URL: 'https://shop.example',
      });
      expect(await proc.exited).toBe(1);
      expect(proc.output()).toMatch(/NODE_ENV=production needs MERCHANT_ID, MERCHANT_KEY/);
      expect(proc.output()).not.toMatch(/listening/);
    } finally {
      data.remove();
    }
  }, 30_000);

  it('names only what is missing, and refuses the development key', async () => {
    const { startServer } = await import('../../server');
    const data = tempDir();
    try {
      const base = { NODE_ENV: 'production', MERCHANT_ID: 'm1', PROVIDER_BASE_URL: 'https://p.example', PUBLIC_BASE_URL: 'https://s.example' };
      await expect(startServer({ port: 0, dataDir: data.dir, env: base })).rejects.toThrow(/needs MERCHANT_KEY in the environment/);
      await expect(
        startServer({ port: 0, dataDir: data.dir, env: { ...base, MERCHANT_KEY: 'dev-only-merchant-key-not-a-secret' } }),
      ).rejects.toThrow(/MERCHANT_KEY is the development key/);
      const server = await startServer({ port: 0, dataDir: data.dir, env: { ...base, MERCHANT_KEY: STRONG_KEY } });
      expect(server.config.publicBaseUrl).toBe('https://s.example');
      await server.close();
    } finally {
      data.remove();
    }
  });
});

describe('npm run serve (scripts/serve.ts)', () => {
  it('prints a ready line with both URLs, serves, and exits cleanly on SIGTERM', async () => {
    const data = tempDir();
    try {
      const proc = spawnTs('scripts/serve.ts', { PORT: '0', SANDBOX_PORT: '0', DATA_DIR: data.dir, ...(await storeEnv()) });
      const ready = await waitForLine(proc, /ready.*backend (http:\/\/\S+) .*sandbox (http:\/\/\S+)/);
      const [, backend, sandbox] = ready;
      expect((await getJson(`${backend}/healthz`)).status).toBe(200);
      expect((await getJson(`${sandbox}/healthz`)).status).toBe(200);
      // the dev defaults are shared: an order the backend signs is accepted by the sandbox, whose notify reaches back
      const order = await createOrder(backend);
      // as the pay mini program receives it: the extraData object, as JSON
      await postJson(`${sandbox}/pay`, order.payParams);
      expect((await check(backend, order, { waitMs: 5000 })).status).toBe('paid');
      proc.child.kill('SIGTERM');
      expect(await proc.exited).toBe(0);
    } finally {
      data.remove();
    }
  }, 30_000);

  it('refuses NODE_ENV=production instead of pointing a production backend at the sandbox, and says what to run', async () => {
    const data = tempDir();
    try {
      const proc = spawnTs('scripts/serve.ts', {
        NODE_ENV: 'production',
        PORT: '0',
        SANDBOX_PORT: '0',
        DATA_DIR: data.dir,
        MERCHANT_ID: 'm1',
        MERCHANT_KEY: STRONG_KEY,
        PROVIDER_BASE_URL: 'https://api.provider.example',
        PUBLIC_BASE_URL: 'https://pay.shop.example',
      });
      expect(await proc.exited).toBe(1);
      expect(proc.output()).toMatch(/NODE_ENV=production: refusing to start the sandbox.*npm run build:server, then npm run start:prod/);
      expect(proc.output()).not.toMatch(/ready|listening/);
    } finally {
      data.remove();
    }
  }, 30_000);

  it('says which variable to change when a port is busy', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const busy = (blocker.address() as net.AddressInfo).port;
    const data = tempDir();
    try {
      const proc = spawnTs('scripts/serve.ts', { PORT: '0', SANDBOX_PORT: String(busy), DATA_DIR: data.dir });
      expect(await proc.exited).toBe(1);
      expect(proc.output()).toMatch(new RegExp(`Port ${busy} .*in use; set SANDBOX_PORT`));
      const proc2 = spawnTs('scripts/serve.ts', { PORT: String(busy), SANDBOX_PORT: '0', DATA_DIR: data.dir });
      expect(await proc2.exited).toBe(1);
      expect(proc2.output()).toMatch(/in use; set PORT/);
    } finally {
      blocker.close();
      data.remove();
    }
  }, 30_000);
});
