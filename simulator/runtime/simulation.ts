// The phone: one mini program process (AppInstance) at a time, plus what outlives it on a real device —
// storage, network state, the user's answers to dialogs, the screen (the renderer) — and the test-facing controls
// (the __sim global and the protocol's Sim domain).
//
// Where the rest lives: app-instance.ts (one launch: modules, App, lifecycle), router.ts (page stack), components.ts
// (Page/Component definitions, usingComponents), input.ts (taps, navigators), jump.ts (other mini programs),
// console.ts (console and exception reports), wx-api.ts (the wx object).
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { Project } from './project';
import { AppInstance } from './app-instance';
import { parseQuery, type PageInstance } from './router';
import { makeConsole, reportException, type ExceptionRecord, type ReportSink } from './console';
import type { JumpRecord } from './jump';
import type { Renderer } from '../render/renderer';
import { DEVICE, type Device } from './window';
import { deviceControls, type DeviceControls } from './wx/controls';
import type { EnterOptions, Log, MiniProgramHandler, ShowRequest } from './types';

export { AppInstance } from './app-instance';
export type { PageInstance } from './router';
export type { JumpRecord } from './jump';
export { parseQuery } from './router';
export { RouteError } from './errors';

export interface UiEvent {
  type: 'toast' | 'hideToast' | 'loading' | 'hideLoading' | 'modal' | 'actionSheet' | 'navigationBarTitle';
  options: Record<string, unknown>;
  at: number;
}

interface PendingModal {
  options: Record<string, unknown>;
  answer: (res: { confirm: boolean; cancel: boolean; content?: string }) => void;
}

interface PendingActionSheet {
  options: Record<string, unknown>;
  /** an item's index, or null for 取消 (or a tap on the mask) */
  answer: (tapIndex: number | null) => void;
}

/** A wx method replaced through App.mockWxMethod. */
export interface Mock {
  fn: (...args: unknown[]) => unknown;
  args: unknown[];
}

/** One wx.request as the app made it: what DevTools' Network panel would list. */
export interface RequestRecord {
  method: string;
  url: string;
  /** ms since the epoch when the app called wx.request */
  at: number;
}

/** The `__sim` global's functions (the same as the protocol's Sim domain). */
export interface SimControls extends DeviceControls {
  appHide(): { visible: boolean };
  appShow(req?: ShowRequest): EnterOptions;
  restart(req?: ShowRequest): Promise<{ pageId: number; path: string }>;
  setNetwork(req?: { online?: boolean }): { online: boolean };
  idle(): Promise<void>;
  ui(): UiEvent[];
  modal(): Record<string, unknown> | null;
  answerModal(confirm?: boolean): { confirm: boolean };
  actionSheet(): Record<string, unknown> | null;
  answerActionSheet(tapIndex?: number | null): { tapIndex: number | null };
  jumps(): JumpRecord[];
  requests(): RequestRecord[];
  storage(): Record<string, unknown>;
  exceptions(): ExceptionRecord[];
}

export interface SimulationOptions {
  project: Project;
  handlers: Record<string, MiniProgramHandler>;
  log: Log;
  renderer: Renderer;
  verbose?: boolean;
  /** the phone (default: DevTools' iPhone 6/7/8) */
  device?: Readonly<Device>;
}

function clone<T>(v: T): T {
  return v === undefined ? v : JSON.parse(JSON.stringify(v));
}

/** The device around the mini program. */
export class Simulation extends EventEmitter {
  readonly project: Project;
  readonly handlers: Record<string, MiniProgramHandler>;
  readonly renderer: Renderer;
  /** the simulated phone: screen, WeChat's bars, capsule (runtime/window.ts) */
  readonly device: Readonly<Device>;
  readonly storage = new Map<string, string>();
  readonly mocks = new Map<string, Mock>();
  readonly bindings = new Set<string>();
  /** exparser ids of the app's custom components (as opposed to builtins and pages) */
  readonly customIds = new Set<string>();
  readonly ui: UiEvent[] = [];
  readonly jumps: JumpRecord[] = [];
  readonly requestLog: RequestRecord[] = [];
  readonly exceptions: ExceptionRecord[] = [];
  readonly httpAgent = new http.Agent({ keepAlive: false });
  readonly httpsAgent = new https.Agent({ keepAlive: false });
  modal: PendingModal | undefined;
  actionSheet: PendingActionSheet | undefined;
  online = true;
  /** the client listens for console events (App.enableLog) */
  logEnabled = false;
  pendingJumps = 0;
  app!: AppInstance;
  readonly controls: SimControls;
  readonly verbose: boolean;
  private readonly writeLog: Log;
  private idleWaiters: (() => void)[] = [];

