import { DEV_FULFILLMENT_SECRET } from '../../config/dev-defaults';
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

describe('fulfilment configuration', () => {
  it('is off without FULFILLMENT_URL, and signs with the development secret outside production when none is set', () => {
    expect(loadServerConfig({}, {})).toMatchObject({ fulfillmentUrl: '', fulfillmentTimeoutMs: 10_000 });
    const dev = loadServerConfig({}, { FULFILLMENT_URL: 'http://127.0.0.1:4000/hook' });
    expect(dev.fulfillmentUrl).toBe('http://127.0.0.1:4000/hook');
    expect(dev.fulfillmentSecret).toBe(DEV_FULFILLMENT_SECRET);
    expect(loadServerConfig({}, { FULFILLMENT_URL: 'https://x.example/h', FULFILLMENT_SECRET: 's3cret' }).fulfillmentSecret).toBe('s3cret');
    expect(loadServerConfig({}, { FULFILLMENT_RETRY_BASE_MS: '250', FULFILLMENT_RETRY_MAX_MS: '5000' })).toMatchObject({
      fulfillmentRetryBaseMs: 250,
      fulfillmentRetryMaxMs: 5000,
    });
  });

  it('refuses a FULFILLMENT_URL that is not http(s), and a retry cap below its base, naming the variables', () => {
    expect(() => loadServerConfig({}, { FULFILLMENT_URL: 'ftp://x.example/h' })).toThrow(/FULFILLMENT_URL must be an http\(s\) URL/);
    expect(() => loadServerConfig({}, { FULFILLMENT_URL: 'not a url' })).toThrow(/FULFILLMENT_URL/);
    expect(() => loadServerConfig({}, { FULFILLMENT_RETRY_BASE_MS: '5000', FULFILLMENT_RETRY_MAX_MS: '1000' })).toThrow(
      /FULFILLMENT_RETRY_MAX_MS \(1000\) must be at least FULFILLMENT_RETRY_BASE_MS \(5000\)/,
    );
    expect(() => loadServerConfig({}, { FULFILLMENT_TIMEOUT_MS: 'soon' })).toThrow(/FULFILLMENT_TIMEOUT_MS must be an integer/);
  });
});
