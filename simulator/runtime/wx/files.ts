// Files: the phone's file system as a mini program sees it — the code package (read-only, paths from the root),
// temporary files (http://tmp/...), the user data folder (wx.env.USER_DATA_PATH, http://usr/...) and saved files
// (http://store/...), kept in memory for the device (they survive a cold restart, like storage). wx.downloadFile and
// wx.uploadFile move real bytes over HTTP; getFileSystemManager() reads and writes this file system.
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import crypto from 'node:crypto';
import type { Simulation } from '../simulation';
import { fail } from '../errors';
import { NOT_SUPPORTED, isCallable, settle, softObject, type Impl, type WxDefinitions, type WxHost, type WxOptions } from './core';

interface FileEntry {
  data: Buffer;
  mtime: number;
}

interface FileSystem {
  files: Map<string, FileEntry>;
  dirs: Set<string>;
}

const ROOTS = ['http://tmp', 'http://usr', 'http://store', 'wxfile://tmp', 'wxfile://usr', 'wxfile://store'];
const systems = new WeakMap<Simulation, FileSystem>();

function fsOf(sim: Simulation): FileSystem {
  let s = systems.get(sim);
  if (!s) systems.set(sim, (s = { files: new Map(), dirs: new Set(ROOTS) }));
  return s;
}

