// Development defaults shared by the merchant backend (server/) and the provider sandbox (sandbox/).
// This is the one place that defines them. They are NOT secrets: the server refuses to start with them under
// NODE_ENV=production (see server/config.ts), where MERCHANT_ID and MERCHANT_KEY must come from the environment.

export const DEV_MERCHANT_ID = 'dev-mch-0001';
export const DEV_MERCHANT_KEY = 'dev-only-merchant-key-not-a-secret';

export const DEV_SERVER_PORT = 3000;
export const DEV_SANDBOX_PORT = 3001;
export const DEV_HOST = '127.0.0.1';

/** relative to the repository root */
export const DEV_DATA_DIR = '.data';

/** Signs fulfilment messages when FULFILLMENT_URL is set without FULFILLMENT_SECRET, in development only. */
export const DEV_FULFILLMENT_SECRET = 'dev-only-fulfillment-secret-not-a-secret';
