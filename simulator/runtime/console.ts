// What DevTools' console shows: the app's console calls, and the errors its code throws. Both reach the automator
// client as events (App.logAdded once a test listens for `console`, App.exceptionThrown always) and the simulator's
// log; an error also reaches the app's own wx.onError listeners and App.onError, as in WeChat.
import type { AppInstance } from './app-instance';

export interface ExceptionRecord {
  message: string;
  stack: string;
}

/** Where a report goes: the simulation's event stream and log. */
export interface ReportSink {
  emitEvent(method: string, params: Record<string, unknown>): void;
  log(line: string): void;
  readonly logEnabled: boolean;
  readonly verbose: boolean;
}

export function isErrorLike(v: unknown): v is Error {
  return !!v && typeof v === 'object' && typeof (v as Error).message === 'string' && typeof (v as Error).stack === 'string';
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

function serializeArg(v: unknown): unknown {
  if (isErrorLike(v)) return `${v.name}: ${v.message}`;
  if (typeof v === 'function') return `[Function ${(v as { name?: string }).name || 'anonymous'}]`;
  if (v === undefined) return 'undefined';
  try {
    return JSON.parse(JSON.stringify(v));
  } catch {
    return String(v);
  }
}

/** The `console` the app's code sees. */
export function makeConsole(sink: ReportSink): Record<string, (...a: unknown[]) => void> {
  const out: Record<string, (...a: unknown[]) => void> = {};
  for (const type of ['log', 'info', 'warn', 'error', 'debug']) {
    out[type] = (...args: unknown[]) => {
      if (sink.verbose) sink.log(`[app ${type}] ${args.map((a) => (typeof a === 'string' ? a : safeJson(a))).join(' ')}`);
      if (sink.logEnabled) sink.emitEvent('App.logAdded', { type, args: args.map(serializeArg) });
    };
  }
  out.table = out.log;
  out.trace = out.debug;
  out.group = out.groupEnd = out.time = out.timeEnd = () => undefined;
  return out;
}

export function describeError(err: unknown): ExceptionRecord {
  const e = isErrorLike(err) ? err : undefined;
  const message = e
    ? e.message
    : typeof err === 'object' && err && 'errMsg' in err ? String((err as { errMsg: unknown }).errMsg) : String(err);
  return { message, stack: e?.stack ?? message };
}

let reporting = false;

/**
 * An error the app threw (or a promise it returned rejected with) in `where`: recorded, logged, sent to the client
 * as App.exceptionThrown and as a console error, and handed to wx.onError listeners and App.onError. The app keeps
 * running.
 */
export function reportException(sink: ReportSink, record: ExceptionRecord[], err: unknown, where: string, app?: AppInstance): void {
  const { message, stack } = describeError(err);
  record.push({ message, stack });
  sink.log(`app error in ${where}: ${stack}`);
  sink.emitEvent('App.exceptionThrown', { message, stack });
  if (sink.logEnabled) sink.emitEvent('App.logAdded', { type: 'error', args: [`${where}: ${stack}`] });
  // an onError that throws is not reported again (that would loop)
  if (reporting || !app || !app.alive) return;
  reporting = true;
  try {
    for (const l of [...app.listeners.error]) {
      try {
        l(stack);
      } catch {
        /* see above */
      }
    }
    const onError = app.appDef?.onError;
    if (typeof onError === 'function') {
      try {
        onError.call(app.appDef, stack);
      } catch {
        /* see above */
      }
    }
  } finally {
    reporting = false;
  }
}