/** wxfile:// and http:// spellings of the same place are one place; no trailing slash. */
function norm(p: unknown): string {
  if (typeof p !== 'string' || !p) fail('invalid path');
  const s = (p as string).replace(/^wxfile:\/\//, 'http://');
  const [scheme, rest] = s.startsWith('http://') ? ['http://', s.slice(7)] : ['', s];
  const clean = path.posix.normalize(rest).replace(/\/$/, '');
  return scheme + clean;
}

function isVirtual(p: string): boolean {
  return p.startsWith('http://tmp') || p.startsWith('http://usr') || p.startsWith('http://store');
}

function toBuffer(data: unknown, encoding?: unknown): Buffer {
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(String(data ?? ''), (encoding as BufferEncoding) || 'utf8');
}

function fromBuffer(buf: Buffer, encoding?: unknown): string | ArrayBuffer {
  if (encoding) return buf.toString((encoding === 'utf-8' ? 'utf8' : encoding) as BufferEncoding);
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}

function extOf(url: string, contentType?: string): string {
  const fromUrl = /\.(\w{1,5})(?:$|\?)/.exec(new URL(url).pathname)?.[1];
  if (fromUrl) return fromUrl;
  const byType: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/gif': 'gif', 'application/json': 'json', 'text/plain': 'txt', 'application/pdf': 'pdf' };
  return byType[(contentType ?? '').split(';')[0]] ?? 'bin';
}

/**
 * The file system API, shared by wx.getFileSystemManager() and the file-taking wx functions. Paths are what app code
 * passed (norm() refuses one that is not a non-empty string).
 */
export class Files {
  constructor(private readonly sim: Simulation) {}

  private get store() {
    return fsOf(this.sim);
  }

  /** A code package path ("images/a.png", "/images/a.png") on disk, if it is one. */
  private packageFile(p: string): string | undefined {
    if (isVirtual(p) || p.startsWith('http://')) return undefined;
    const file = path.join(this.sim.project.root, p.replace(/^\//, ''));
    return file.startsWith(this.sim.project.root) ? file : undefined;
  }

  exists(p: unknown): boolean {
    const n = norm(p);
    if (this.store.files.has(n) || this.store.dirs.has(n)) return true;
    const file = this.packageFile(n);
    return !!file && fs.existsSync(file);
  }

  read(p: unknown): Buffer {
    const n = norm(p);
    const entry = this.store.files.get(n);
    if (entry) return entry.data;
    const file = this.packageFile(n);
    if (file && fs.existsSync(file) && fs.statSync(file).isFile()) return fs.readFileSync(file);
    fail(`no such file or directory, open ${p}`);
  }

  write(p: unknown, data: Buffer, append = false): void {
    const n = norm(p);
    if (!isVirtual(n)) fail(`permission denied, open ${p}`);
    if (!this.store.dirs.has(`http://${path.posix.dirname(n.slice(7))}`)) fail(`no such file or directory, open ${p}`);
    const old = append ? this.store.files.get(n)?.data : undefined;
    this.store.files.set(n, { data: old ? Buffer.concat([old, data]) : data, mtime: Math.floor(Date.now() / 1000) });
  }

  tempPath(ext: string): string {
    return `http://tmp/${crypto.randomBytes(12).toString('hex')}.${ext}`;
  }

  unlink(p: unknown): void {
    if (!this.store.files.delete(norm(p))) fail(`no such file or directory, unlink ${p}`);
  }

  mkdir(p: unknown, recursive: boolean): void {
    const n = norm(p);
    if (!isVirtual(n)) fail(`permission denied, mkdir ${p}`);
    if (this.store.dirs.has(n)) fail(`file already exists ${p}`);
    const parent = `http://${path.posix.dirname(n.slice(7))}`;
    if (!this.store.dirs.has(parent)) {
      if (!recursive) fail(`no such file or directory ${p}`);
      this.mkdir(parent, true);
    }
    this.store.dirs.add(n);
  }

  rmdir(p: unknown, recursive: boolean): void {
    const n = norm(p);
    if (!this.store.dirs.has(n)) fail(`no such file or directory ${p}`);
    const inside = (k: string) => k.startsWith(`${n}/`);
    const children = [...this.store.files.keys(), ...this.store.dirs].filter(inside);
    if (children.length && !recursive) fail(`directory not empty ${p}`);
    for (const k of children) {
      this.store.files.delete(k);
      this.store.dirs.delete(k);
    }
    this.store.dirs.delete(n);
  }

  readdir(p: unknown): string[] {
    const n = norm(p);
    const file = this.packageFile(n);
    if (file && fs.existsSync(file) && fs.statSync(file).isDirectory()) return fs.readdirSync(file);
    if (!this.store.dirs.has(n)) fail(`no such file or directory ${p}`);
    const names = new Set<string>();
    for (const k of [...this.store.files.keys(), ...this.store.dirs]) if (k.startsWith(`${n}/`)) names.add(k.slice(n.length + 1).split('/')[0]);
    return [...names];
  }

  stat(p: unknown) {
    const n = norm(p);
    const entry = this.store.files.get(n);
    const dir = this.store.dirs.has(n);
    const file = this.packageFile(n);
    const disk = file && fs.existsSync(file) ? fs.statSync(file) : undefined;
    if (!entry && !dir && !disk) fail(`no such file or directory ${p}`);
    const isDir = dir || !!disk?.isDirectory();
    const size = entry?.data.length ?? (disk && !isDir ? disk.size : 0);
    const mtime = entry?.mtime ?? Math.floor((disk?.mtimeMs ?? Date.now()) / 1000);
    return { mode: isDir ? 0o40777 : 0o100666, size, lastAccessedTime: mtime, lastModifiedTime: mtime, isDirectory: () => isDir, isFile: () => !isDir };
  }

  rename(from: unknown, to: unknown): void {
    const data = this.read(from);
    this.write(to, data);
    this.store.files.delete(norm(from));
  }

  savedList() {
    return [...this.store.files].filter(([k]) => k.startsWith('http://store/')).map(([filePath, e]) => ({ filePath, size: e.data.length, createTime: e.mtime }));
  }
}

/** One HTTP exchange for downloadFile/uploadFile: the body, the status and headers, or a failure. */
function exchange(app: WxHost, url: string, init: { method: string; headers: Record<string, string>; body?: Buffer; timeoutMs: number }, task: { aborted: boolean; abort?: () => void; headersListeners: ((r: unknown) => void)[]; progressListeners: ((r: unknown) => void)[] }) {
  return new Promise<{ status: number; headers: Record<string, string>; body: Buffer }>((resolve, reject) => {
    let u: URL;
    try {
      u = new URL(url);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
    } catch {
      reject(new Error(`invalid url "${url}"`));
      return;
    }
    if (!app.sim.online) {
      reject(new Error('-106:net::ERR_INTERNET_DISCONNECTED (the simulator is offline: __sim.setNetwork({online: true}))'));
      return;
    }
    const lib = u.protocol === 'https:' ? https : http;
    const handle = { abort: () => req.destroy(new Error('abort')) };
    const req = lib.request(u, { method: init.method, headers: init.headers, agent: u.protocol === 'https:' ? app.sim.httpsAgent : app.sim.httpAgent }, (res) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(',') : v;
      for (const l of task.headersListeners) app.guard(() => l({ header: headers }), 'onHeadersReceived');
      const total = Number(res.headers['content-length']) || 0;
      const chunks: Buffer[] = [];
      let got = 0;
      res.on('data', (c: Buffer) => {
        chunks.push(c);
        got += c.length;
        for (const l of task.progressListeners) app.guard(() => l({ progress: total ? Math.round((got / total) * 100) : 0, totalBytesWritten: got, totalBytesExpectedToWrite: total }), 'onProgressUpdate');
      });
      res.on('end', () => {
        clearTimeout(timer);
        app.requests.delete(handle);
        resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks) });
      });
      res.on('error', reject);
    });
    const timer = setTimeout(() => req.destroy(new Error('timeout')), init.timeoutMs);
    task.abort = () => req.destroy(new Error('abort'));
    if (task.aborted) req.destroy(new Error('abort'));
    app.requests.add(handle);
    req.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      app.requests.delete(handle);
      reject(new Error(err.message === 'abort' || err.message === 'timeout' ? err.message : `${err.code ? `${err.code} ` : ''}${err.message}`));
    });
    if (init.body) req.write(init.body);
    req.end();
  });
}

