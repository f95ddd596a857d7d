// The backend as the benchmarks start it: an ephemeral port, a temporary data folder, no sandbox, and nothing that
// would be measured instead of the backend itself: no rate limits and no per-address connection cap (the load comes
// from one address), no provider query (only a notify may settle an order, and no provider is there to ask).
import type { ServerOptions } from '../../server';
import { startStack, type BackendAlone } from '../../scripts/stack';

/** `options` override the defaults above (`limits` field by field). */
export function startBenchBackend(options: ServerOptions = {}): Promise<BackendAlone> {
  return startStack({
    env: {},
    tempData: true,
    sandbox: false,
    backend: {
      port: 0,
      logLevel: 'silent',
      orderRateLimitPerMinute: 100_000_000,
      checkRateLimitPerMinute: 100_000_000,
      providerQueryAfterMs: 3_600_000,
      providerBaseUrl: 'http://127.0.0.1:9',
      ...options,
      limits: { maxConnectionsPerClient: 0, ...options.limits },
    },
  });
}
