// The live preview: an HTTP page on 127.0.0.1 that shows the running app at phone size inside WeChat's frame, in
// a person's own browser. The page (phone.js + preview.js) gets the phone's messages over Server-Sent Events, so
// every setData shows at once; a click is sent back and becomes a real tap on the exparser node under it (inside
// WeChat's user-gesture window, so wx.navigateToMiniProgram works), typing becomes input events. Opening or
// reloading the page relaunches the app on its first page.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Log } from '../../runtime/types';
import type { PhoneMessage, PhoneScreen } from './screen';

/** What the preview needs from the simulator. */
export interface PreviewHost {
  /** a cold start on the app's first page (storage is kept, as on a phone) */
  relaunch(): Promise<void>;
  tap(element: Element, point: { x: number; y: number }): void;
  /** typing in an <input>/<textarea>: input, focus, blur or confirm (the keyboard's done key) */
  field(element: Element, event: 'input' | 'focus' | 'blur' | 'confirm', value: string): void;
  /** the navigation bar's back button */
  back(): void;
  /** a button of the modal on screen (wx.showModal) */
  answerModal(confirm: boolean): void;
  /** an item (its index) or 取消 (null) of the action sheet on screen (wx.showActionSheet) */
  answerActionSheet(tapIndex: number | null): void;
  /** an item of the tab bar */
  switchTab(pagePath: string): void;
}

export interface PreviewOptions {
  screen: PhoneScreen;
  host: PreviewHost;
  /** default $PREVIEW_PORT or 3002; 0 picks a free port */
  port?: number;
  title?: string;
  log?: Log;
}

export interface RunningPreview {
  url: string;
  port: number;
  /** true while at least one preview page is open: then another mini program's screen waits for the person */
  watched(): boolean;
  close(): Promise<void>;
}

