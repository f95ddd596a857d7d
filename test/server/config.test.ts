import { ConfigError, loadServerConfig, PROVIDER_QUERY_INTERVAL_MIN_MS, secretWeakness, trustProxyFrom } from '../../server/config';
import { STRONG_KEY } from './helpers';

/** a production environment that starts; each test spoils one thing */
const PRODUCTION = {
  NODE_ENV: 'production',
  MERCHANT_ID: 'mch-1',
  MERCHANT_KEY: STRONG_KEY,
  PROVIDER_BASE_URL: 'https://api.provider.example',
  PUBLIC_BASE_URL: 'https://pay.shop.example',
};

function refusal(env: NodeJS.ProcessEnv): string {
  try {
    loadServerConfig({}, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error(`the configuration was accepted: ${JSON.stringify(env)}`);
}

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

  it('reads numbers as plain decimal integers only', () => {
    for (const raw of ['0x10', '1e3', '5.5', '-1', ' 7']) {
      expect(refusal({ ORDER_TTL_MS: raw })).toMatch(`ORDER_TTL_MS must be an integer >= 1, got "${raw}"`);
    }
  });
});

describe('production configuration refuses what is unsafe, naming the variable', () => {
  it('starts with a sound production environment', () => {
    const config = loadServerConfig({}, PRODUCTION);
    expect(config.production).toBe(true);
    expect(config.merchantKey).toBe(STRONG_KEY);
    expect(config.publicBaseUrl).toBe('https://pay.shop.example');
    expect(config.providerQueryByOutTradeNo).toBe(false);
  });

  it('refuses a MERCHANT_KEY shorter than 32 characters, of little variety, with a run or a repeated block, and says the rule', () => {
    const weak = {
      qz7a: /it has 4 characters/,
      'k7Qm2Xv9Lp4Rz8Tn1Wc6Yh3Bd5Gf0J': /it has 30 characters/,
      '0101010101abababababcdcdcdcd0101': /only 6 different characters/,
      'k7Qm2Xv9Lp4Rz8aaaaaaTn1Wc6Yh3Bd5': /the run "aaaaaa"/,
      'k7Qm2Xv9Lp4Rz8Tn123456Wc6Yh3Bd5G': /the run "123456"/,
      'k7Qm2Xv9Lp4Rzfedcba8Tn1Wc6Yh3Bd5': /the run "fedcba"/,
      'k7Qm2Xv9Lpk7Qm2Xv9Lpk7Qm2Xv9Lpk7': /it repeats "k7Qm2Xv9Lp"/,
    };
    for (const [key, reason] of Object.entries(weak)) {
      const message = refusal({ ...PRODUCTION, MERCHANT_KEY: key });
      expect(message).toMatch(/^MERCHANT_KEY is too weak for NODE_ENV=production/);
      expect(message).toMatch(reason);
      expect(message).toMatch(/at least 32 characters, at least 10 different ones, no run of 6 .* no repeated block/);
      expect(message).not.toContain(key);
    }
    // typical real keys pass: 32 hex characters, 32 alphanumerics
    expect(secretWeakness('192006250b4c09247ec02edce69f6a2d')).toBeNull();
    expect(secretWeakness(STRONG_KEY)).toBeNull();
  });

  it('refuses a PUBLIC_BASE_URL or PROVIDER_BASE_URL that is not an https URL', () => {
    for (const name of ['PUBLIC_BASE_URL', 'PROVIDER_BASE_URL']) {
      expect(refusal({ ...PRODUCTION, [name]: 'javascript:alert(1)' })).toMatch(`${name} must be an https:// URL under NODE_ENV=production`);
      expect(refusal({ ...PRODUCTION, [name]: 'notaurl' })).toMatch(`${name} must be an absolute URL such as https://`);
      expect(refusal({ ...PRODUCTION, [name]: 'http://plain.example' })).toMatch(`${name} must be an https:// URL`);
      expect(refusal({ ...PRODUCTION, [name]: 'https://user:pw@x.example' })).toMatch(`${name} must be a plain base URL`);
    }
    // outside production http is fine, but not something that is no URL at all
    expect(refusal({ PUBLIC_BASE_URL: 'notaurl' })).toMatch('PUBLIC_BASE_URL must be an absolute URL');
    expect(refusal({ PROVIDER_BASE_URL: 'javascript:alert(1)' })).toMatch('PROVIDER_BASE_URL must be an http:// or https:// URL');
    expect(loadServerConfig({}, { PUBLIC_BASE_URL: 'http://192.168.1.5:3000/' }).publicBaseUrl).toBe('http://192.168.1.5:3000');
  });

  it('refuses a PUBLIC_BASE_URL the provider cannot reach in production: a notify could never be delivered to it', () => {
    expect(refusal({ ...PRODUCTION, PUBLIC_BASE_URL: 'https://127.0.0.1' })).toMatch(/PUBLIC_BASE_URL must be the public https address/);
    for (const url of ['https://localhost:8443', 'https://localhost.', 'https://pay.localhost', 'https://127.1', 'https://[::1]']) {
      expect(refusal({ ...PRODUCTION, PUBLIC_BASE_URL: url })).toMatch(/not a loopback/);
    }
    for (const url of ['https://0.0.0.0', 'https://[::]']) {
      expect(refusal({ ...PRODUCTION, PUBLIC_BASE_URL: url })).toMatch(/not the unspecified address/);
    }
    for (const url of ['https://10.1.2.3', 'https://192.168.1.5', 'https://172.16.0.9', 'https://169.254.1.1', 'https://[fd00::5]']) {
      expect(refusal({ ...PRODUCTION, PUBLIC_BASE_URL: url })).toMatch(/not a loopback or private address/);
    }
    // a public address is fine, even as an IP
    expect(loadServerConfig({}, { ...PRODUCTION, PUBLIC_BASE_URL: 'https://203.0.113.9' }).publicBaseUrl).toBe('https://203.0.113.9');
  });

  it('refuses a MERCHANT_KEY with white space around it: every notify would fail its sign check', () => {
    for (const key of [` ${STRONG_KEY}`, `${STRONG_KEY}\n`]) {
      expect(refusal({ ...PRODUCTION, MERCHANT_KEY: key })).toMatch(/^MERCHANT_KEY starts or ends with white space/);
    }
  });

  it('refuses FULFILLMENT_URL without FULFILLMENT_SECRET, a non-https FULFILLMENT_URL and a weak secret in production', () => {
    expect(refusal({ ...PRODUCTION, FULFILLMENT_URL: 'https://shop.example/paid' })).toMatch(
      /FULFILLMENT_URL is set but FULFILLMENT_SECRET is not.*Set FULFILLMENT_SECRET/,
    );
    expect(refusal({ FULFILLMENT_URL: 'http://127.0.0.1:4000/paid' })).toMatch(/FULFILLMENT_SECRET is not/);
    expect(
      refusal({ ...PRODUCTION, FULFILLMENT_URL: 'http://shop.example/paid', FULFILLMENT_SECRET: STRONG_KEY }),
    ).toMatch(/FULFILLMENT_URL must be an https:\/\/ URL under NODE_ENV=production/);
    expect(
      refusal({ ...PRODUCTION, FULFILLMENT_URL: 'https://shop.example/paid', FULFILLMENT_SECRET: 'secret' }),
    ).toMatch(/FULFILLMENT_SECRET is too weak for NODE_ENV=production: it has 6 characters/);
    // the receiver must not hold the key that signs payments
    expect(
      refusal({ ...PRODUCTION, FULFILLMENT_URL: 'https://shop.example/paid', FULFILLMENT_SECRET: STRONG_KEY }),
    ).toMatch(/^FULFILLMENT_SECRET is the merchant key: .* Generate a separate secret/);
    const secret = 'Hq4Ws8Ke2Nv6Py0Ju3Fb7Ld1Ct5Gx9Rm';
    const config = loadServerConfig({}, { ...PRODUCTION, FULFILLMENT_URL: 'https://shop.example/paid', FULFILLMENT_SECRET: secret });
    expect(config.fulfillmentUrl).toBe('https://shop.example/paid');
    expect(config.fulfillmentSecret).toBe(secret);
  });

  it('refuses a NODE_ENV it does not know instead of falling back to the development key', () => {
    for (const spelling of ['Production', 'prod', 'PRODUCTION', 'staging', 'production ']) {
      const message = refusal({ ...PRODUCTION, NODE_ENV: spelling, MERCHANT_KEY: '' });
      expect(message).toMatch(`NODE_ENV must be one of development, production, test (lower case) or unset, got "${spelling}"`);
    }
    expect(loadServerConfig({}, { NODE_ENV: 'development' }).production).toBe(false);
    expect(loadServerConfig({}, { NODE_ENV: 'test' }).production).toBe(false);
  });
});

