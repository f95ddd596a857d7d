// The `wx` surface as miniprogram-api-typings declares it (typings-catalog.json, written by `npm run sim:conformance` from
// the installed typings): every function's kind, the base library that brought it, and the shape of the objects the
// factories return. The runtime reads it to give every declared function a body, to answer canIUse, and to tell
// sync from async calls.
import { SDK_VERSION } from '../types';

export type WxKind = 'async' | 'sync' | 'listener' | 'factory' | 'object';

export interface WxEntry {
  kind: WxKind;
  /** an async API that returns a promise when no success/fail/complete is given */
  promise?: boolean;
  /** the base library version that introduced it, when the typings say */
  since?: string;
  /** for factories and objects: the interface of what it returns (a key of `objects`) */
  returns?: string;
}

export interface ObjectShape {
  methods: Record<string, { returns?: string; async?: boolean }>;
  properties: string[];
}

export interface WxCatalog {
  typingsVersion: string;
  functions: Record<string, WxEntry>;
  objects: Record<string, ObjectShape>;
}

// required, not imported: esbuild-register (cli.js) and swc disagree on a JSON module's default export
export const CATALOG: WxCatalog = require('./typings-catalog.json');

export function wxEntry(name: string): WxEntry | undefined {
  return Object.prototype.hasOwnProperty.call(CATALOG.functions, name) ? CATALOG.functions[name] : undefined;
}

/** Sync as far as a caller is concerned: returns its result (or throws) instead of answering through callbacks. */
export function isSyncApi(name: string): boolean {
  const entry = wxEntry(name);
  if (entry) return entry.kind !== 'async';
  return name.endsWith('Sync') || /^(on|off|create|get\w*Manager$)[A-Z]?/.test(name);
}

/** -1, 0 or 1 as version a is lower, equal or higher than b ("2.10.0" > "2.9.3"). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] || 0) - (pb[i] || 0);
    if (d) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** Whether a base library of `sdkVersion` has the API (as canIUse answers it). */
export function availableIn(name: string, sdkVersion = SDK_VERSION): boolean {
  const entry = wxEntry(name);
  return !!entry && (!entry.since || compareVersions(entry.since, sdkVersion) <= 0);
}