function transferTask() {
  const state = { aborted: false, abort: undefined as undefined | (() => void), headersListeners: [] as ((r: unknown) => void)[], progressListeners: [] as ((r: unknown) => void)[] };
  const task = {
    abort: () => {
      state.aborted = true;
      state.abort?.();
    },
    onHeadersReceived: (fn: unknown) => void (isCallable(fn) && state.headersListeners.push(fn)),
    offHeadersReceived: (fn?: unknown) => void (fn ? state.headersListeners.splice(state.headersListeners.indexOf(fn as Impl) >>> 0, 1) : (state.headersListeners.length = 0)),
    onProgressUpdate: (fn: unknown) => void (isCallable(fn) && state.progressListeners.push(fn)),
    offProgressUpdate: (fn?: unknown) => void (fn ? state.progressListeners.splice(state.progressListeners.indexOf(fn as Impl) >>> 0, 1) : (state.progressListeners.length = 0)),
  };
  return { state, task };
}

function multipart(fields: Record<string, unknown>, fileField: string, fileName: string, data: Buffer): { body: Buffer; contentType: string } {
  const boundary = `----simulator${crypto.randomBytes(8).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields ?? {})) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${typeof v === 'object' ? JSON.stringify(v) : String(v)}\r\n`));
  }
  parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${fileField}"; filename="${fileName}"\r\nContent-Type: application/octet-stream\r\n\r\n`), data, Buffer.from(`\r\n--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** The FileSystemManager: each method in its async (callbacks) and Sync forms, errMsg as WeChat words them. */
