// Every protocol method the simulator answers, with its params and result, in one map. The dispatcher's domain
// modules are typed against it (a handler that answers the wrong shape fails tsc) and so are the tests' calls.
// The method list is the miniprogram-automator 0.12 client's (read from its source), plus the simulator's own Sim
// domain.
import type { EnterOptions, ShowRequest } from '../runtime/types';
import type { ExceptionRecord } from '../runtime/console';
import type { JumpRecord } from '../runtime/jump';
import type { RequestRecord, UiEvent } from '../runtime/simulation';
import type { RenderMode } from '../render/renderer';

type Empty = Record<string, never>;
type Done = Record<string, never>;

export interface PageRef {
  pageId: number;
  path: string;
  query: Record<string, string>;
}

export interface ElementRef {
  elementId: string;
  /** lower case, as DevTools reports it */
  tagName: string;
  /** present for custom components: the client makes a CustomElement (data, setData, callMethod) */
  nodeId?: string;
}

/** What every Element.* call carries (the client adds them). */
export interface ElementTarget {
  elementId: string;
  pageId: number;
  nodeId?: string;
}

export interface Touch {
  identifier?: number;
  pageX?: number;
  pageY?: number;
  clientX?: number;
  clientY?: number;
}

interface M<P, R> {
  params: P;
  result: R;
}

export interface ProtocolMethods {
  // ---- Tool: what DevTools itself answers
  'Tool.getInfo': M<Empty, { SDKVersion: string; version: string; headless: boolean; render: RenderMode }>;
  'Tool.close': M<Empty, Done>;
  'Tool.native': M<{ method?: string; data?: { url?: string } }, Done | { confirm: boolean } | { answered: boolean }>;
  'Tool.getTestAccounts': M<Empty, { accounts: unknown[] }>;
  'Tool.enableRemoteDebug': M<{ auto?: boolean }, never>;
  'Tool.startAudits': M<Empty, never>;
  'Tool.stopAudits': M<{ path?: string }, never>;
  'Tool.getTicket': M<Empty, never>;
  'Tool.setTicket': M<{ ticket?: string }, Done>;
  'Tool.refreshTicket': M<Empty, Done>;

  // ---- App
  'App.getCurrentPage': M<Empty, PageRef>;
  'App.getPageStack': M<Empty, { pageStack: PageRef[] }>;
  'App.callWxMethod': M<{ method: string; args?: unknown[]; pluginId?: string }, { result: unknown }>;
  'App.mockWxMethod': M<{ method: string; result?: unknown; functionDeclaration?: string; args?: unknown[]; pluginId?: string }, Done>;
  'App.callFunction': M<{ functionDeclaration: string; args?: unknown[] }, { result: unknown }>;
  'App.enableLog': M<Empty, Done>;
  'App.addBinding': M<{ name: string }, Done>;
  'App.exit': M<Empty, Done>;
  'App.captureScreenshot': M<Empty, { data: string }>;

  // ---- Page (the client adds pageId)
  'Page.getElement': M<{ pageId: number; selector: string }, ElementRef>;
  'Page.getElements': M<{ pageId: number; selector: string }, { elements: ElementRef[] }>;
  'Page.getElementByXpath': M<{ pageId: number; selector: string }, never>;
  'Page.getElementsByXpath': M<{ pageId: number; selector: string }, never>;
  'Page.getData': M<{ pageId: number; path?: string }, { data: unknown }>;
  'Page.setData': M<{ pageId: number; data: Record<string, unknown> }, Done>;
  'Page.callMethod': M<{ pageId: number; method: string; args?: unknown[] }, { result: unknown }>;
  'Page.getWindowProperties': M<{ pageId: number; names: string[] }, { properties: unknown[] }>;

