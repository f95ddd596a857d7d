// Transport: a WebSocket server on 127.0.0.1 speaking the automator protocol — one JSON text frame per message,
// requests {id, method, params}, answers {id, result} or {id, error: {message}}, events {method, params}.
import { WebSocketServer, WebSocket } from 'ws';
import type { AddressInfo } from 'node:net';
import type { Simulation } from '../runtime/simulation';
import { Dispatcher, errorMessage, type Context } from './dispatcher';
import { ElementRegistry } from './elements';
import { toolDomain } from './tool';
import { appDomain } from './app';
import { pageDomain } from './page';
import { elementDomain } from './element';
import { simDomain } from './sim';

export interface ProtocolServer {
  port: number;
  close(): Promise<void>;
}

export interface ServerEvents {
  /** Tool.close was received */
  onToolClose?: () => void;
  /** a client connected; `count` clients are connected now */
  onConnect?: (count: number) => void;
  /** a client disconnected; `remaining` clients are still connected */
  onDisconnect?: (remaining: number) => void;
  log: (line: string) => void;
}

export function createDispatcher(): Dispatcher {
  const d = new Dispatcher();
  d.register('Tool', toolDomain);
  d.register('App', appDomain);
  d.register('Page', pageDomain);
  d.register('Element', elementDomain);
  d.register('Sim', simDomain);
  return d;
}

export async function startProtocolServer(sim: Simulation, port: number, events: ServerEvents): Promise<ProtocolServer> {
  const dispatcher = createDispatcher();
  const elements = new ElementRegistry(sim);
  const wss = new WebSocketServer({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new Error(`port ${port} on 127.0.0.1 is in use: pick another --auto-port / port`) : err));
  });
  const clients = new Set<WebSocket>();
  const onEvent = (method: string, params: Record<string, unknown>) => {
    const frame = JSON.stringify({ method, params });
    for (const ws of clients) if (ws.readyState === WebSocket.OPEN) ws.send(frame);
  };
  sim.on('protocol-event', onEvent);

  wss.on('connection', (ws) => {
    clients.add(ws);
    events.onConnect?.(clients.size);
    const ctx: Context = {
      sim,
      elements,
      requestClose: () => {
        // answer first, then quit
        setImmediate(() => {
          ws.close();
          events.onToolClose?.();
        });
      },
    };
    ws.on('message', async (raw) => {
      let msg: { id?: string; method?: string; params?: unknown };
      try {
        msg = JSON.parse(raw.toString());
      } catch {
        events.log(`ignored a frame that is not JSON: ${raw.toString().slice(0, 100)}`);
        return;
      }
      if (!msg.id || !msg.method) return;
      let answer: Record<string, unknown>;
      try {
        answer = { id: msg.id, result: await dispatcher.dispatch(msg.method, msg.params, ctx) };
      } catch (err) {
        answer = { id: msg.id, error: { message: errorMessage(err) } };
      }
      if (ws.readyState !== WebSocket.OPEN) return;
      let frame: string;
      try {
        frame = JSON.stringify(answer);
      } catch (err) {
        frame = JSON.stringify({ id: msg.id, error: { message: `${msg.method}: the result cannot be serialized (${errorMessage(err)})` } });
      }
      ws.send(frame);
    });
    ws.on('close', () => {
      clients.delete(ws);
      events.onDisconnect?.(clients.size);
    });
    ws.on('error', () => undefined);
  });

  return {
    port: (wss.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        sim.off('protocol-event', onEvent);
        for (const ws of clients) ws.terminate();
        wss.close(() => resolve());
      }),
  };
}
