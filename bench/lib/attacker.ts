// The stress benchmark's attacker, in a process of its own so that its thousands of sockets do not slow the
// measuring client's event loop (the figures would then be the attacker's, not the backend's). Two attacks:
//
//   connections <url> <count> <reconnectPerSecond>
//     Holds `count` connections open: a third silent, a third sending their headers a byte every 2 s, a third their
//     body a byte every 2 s. Each one the server cuts is opened again, at most reconnectPerSecond a second.
//   checks <url> <count> <outTradeNo> <orderToken>
//     Sends `count` checks with waitMs 30000 on one order through 2,000 keep-alive connections.
//
// Over the fork IPC channel:
//   -> {type: 'ready', openingMs}         connections: all open; checks: all sent
//   <- {type: 'stats'}  -> AttackStats
//   <- {type: 'stop'}   closes every connection and exits
import http from 'node:http';
import net from 'node:net';
import { performance } from 'node:perf_hooks';

export interface AttackStats {
  type: 'stats';
  /** connections: open right now */
  open: number;
  /** connections: closed by the server (and opened again) */
  cut: number;
  /** connections: attempts that failed */
  failedToOpen: number;
  /** checks: answers so far, by "200 <status>", "HTTP <code>" or error code */
  answers: Record<string, number>;
}

type Kind = 'silent' | 'slow-headers' | 'slow-body';

const SLOW_HEADERS = `POST /api/pay/notify HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ${'a'.repeat(200)}\r\n\r\n`;
const SLOW_BODY_HEAD = 'POST /api/orders HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n';
const SLOW_BODY = '1'.repeat(1000);
const DRIP_MS = 2_000;
const CHECK_CONNECTIONS = 2_000;

const [mode, url, countArg, ...rest] = process.argv.slice(2);
const count = Number(countArg);
const sockets = new Set<{ socket: net.Socket; kind: Kind; sent: number }>();
const answers = new Map<string, number>();
const agent = new http.Agent({ keepAlive: true, maxSockets: CHECK_CONNECTIONS });
let cut = 0;
let failedToOpen = 0;
let stopped = false;

function holdConnections(reconnectPerSecond: number): Promise<void> {
  const { hostname, port } = new URL(url);
  const reconnectQueue: Kind[] = [];
  const open = (kind: Kind): Promise<void> =>
    new Promise((resolve) => {
      const socket = net.connect(Number(port), hostname);
      const entry = { socket, kind, sent: 0 };
      socket.on('data', () => undefined);
      socket.on('error', () => undefined);
      socket.once('connect', () => {
        sockets.add(entry);
        if (kind === 'slow-body') socket.write(SLOW_BODY_HEAD);
        resolve();
      });
      socket.once('close', () => {
        if (sockets.delete(entry)) {
          cut++;
        } else {
          failedToOpen++;
          resolve();
        }
        if (!stopped && reconnectPerSecond > 0) reconnectQueue.push(kind);
      });
    });
  const kinds: Kind[] = ['silent', 'slow-headers', 'slow-body'];
  return (async () => {
    // paced: a listen backlog overflows when all SYNs come at once, and the figures are about holding, not opening
    for (let i = 0; i < count; i += 200) {
      await Promise.all(Array.from({ length: Math.min(200, count - i) }, (_, j) => open(kinds[(i + j) % 3])));
    }
    setInterval(() => {
      for (const kind of reconnectQueue.splice(0, Math.ceil(reconnectPerSecond / 20))) void open(kind);
    }, 50);
    setInterval(() => {
      for (const entry of sockets) {
        if (entry.kind === 'silent') continue;
        const text = entry.kind === 'slow-headers' ? SLOW_HEADERS : SLOW_BODY;
        if (entry.sent < text.length) entry.socket.write(text[entry.sent++]);
      }
    }, DRIP_MS);
  })();
}

async function sendChecks(outTradeNo: string, orderToken: string): Promise<void> {
  const body = JSON.stringify({ outTradeNo, orderToken, waitMs: 30_000 });
  const tally = (key: string): void => void answers.set(key, (answers.get(key) ?? 0) + 1);
  for (let i = 0; i < count; i++) {
    const req = http.request(`${url}/api/pay/check`, {
      method: 'POST',
      agent,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => tally(res.statusCode === 200 ? `200 ${(JSON.parse(text) as { status: string }).status}` : `HTTP ${res.statusCode}`));
    });
    req.on('error', (error: NodeJS.ErrnoException) => tally(error.code ?? error.message));
    req.end(body);
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  if (mode === 'connections') await holdConnections(Number(rest[0] ?? 2000));
  else if (mode === 'checks') await sendChecks(rest[0], rest[1]);
  else throw new Error(`unknown attack "${mode}"`);
  process.send?.({ type: 'ready', openingMs: Math.round(performance.now() - started) });
}

process.on('message', (message: { type: string }) => {
  if (message.type === 'stats') {
    process.send?.({ type: 'stats', open: sockets.size, cut, failedToOpen, answers: Object.fromEntries(answers) } satisfies AttackStats);
  } else if (message.type === 'stop') {
    stopped = true;
    for (const { socket } of sockets) socket.destroy();
    agent.destroy();
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));

main().catch((error: Error) => {
  console.error(`attacker failed: ${error.message}`);
  process.exit(1);
});