  // ---- Element (the client adds elementId, pageId, nodeId)
  'Element.getElement': M<ElementTarget & { selector: string }, ElementRef>;
  'Element.getElements': M<ElementTarget & { selector: string }, { elements: ElementRef[] }>;
  'Element.getDOMProperties': M<ElementTarget & { names: string[] }, { properties: unknown[] }>;
  'Element.getProperties': M<ElementTarget & { names: string[] }, { properties: unknown[] }>;
  'Element.getAttributes': M<ElementTarget & { names: string[] }, { attributes: unknown[] }>;
  'Element.getStyles': M<ElementTarget & { names: string[] }, { styles: string[] }>;
  'Element.getOffset': M<ElementTarget, { left: number; top: number }>;
  'Element.getWXML': M<ElementTarget & { type: 'inner' | 'outer' }, { wxml: string }>;
  'Element.tap': M<ElementTarget, Done>;
  'Element.touchstart': M<ElementTarget & { touches?: Touch[]; changedTouches?: Touch[] }, Done>;
  'Element.touchmove': M<ElementTarget & { touches?: Touch[]; changedTouches?: Touch[] }, Done>;
  'Element.touchend': M<ElementTarget & { touches?: Touch[]; changedTouches?: Touch[] }, Done>;
  'Element.triggerEvent': M<ElementTarget & { type: string; detail?: unknown }, Done>;
  'Element.dispatchEvent': M<ElementTarget & { eventName?: string; type?: string; eventData?: { detail?: unknown }; detail?: unknown }, Done>;
  'Element.callFunction': M<ElementTarget & { functionName: string; args?: unknown[] }, { result?: unknown }>;
  'Element.getData': M<ElementTarget & { path?: string }, { data: unknown }>;
  'Element.setData': M<ElementTarget & { data: Record<string, unknown> }, Done>;
  'Element.callMethod': M<ElementTarget & { method: string; args?: unknown[] }, { result: unknown }>;
  'Element.callContextMethod': M<ElementTarget & { method: string; args?: unknown[] }, never>;

  // ---- Sim: what only a phone does (also the __sim global)
  'Sim.appHide': M<Empty, { visible: boolean }>;
  'Sim.appShow': M<ShowRequest, { enterOptions: EnterOptions }>;
  'Sim.restart': M<ShowRequest, { pageId: number; path: string }>;
  'Sim.setNetwork': M<{ online?: boolean }, { online: boolean }>;
  'Sim.idle': M<Empty, Done>;
  'Sim.getUi': M<Empty, { events: UiEvent[]; modal: Record<string, unknown> | null; actionSheet: Record<string, unknown> | null }>;
  'Sim.answerModal': M<{ confirm?: boolean }, { confirm: boolean }>;
  'Sim.answerActionSheet': M<{ tapIndex?: number | null }, { tapIndex: number | null }>;
  'Sim.getJumps': M<Empty, { jumps: JumpRecord[] }>;
  'Sim.getRequests': M<Empty, { requests: RequestRecord[] }>;
  'Sim.getStorage': M<Empty, { storage: Record<string, unknown> }>;
  'Sim.getExceptions': M<Empty, { exceptions: ExceptionRecord[] }>;
  // the device (runtime/wx/controls.ts)
  'Sim.setTheme': M<{ theme: 'light' | 'dark' }, { theme: 'light' | 'dark' }>;
  'Sim.setAuthSetting': M<{ authSetting: Record<string, boolean | null> }, { authSetting: Record<string, boolean> }>;
  'Sim.answerAuthorize': M<{ allow?: boolean }, { answered: boolean }>;
  'Sim.answerPayment': M<{ paid?: boolean }, { answered: boolean }>;
  'Sim.getDialogs': M<Empty, { dialogs: { kind: 'authorize' | 'payment'; options: Record<string, unknown> }[] }>;
  'Sim.setUpdate': M<{ hasUpdate?: boolean; ready?: boolean }, { hasUpdate: boolean; ready: boolean }>;
  'Sim.getWindow': M<Empty, { window: Record<string, unknown> }>;
  'Sim.getPages': M<Empty, { pages: string[]; entryPage: string; tabPages: string[]; missingPages: Record<string, string> }>;
  'Sim.setLocation': M<{ latitude?: number; longitude?: number }, Record<string, number>>;
}

export type MethodName = keyof ProtocolMethods;
export type ParamsOf<K extends MethodName> = ProtocolMethods[K]['params'];
export type ResultOf<K extends MethodName> = ProtocolMethods[K]['result'];
export type DomainName = MethodName extends `${infer D}.${string}` ? D : never;

/** Events the simulator sends (no id). */
export interface ProtocolEvents {
  'App.logAdded': { type: string; args: unknown[] };
  'App.exceptionThrown': ExceptionRecord;
  'App.bindingCalled': { name: string; args: unknown[] };
}