function fileSystemManager(app: WxHost, files: Files): Record<string, unknown> {
  const m: Record<string, unknown> = softObject(app, 'getFileSystemManager', 'FileSystemManager');
  const both = (name: string, fn: (o: WxOptions) => unknown, syncArgs: (...a: unknown[]) => WxOptions) => {
    m[name] = (o: WxOptions = {}) => settle(app, name, o, () => fn(o), { promise: false });
    m[`${name}Sync`] = (...a: unknown[]) => {
      try {
        return fn(syncArgs(...a));
      } catch (err) {
        throw new Error(`${name}Sync:fail ${(err as { errMsg?: string }).errMsg ?? (err as Error).message}`);
      }
    };
  };
  both('access', (o) => {
    if (!files.exists(o.path)) fail(`no such file or directory ${o.path}`);
    return {};
  }, (p) => ({ path: p }));
  both('readFile', (o) => {
    let buf = files.read(o.filePath);
    if (o.position !== undefined || o.length !== undefined) buf = buf.subarray(Number(o.position) || 0, o.length !== undefined ? (Number(o.position) || 0) + Number(o.length) : undefined);
    return { data: fromBuffer(buf, o.encoding) };
  }, (filePath, encoding, position, length) => ({ filePath, encoding, position, length }));
  both('writeFile', (o) => void files.write(o.filePath, toBuffer(o.data, o.encoding)), (filePath, data, encoding) => ({ filePath, data, encoding }));
  both('appendFile', (o) => void files.write(o.filePath, toBuffer(o.data, o.encoding), true), (filePath, data, encoding) => ({ filePath, data, encoding }));
  both('copyFile', (o) => void files.write(o.destPath, files.read(o.srcPath)), (srcPath, destPath) => ({ srcPath, destPath }));
  both('rename', (o) => void files.rename(o.oldPath, o.newPath), (oldPath, newPath) => ({ oldPath, newPath }));
  both('unlink', (o) => void files.unlink(o.filePath), (filePath) => ({ filePath }));
  both('mkdir', (o) => void files.mkdir(o.dirPath, !!o.recursive), (dirPath, recursive) => ({ dirPath, recursive }));
  both('rmdir', (o) => void files.rmdir(o.dirPath, !!o.recursive), (dirPath, recursive) => ({ dirPath, recursive }));
  both('readdir', (o) => ({ files: files.readdir(o.dirPath) }), (dirPath) => ({ dirPath }));
  both('stat', (o) => ({ stats: files.stat(o.path) }), (p) => ({ path: p }));
  both('truncate', (o) => void files.write(o.filePath, files.read(o.filePath).subarray(0, Number(o.length) || 0)), (filePath, length) => ({ filePath, length }));
  both('saveFile', (o) => {
    const target = o.filePath ?? `http://store/${path.posix.basename(norm(o.tempFilePath))}`;
    files.write(target, files.read(o.tempFilePath));
    return { savedFilePath: target };
  }, (tempFilePath, filePath) => ({ tempFilePath, filePath }));
  // the Sync forms return the value itself, not {data}/{stats}/...
  for (const [name, key] of [['readFile', 'data'], ['readdir', 'files'], ['stat', 'stats'], ['saveFile', 'savedFilePath']] as const) {
    const sync = m[`${name}Sync`] as (...a: unknown[]) => Record<string, unknown>;
    m[`${name}Sync`] = (...a: unknown[]) => sync(...a)[key];
  }
  m.accessSync = ((f) => (...a: unknown[]) => void f(...a))(m.accessSync as (...a: unknown[]) => unknown);
  m.getFileInfo = (o: WxOptions = {}) => settle(app, 'getFileInfo', o, () => {
    const buf = files.read(o.filePath);
    return { size: buf.length, digest: crypto.createHash(o.digestAlgorithm === 'sha1' ? 'sha1' : 'md5').update(buf).digest('hex') };
  }, { promise: false });
  m.getSavedFileList = (o: WxOptions = {}) => settle(app, 'getSavedFileList', o, () => ({ fileList: files.savedList() }), { promise: false });
  m.removeSavedFile = (o: WxOptions = {}) => settle(app, 'removeSavedFile', o, () => void files.unlink(o.filePath), { promise: false });
  for (const name of ['unzip', 'readZipEntry', 'readCompressedFile', 'open', 'read', 'write', 'close', 'fstat', 'ftruncate']) {
    m[name] = (o: WxOptions = {}) => settle(app, name, o, () => fail(NOT_SUPPORTED), { promise: false });
    m[`${name}Sync`] = () => {
      throw new Error(`${name}Sync:fail ${NOT_SUPPORTED}`);
    };
  }
  return m;
}