  constructor(options: SimulationOptions) {
    super();
    this.project = options.project;
    this.device = options.device ?? DEVICE;
    this.handlers = options.handlers;
    this.renderer = options.renderer;
    this.writeLog = options.log;
    this.verbose = !!options.verbose;
    this.controls = {
      appHide: () => this.appHide(),
      appShow: (req) => this.appShow(req ?? {}),
      restart: (req) => this.restart(req ?? {}),
      setNetwork: (req) => this.setNetwork(req ?? {}),
      idle: () => this.idle(),
      ui: () => clone(this.ui),
      modal: () => (this.modal ? clone(this.modal.options) : null),
      answerModal: (confirm) => this.answerModal(confirm !== false),
      actionSheet: () => (this.actionSheet ? clone(this.actionSheet.options) : null),
      answerActionSheet: (tapIndex) => this.answerActionSheet(tapIndex),
      jumps: () => clone(this.jumps),
      requests: () => clone(this.requestLog),
      storage: () => Object.fromEntries([...this.storage].map(([k, v]) => [k, JSON.parse(v)])),
      exceptions: () => clone(this.exceptions),
      ...deviceControls(this),
    };
  }

  /**
   * The simulator's own diagnostics (why a jump opened nothing, a handler that failed...): to the log, and to the
   * client's console events as a warning when it listens, like DevTools' own console lines.
   */
  readonly log: Log = (line) => {
    this.writeLog(line);
    if (this.logEnabled) this.emitEvent('App.logAdded', { type: 'warn', args: [`[simulator] ${line}`] });
  };

  emitEvent(method: string, params: Record<string, unknown>): void {
    this.emit('protocol-event', method, params);
  }

  /** One of the app's JSON files (a page's or component's .json), or undefined when missing or not an object. */
  readJsonIfExists(file: string): Record<string, unknown> | undefined {
    try {
      const json: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
      return json && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  }

  makeConsole(): Record<string, (...a: unknown[]) => void> {
    return makeConsole(this.sink());
  }

  reportException(err: unknown, where: string, app?: AppInstance): void {
    reportException(this.sink(), this.exceptions, err, where, app);
  }

  private sink(): ReportSink {
    const isLogEnabled = () => this.logEnabled;
    return {
      emitEvent: (method, params) => this.emitEvent(method, params),
      log: this.writeLog,
      verbose: this.verbose,
      get logEnabled() {
        return isLogEnabled();
      },
    };
  }

  // ---- lifecycle controls (Sim domain, __sim) -------------------------------------------------------------

  async start(options: ShowRequest = {}): Promise<void> {
    this.app = new AppInstance(this);
    const route = (options.path ?? this.project.entryPage).replace(/^\//, '');
    const [p, qs] = route.split('?');
    await this.app.launch({
      scene: options.scene ?? 1001,
      path: p,
      query: options.query ?? parseQuery(qs || ''),
      referrerInfo: options.referrerInfo ?? {},
    });
  }

  appHide(): { visible: boolean } {
    this.app.hide();
    return { visible: this.app.visible };
  }

  appShow(req: ShowRequest): EnterOptions {
    return this.app.show(req);
  }

  async restart(req: ShowRequest): Promise<{ pageId: number; path: string }> {
    this.app.destroy();
    this.modal = undefined;
    this.actionSheet = undefined;
    await this.start(req);
    const top = this.app.top()!;
    return { pageId: top.id, path: top.route };
  }

  setNetwork(req: { online?: boolean }): { online: boolean } {
    const online = req.online !== false;
    if (online !== this.online) {
      this.online = online;
      const res = { isConnected: online, networkType: online ? 'wifi' : 'none' };
      for (const l of [...this.app.listeners.networkStatusChange]) this.app.guard(() => l(res), 'onNetworkStatusChange');
    }
    return { online: this.online };
  }

  answerModal(confirm: boolean): { confirm: boolean } {
    if (!this.modal) throw new Error('no modal is showing (wx.showModal was not called, or was already answered)');
    const m = this.modal;
    this.modal = undefined;
    m.answer({ confirm, cancel: !confirm, ...(m.options.editable ? { content: '' } : {}) });
    return { confirm };
  }

  /** The user picks item `tapIndex` of the action sheet on screen, or (null / omitted) taps 取消. */
  answerActionSheet(tapIndex?: number | null): { tapIndex: number | null } {
    if (!this.actionSheet) throw new Error('no action sheet is showing (wx.showActionSheet was not called, or was already answered)');
    const items = this.actionSheet.options.itemList as unknown[];
    const index = tapIndex ?? null;
    if (index !== null && !(Number.isInteger(index) && index >= 0 && index < items.length)) {
      throw new Error(`tapIndex ${String(tapIndex)} is not an item of the action sheet (0 to ${items.length - 1}, or null for 取消)`);
    }
    const sheet = this.actionSheet;
    this.actionSheet = undefined;
    sheet.answer(index);
    return { tapIndex: index };
  }

  idle(): Promise<void> {
    if (this.pendingJumps === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  notifyIdle(): void {
    if (this.pendingJumps > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  close(): void {
    this.app?.destroy();
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
    this.notifyIdle();
  }

  findPage(pageId: unknown): PageInstance {
    // a tab page hidden by switchTab is off the stack but alive: its automator handle still reads and calls it
    const page = this.app.livePages().find((p) => p.id === Number(pageId));
    if (!page) throw new Error(`page ${String(pageId)} is not open any more (it was closed or the app restarted)`);
    return page;
  }

  isCustomComponent(node: { is?: string } | null | undefined): boolean {
    return !!node?.is && this.customIds.has(node.is);
  }
}
