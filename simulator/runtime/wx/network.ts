// Network: wx.request over real HTTP (request.ts), WebSockets over real sockets (connectSocket and the legacy
// one-socket API), the network type the device reports.
import WebSocket from 'ws';
import { fail } from '../errors';
import { request } from '../request';
import { emit, settle, type Impl, type WxDefinitions, type WxHost, type WxOptions } from './core';

const OFFLINE = '-106:net::ERR_INTERNET_DISCONNECTED (the simulator is offline: __sim.setNetwork({online: true}))';

/** A SocketTask over a real WebSocket; `legacy` also feeds wx.onSocketOpen/Message/Error/Close. */
function socketTask(app: WxHost, o: WxOptions, legacy: (event: string, res: unknown) => void) {
  const listeners: Record<string, Impl[]> = { open: [], message: [], error: [], close: [] };
  let ws: WebSocket | undefined;
  let closed = false;
  const fire = (event: string, res: unknown) => {
    if (!app.alive) return;
    for (const l of [...listeners[event]]) app.guard(() => l(res), `SocketTask.on${event}`);
    legacy(event, res);
  };
  const handle = { abort: () => ws?.terminate() };
  const task = {
    get readyState() {
      return ws ? ws.readyState : 0;
    },
    CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3,
    send: (opts: WxOptions = {}) =>
      settle(app, 'SocketTask.send', opts, () => {
        if (!ws || ws.readyState !== WebSocket.OPEN) fail('SocketTask.readyState is not OPEN');
        const data = opts.data instanceof ArrayBuffer ? Buffer.from(opts.data) : String(opts.data ?? '');
        return new Promise((resolve, reject) => ws!.send(data, (err) => (err ? reject(err) : resolve({}))));
      }, { promise: false }),
    close: (opts: WxOptions = {}) =>
      settle(app, 'SocketTask.close', opts, () => {
        closed = true;
        ws?.close((opts.code as number | undefined) ?? 1000, (opts.reason as string | undefined) ?? '');
        return {};
      }, { promise: false }),
    // pushed unchecked: a listener that is not a function fails (reported as an app error) when the event comes
    onOpen: (fn: unknown) => void listeners.open.push(fn as Impl),
    onMessage: (fn: unknown) => void listeners.message.push(fn as Impl),
    onError: (fn: unknown) => void listeners.error.push(fn as Impl),
    onClose: (fn: unknown) => void listeners.close.push(fn as Impl),
  };
  const start = () => {
    if (!app.sim.online) throw new Error(OFFLINE);
    let url: URL;
    try {
      url = new URL(String(o.url));
      if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new Error();
    } catch {
      fail(`invalid url "${String(o.url)}"`);
    }
    ws = new WebSocket(url, o.protocols as string | string[] | undefined, { headers: o.header as Record<string, string> | undefined, handshakeTimeout: Number(o.timeout) || app.sim.project.appJson.networkTimeout?.connectSocket || 60000 });
    app.requests.add(handle);
    ws.on('open', () => fire('open', { header: {}, profile: {} }));
    ws.on('message', (data, isBinary) => {
      const buf = data as Buffer;
      fire('message', { data: isBinary ? buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) : buf.toString('utf8') });
    });
    ws.on('error', (err) => fire('error', { errMsg: err.message }));
    ws.on('close', (code, reason) => {
      app.requests.delete(handle);
      fire('close', { code, reason: reason.toString() || (closed ? '' : 'abnormal closure') });
    });
    return {};
  };
  return { task, start };
}

export function defineNetwork(d: WxDefinitions): void {
  const app = d.app;
  const sim = app.sim;

  d.raw('request', 'supported', (opts?: WxOptions) => {
    const o = opts ?? {};
    sim.requestLog.push({ method: String(o.method ?? 'GET').toUpperCase(), url: String(o.url), at: Date.now() });
    const handle = request(app, o);
    return settle(app, 'request', o, () => handle.result, { task: handle.task });
  }, 'real HTTP; WeChat\'s result shape; networkTimeout from app.json; recorded in __sim.requests(); fails while __sim.setNetwork({online: false})');
  d.async('getNetworkType', 'supported', () => ({ networkType: sim.online ? 'wifi' : 'none' }), 'wifi, or none after __sim.setNetwork({online: false})');

  // the legacy API drives the most recent socket
  let current: ReturnType<typeof socketTask> | undefined;
  const legacy = (event: string, res: unknown) => {
    emit(app, `socket${event.charAt(0).toUpperCase()}${event.slice(1)}`, res);
  };
  d.raw('connectSocket', 'supported', (opts?: WxOptions) => {
    const o = opts ?? {};
    const socket = socketTask(app, o, (event, res) => socket === current && legacy(event, res));
    current = socket;
    settle(app, 'connectSocket', o, socket.start, { promise: false });
    return socket.task;
  }, 'a real WebSocket (ws://, wss://); SocketTask send/close/onOpen/onMessage/onError/onClose');
  d.async('sendSocketMessage', 'supported', (o) => {
    if (!current) fail('WebSocket is not connected');
    return new Promise((resolve, reject) => current!.task.send({ data: o.data, success: resolve, fail: reject }));
  });
  d.async('closeSocket', 'supported', (o) => {
    if (!current) fail('WebSocket is not connected');
    current.task.close({ code: o.code, reason: o.reason });
    return {};
  });
  for (const name of ['onSocketOpen', 'onSocketMessage', 'onSocketError', 'onSocketClose']) d.listener(name, 'supported');
}