describe('HOST, TRUST_PROXY and the abuse limits', () => {
  it('listens on 127.0.0.1 unless HOST says otherwise', () => {
    expect(loadServerConfig({}, {}).host).toBe('127.0.0.1');
    expect(loadServerConfig({}, { HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    expect(loadServerConfig({}, { HOST: '::' }).host).toBe('::');
    expect(refusal({ HOST: 'http://0.0.0.0' })).toMatch(/HOST must be an address or host name/);
  });

  it('reads TRUST_PROXY as off, true, a hop count or a list of addresses and CIDRs', () => {
    expect(trustProxyFrom(undefined)).toBe(false);
    expect(trustProxyFrom('false')).toBe(false);
    expect(trustProxyFrom('true')).toBe(true);
    expect(trustProxyFrom('1')).toBe(1);
    expect(trustProxyFrom('127.0.0.1, 10.0.0.0/8,::1,fd00::/8,loopback')).toEqual(['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8', 'loopback']);
    expect(refusal({ TRUST_PROXY: '10.0.0.0/33' })).toMatch(/TRUST_PROXY must be true, a hop count, or a comma list.*"10.0.0.0\/33" is none/);
    expect(refusal({ TRUST_PROXY: 'nginx' })).toMatch(/TRUST_PROXY must be/);
    expect(loadServerConfig({}, {}).trustProxy).toBe(false);
  });

  it('holds requests to 10 s at most and closes idle keep-alive connections, by default', () => {
    const { limits } = loadServerConfig({}, {});
    expect(limits.requestTimeoutMs).toBeLessThanOrEqual(10_000);
    expect(limits.headersTimeoutMs).toBeLessThanOrEqual(limits.requestTimeoutMs);
    expect(limits.keepAliveTimeoutMs).toBeLessThanOrEqual(10_000);
    expect(limits.maxConnectionsPerClient).toBe(100);
    const config = loadServerConfig(
      {},
      { MAX_WAITING_CHECKS_PER_ORDER: '2', MAX_WAITING_CHECKS: '100', CHECK_RATE_LIMIT_PER_MINUTE: '30', MAX_CONNECTIONS_PER_CLIENT: '0' },
    );
    expect([config.maxWaitingChecksPerOrder, config.maxWaitingChecks, config.checkRateLimitPerMinute]).toEqual([2, 100, 30]);
    expect(config.limits.maxConnectionsPerClient).toBe(0);
  });
});

describe('fulfilment configuration', () => {
  it('is off without FULFILLMENT_URL, and takes http outside production', () => {
    expect(loadServerConfig({}, {})).toMatchObject({ fulfillmentUrl: '', fulfillmentTimeoutMs: 10_000 });
    const dev = loadServerConfig({}, { FULFILLMENT_URL: 'http://127.0.0.1:4000/hook', FULFILLMENT_SECRET: 'dev-secret' });
    expect(dev.fulfillmentUrl).toBe('http://127.0.0.1:4000/hook');
    expect(dev.fulfillmentSecret).toBe('dev-secret');
    expect(loadServerConfig({}, { FULFILLMENT_URL: 'https://x.example/h', FULFILLMENT_SECRET: 's3cret' }).fulfillmentSecret).toBe('s3cret');
    expect(loadServerConfig({}, { FULFILLMENT_RETRY_BASE_MS: '250', FULFILLMENT_RETRY_MAX_MS: '5000' })).toMatchObject({
      fulfillmentRetryBaseMs: 250,
      fulfillmentRetryMaxMs: 5000,
    });
  });

  it('refuses a FULFILLMENT_URL that is not http(s), and a retry cap below its base, naming the variables', () => {
    expect(() => loadServerConfig({}, { FULFILLMENT_URL: 'ftp://x.example/h', FULFILLMENT_SECRET: 's' })).toThrow(
      /FULFILLMENT_URL must be an http:\/\/ or https:\/\/ URL/,
    );
    expect(() => loadServerConfig({}, { FULFILLMENT_URL: 'not a url', FULFILLMENT_SECRET: 's' })).toThrow(/FULFILLMENT_URL/);
    expect(() => loadServerConfig({}, { FULFILLMENT_RETRY_BASE_MS: '5000', FULFILLMENT_RETRY_MAX_MS: '1000' })).toThrow(
      /FULFILLMENT_RETRY_MAX_MS \(1000\) must be at least FULFILLMENT_RETRY_BASE_MS \(5000\)/,
    );
    expect(() => loadServerConfig({}, { FULFILLMENT_TIMEOUT_MS: 'soon' })).toThrow(/FULFILLMENT_TIMEOUT_MS must be an integer/);
  });
});