export function defineFiles(d: WxDefinitions): void {
  const app = d.app;
  const sim = app.sim;
  const files = new Files(sim);
  const timeout = (o: WxOptions, kind: 'downloadFile' | 'uploadFile') => Number(o.timeout) > 0 ? Number(o.timeout) : sim.project.appJson.networkTimeout?.[kind] ?? 60000;
  let manager: Record<string, unknown> | undefined;
  d.sync('getFileSystemManager', 'supported', () => (manager ??= fileSystemManager(app, files)), 'code package files (read-only), http://tmp, http://usr (USER_DATA_PATH) and saved files, in memory and kept across restarts; access/readFile/writeFile/appendFile/copyFile/rename/unlink/mkdir/rmdir/readdir/stat/truncate/saveFile/getFileInfo/getSavedFileList/removeSavedFile (+Sync); zip and file descriptors fail');

  d.raw('downloadFile', 'supported', (opts?: WxOptions) => {
    const o = opts ?? {};
    const { state, task } = transferTask();
    sim.requestLog.push({ method: 'GET', url: String(o.url), at: Date.now() });
    return settle(app, 'downloadFile', o, async () => {
      await Promise.resolve();
      if (state.aborted) fail('abort');
      let res;
      try {
        res = await exchange(app, String(o.url), { method: 'GET', headers: { ...((o.header ?? {}) as Record<string, string>) }, timeoutMs: timeout(o, 'downloadFile') }, state);
      } catch (err) {
        fail((err as Error).message);
      }
      const target = o.filePath ? String(o.filePath) : files.tempPath(extOf(String(o.url), res.headers['content-type']));
      files.write(target, res.body);
      return o.filePath ? { filePath: target, statusCode: res.status, dataLength: res.body.length } : { tempFilePath: target, statusCode: res.status, dataLength: res.body.length };
    }, { task });
  }, 'real HTTP into the simulated file system (tempFilePath http://tmp/..., or filePath); DownloadTask abort/onProgressUpdate/onHeadersReceived');

  d.raw('uploadFile', 'supported', (opts?: WxOptions) => {
    const o = opts ?? {};
    const { state, task } = transferTask();
    sim.requestLog.push({ method: 'POST', url: String(o.url), at: Date.now() });
    return settle(app, 'uploadFile', o, async () => {
      await Promise.resolve();
      if (state.aborted) fail('abort');
      const data = files.read(o.filePath);
      const { body, contentType } = multipart((o.formData ?? {}) as Record<string, unknown>, String(o.name ?? 'file'), path.posix.basename(String(o.filePath)), data);
      let res;
      try {
        res = await exchange(app, String(o.url), { method: 'POST', headers: { ...((o.header ?? {}) as Record<string, string>), 'content-type': contentType, 'content-length': String(body.length) }, body, timeoutMs: timeout(o, 'uploadFile') }, state);
      } catch (err) {
        fail((err as Error).message);
      }
      return { data: res.body.toString('utf8'), statusCode: res.status };
    }, { task });
  }, 'real multipart/form-data POST of a file from the simulated file system');

  d.async('getImageInfo', 'stubbed', (o) => {
    if (!files.exists(String(o.src))) fail('file not found');
    return { width: 0, height: 0, path: String(o.src), orientation: 'up', type: extOf(`http://x/${path.posix.basename(String(o.src))}`) };
  }, 'the file must exist; width and height answer 0 (images are not decoded)');
}
