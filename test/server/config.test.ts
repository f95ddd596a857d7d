import { ConfigError, loadServerConfig, PROVIDER_QUERY_INTERVAL_MIN_MS } from '../../server/config';

describe('server configuration', () => {
  it('refuses a provider query interval below 1000 ms, from the environment or as an option, naming the variable', () => {
    expect(PROVIDER_QUERY_INTERVAL_MIN_MS).toBe(1000);
    for (const raw of ['0', '999']) {
      const load = (): unknown => loadServerConfig({}, { PROVIDER_QUERY_INTERVAL_MS: raw });
      expect(load).toThrow(ConfigError);
      expect(load).toThrow(new RegExp(`PROVIDER_QUERY_INTERVAL_MS must be an integer >= 1000, got "${raw}"`));
    }
    const option = (): unknown => loadServerConfig({ providerQueryIntervalMs: 0 }, {});
    expect(option).toThrow(ConfigError);
    expect(option).toThrow(/PROVIDER_QUERY_INTERVAL_MS \(option providerQueryIntervalMs\) must be an integer >= 1000, got 0/);
  });

  it('accepts 1000 ms and defaults to 5000 ms', () => {
    expect(loadServerConfig({}, { PROVIDER_QUERY_INTERVAL_MS: '1000' }).providerQueryIntervalMs).toBe(1000);
    expect(loadServerConfig({ providerQueryIntervalMs: 1000 }, {}).providerQueryIntervalMs).toBe(1000);
    expect(loadServerConfig({}, {}).providerQueryIntervalMs).toBe(5000);
  });
});
