// /healthz asks the store whether it can still take a write. Both stores answer with a real write (a database gone
// read-only or unreachable counts as down), but at most once a second: between probes the last one answers, so a
// monitor polling fast does not turn into a write load.

import { StoreUnavailableError, type StoreHealth } from './types';

const WRITE_PROBE_EVERY_MS = 1_000;

export class HealthProbe {
  private lastOkAt = -Infinity;

  /**
   * `check` runs on every call (the store's own cheap checks), `write` only when the last successful one is a second
   * old. StoreUnavailableError from either is the answer { ok: false, reason }; any other error is a bug, thrown.
   */
  async health(write: () => unknown, check?: () => void): Promise<StoreHealth> {
    try {
      check?.();
      const now = performance.now();
      if (now - this.lastOkAt >= WRITE_PROBE_EVERY_MS) {
        await write();
        this.lastOkAt = now;
      }
      return { ok: true };
    } catch (error) {
      if (error instanceof StoreUnavailableError) return { ok: false, reason: error.message };
      throw error;
    }
  }
}
