// The Node port runs the real confirmer against a real HTTP server (what the benchmark does).
import http from 'http';
import type { AddressInfo } from 'net';
import { createConfirmer } from '../../miniprogram/lib/confirmer';
import { createNodeRequestPort, nodeClock } from '../fixtures/fake-wx-node';

let server: http.Server;
let baseUrl: string;
let status = 'pending';
const bodies: unknown[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => {
      const body = JSON.parse(text || '{}');
      bodies.push(body);
      if (body.orderToken !== 'tok') {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'order_not_found', message: '订单不存在或无权查询' } }));
        return;
      }
      const answer = () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ outTradeNo: body.outTradeNo, status, paySuccess: status === 'paid' }));
      if (status !== 'pending') return answer();
      setTimeout(() => {
        status = 'paid';
        answer();
      }, 50);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

test('confirms over real HTTP and counts its requests', async () => {
  const port = createNodeRequestPort();
  const confirmer = createConfirmer({ request: port, baseUrl, clock: nodeClock, config: { waitMs: 1000, deadlineMs: 5000 } });
  await expect(confirmer.confirm({ outTradeNo: 'T1', orderToken: 'tok' })).resolves.toMatchObject({ outcome: 'final', status: 'paid' });
  expect(bodies[0]).toEqual({ outTradeNo: 'T1', orderToken: 'tok', waitMs: 1000 });
  expect(port.sent).toBe(confirmer.stats.requests);
});

test('a 4xx error body reaches the caller as data', async () => {
  const confirmer = createConfirmer({ request: createNodeRequestPort(), baseUrl, clock: nodeClock });
  await expect(confirmer.confirm({ outTradeNo: 'T1', orderToken: 'wrong' })).resolves.toMatchObject({ outcome: 'rejected', error: { status: 404, code: 'order_not_found', message: 'POST /api/pay/check answered HTTP 404 order_not_found: 订单不存在或无权查询' } });
});

test('connection refused is a network error (retried until maxOutageMs)', async () => {
  const confirmer = createConfirmer({ request: createNodeRequestPort(), baseUrl: 'http://127.0.0.1:1', clock: nodeClock, config: { maxOutageMs: 600, backoffBaseMs: 100 } });
  const result = await confirmer.confirm({ outTradeNo: 'T1', orderToken: 'tok' });
  expect(result).toMatchObject({ outcome: 'timeout', lastError: { kind: 'network' } });
  expect(result.requests).toBeGreaterThan(1);
});
