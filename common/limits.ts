// Limits on what clients may hold of a service's sockets, shared by the backend and the sandbox.
// The figures and why: README.md, "Limits under abuse".

import fs from 'node:fs';

export interface ConnectionLimits {
  /**
   * The whole request, headers and body, must have arrived this long after it started (Node's requestTimeout): a
   * body trickling in a byte at a time is answered 408 and closed, and so is a connection that never sends a byte.
   * Waiting checks are not affected: their request has arrived, only the answer waits.
   */
  requestTimeoutMs: number;
  /** the headers must have arrived within this (Node's headersTimeout; at most requestTimeoutMs) */
  headersTimeoutMs: number;
  /** an idle keep-alive connection is closed after this */
  keepAliveTimeoutMs: number;
  /**
   * Connections above this are closed as they arrive, so that sockets cannot take the file descriptors the store and
   * the provider query need; 0 = no cap.
   */
  maxConnections: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  requestTimeoutMs: 10_000,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 0,
};

/** The soft open-files limit (`ulimit -n`) of this process, or null where /proc cannot tell (macOS). */
export function openFilesLimit(): number | null {
  try {
    const line = fs
      .readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = line ? Number(line.split(/\s+/)[3]) : NaN;
    return Number.isInteger(soft) && soft > 0 ? soft : null;
  } catch {
    return null;
  }
}

/**
 * A connection cap under the open-files limit, keeping a tenth of it (at least 64) for the database, its journal,
 * logs and outgoing requests; no cap when the limit is unknown or unlimited.
 */
export function defaultMaxConnections(limit = openFilesLimit()): number {
  if (limit === null || limit > 1_000_000) return 0;
  return Math.max(1, limit - Math.max(64, Math.ceil(limit / 10)));
}