interface Action {
  session?: string;
  type?: string;
  page?: number;
  sid?: number;
  x?: number;
  y?: number;
  value?: string;
  action?: string;
  confirm?: boolean;
  /** an action sheet item, or null for 取消 */
  tapIndex?: number | null;
  path?: string;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function previewPort(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.PREVIEW_PORT;
  const port = raw === undefined || raw === '' ? 3002 : Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PREVIEW_PORT must be a port number 0..65535, got "${raw}"`);
  return port;
}

export async function startPreview(options: PreviewOptions): Promise<RunningPreview> {
  const { screen, host } = options;
  const log = options.log ?? (() => undefined);
  const title = options.title ?? 'mini program preview';
  /** open SSE streams, each with what ends its subscription to the screen */
  const streams = new Map<http.ServerResponse, () => void>();
  const sessions: string[] = [];
  let relaunching: Promise<void> = Promise.resolve();

  const relaunch = () => {
    relaunching = relaunching.then(() => host.relaunch()).catch((err) => log(`preview: relaunch failed: ${(err as Error).message}`));
    return relaunching;
  };

  const readJson = (req: http.IncomingMessage): Promise<Action> =>
    new Promise((resolve, reject) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => {
        body += chunk;
        if (body.length > 64 * 1024) reject(new HttpError(413, 'too_large', 'the request body is larger than 64 KB'));
      });
      req.on('end', () => {
        try {
          resolve(body ? JSON.parse(body) : {});
        } catch {
          reject(new HttpError(400, 'bad_json', 'the request body is not JSON'));
        }
      });
      req.on('error', reject);
    });

  const shownElement = (a: Action): Element => {
    const shown = screen.shownPage();
    if (!shown || shown.id !== a.page) throw new HttpError(409, 'not_shown', `page ${a.page} is not the page on screen (it changed meanwhile); try again`);
    const element = typeof a.sid === 'number' ? screen.element(shown.id, a.sid) : undefined;
    if (!element) throw new HttpError(409, 'gone', 'that element is no longer on the page; try again');
    return element;
  };

  const act = async (a: Action): Promise<void> => {
    try {
      perform(a);
    } catch (err) {
      if (err instanceof HttpError) throw err;
      throw new HttpError(409, 'refused', (err as Error)?.message ?? String(err));
    }
  };

  const perform = (a: Action): void => {
    switch (a.type) {
      case 'tap':
        host.tap(shownElement(a), { x: Number(a.x) || 0, y: Number(a.y) || 0 });
        return;
      case 'input':
      case 'focus':
      case 'blur':
      case 'confirm':
        host.field(shownElement(a), a.type, String(a.value ?? ''));
        return;
      case 'back':
        if (screen.foreignScreen()) screen.actOnForeign('back');
        else host.back();
        return;
      case 'foreign':
        if (!screen.actOnForeign(String(a.action ?? 'back'))) throw new HttpError(409, 'no_screen', 'no other mini program is on screen any more');
        return;
      case 'modal':
        if (!screen.modal()) throw new HttpError(409, 'no_modal', 'no modal is on screen any more');
        host.answerModal(a.confirm === true);
        return;
      case 'actionSheet': {
        if (!screen.actionSheet()) throw new HttpError(409, 'no_action_sheet', 'no action sheet is on screen any more');
        const tapIndex = a.tapIndex === null || a.tapIndex === undefined ? null : Number(a.tapIndex);
        host.answerActionSheet(tapIndex);
        return;
      }
      case 'tab':
        host.switchTab(String(a.path ?? ''));
        return;
      default:
        throw new HttpError(400, 'unknown_action', `unknown action "${String(a.type)}" (tap, input, focus, blur, confirm, back, foreign, modal, actionSheet, tab)`);
    }
  };

  /**
   * Only the preview page itself may drive the app: a request must name this machine as its host (no DNS rebinding)
   * and not come from another site; actions must be JSON (another site's form cannot send that without asking).
   */
  const refusal = (req: http.IncomingMessage): HttpError | undefined => {
    if (!/^(127\.0\.0\.1|localhost)(:\d+)?$/.test(String(req.headers.host ?? ''))) {
      return new HttpError(403, 'bad_host', 'the preview answers only requests to 127.0.0.1 or localhost');
    }
    if (req.headers['sec-fetch-site'] === 'cross-site') return new HttpError(403, 'cross_site', 'the preview is driven from its own page only');
    if (req.method === 'POST' && !/^application\/json\b/.test(String(req.headers['content-type'] ?? ''))) {
      return new HttpError(415, 'not_json', 'send the action as application/json');
    }
    return undefined;
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://preview');
    const send = (status: number, type: string, body: string | Buffer) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    const fail = (err: unknown) => {
      const e = err instanceof HttpError ? err : new HttpError(500, 'internal', (err as Error)?.message ?? String(err));
      if (e.status >= 500) log(`preview: ${e.message}`);
      send(e.status, 'application/json', JSON.stringify({ error: { code: e.code, message: e.message } }));
    };
    const refused = refusal(req);
    if (refused) return fail(refused);
    if (req.method === 'GET' && url.pathname === '/') return send(200, 'text/html; charset=utf-8', screen.document('preview', title));
    if (req.method === 'GET' && url.pathname.startsWith('/files/')) {
      const file = screen.file(url.pathname.slice('/files/'.length));
      return file ? send(200, file.type, file.body) : send(404, 'text/plain', 'not found');
    }
    if (req.method === 'GET' && url.pathname === '/events') {
      const session = url.searchParams.get('session') ?? '';
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write(': phone\n\n');
      let unsubscribe: (() => void) | undefined;
      let closed = false;
      const write = (text: string) => {
        if (!closed && !res.writableEnded && !res.destroyed) res.write(text);
      };
      const heartbeat = setInterval(() => write(': keep-alive\n\n'), 15000);
      heartbeat.unref();
      const end = () => {
        if (closed) return;
        closed = true;
        clearInterval(heartbeat);
        streams.delete(res);
        unsubscribe?.();
      };
      streams.set(res, end);
      req.on('close', end);
      res.on('error', end);
      // a page load is a new session: the app starts again for it; an EventSource reconnect is not
      const fresh = !sessions.includes(session);
      if (fresh) {
        sessions.push(session);
        if (sessions.length > 100) sessions.shift();
      }
      void (fresh ? relaunch() : relaunching).then(() => {
        if (!closed) unsubscribe = screen.subscribe({ send: (messages: PhoneMessage[]) => write(`data: ${JSON.stringify(messages)}\n\n`) });
      });
      return undefined;
    }
    if (req.method === 'POST' && url.pathname === '/action') {
      readJson(req)
        .then((a) => relaunching.then(() => act(a)))
        .then(() => send(200, 'application/json', '{"ok":true}'), fail);
      return undefined;
    }
    if (req.method === 'POST' && url.pathname === '/relaunch') {
      readJson(req)
        .then(() => relaunch())
        .then(() => send(200, 'application/json', '{"ok":true}'), fail);
      return undefined;
    }
    if (req.method === 'GET' && url.pathname === '/healthz') return send(200, 'application/json', '{"ok":true}');
    if (req.method === 'GET' && url.pathname === '/favicon.ico') return send(204, 'image/x-icon', '');
    return send(404, 'application/json', JSON.stringify({ error: { code: 'not_found', message: `no preview route ${req.method} ${url.pathname}` } }));
  });

  const port = options.port ?? previewPort();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actual = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${actual}/`,
    port: actual,
    watched: () => streams.size > 0,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        for (const [res, end] of [...streams]) {
          end();
          res.end();
        }
        server.close(() => resolve());
        server.closeAllConnections?.();
      });
      return closing;
    },
  };
}
