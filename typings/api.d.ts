// The merchant backend's public contract (docs/architecture.md, "Merchant backend").
// Shared by the mini program, the server, the e2e specs and the benchmark: types only, no code.

import type { PayParams } from './provider';

export type OrderStatus = 'pending' | 'paid' | 'failed' | 'expired';

export interface Product {
  sku: string;
  title: string;
  /** integer fen */
  totalFee: number;
}

export interface ProductsResponse {
  products: Product[];
}

export interface CreateOrderRequest {
  sku: string;
  quantity?: number;
}

/** Where the mini program jumps to pay: a provider profile chosen by the backend's configuration. */
export interface ProviderTarget {
  appId: string;
  path: string;
  envVersion?: 'develop' | 'trial' | 'release';
}

export interface CreateOrderResponse {
  outTradeNo: string;
  /** unguessable; required by every check of this order */
  orderToken: string;
  /** integer fen */
  totalFee: number;
  body: string;
  /** ISO 8601 */
  expiresAt: string;
  payParams: PayParams;
  provider: ProviderTarget;
}

export interface PayCheckRequest {
  outTradeNo: string;
  orderToken: string;
  /** the provider's order id, when the return extraData carried one: lets the backend query the provider */
  payjsOrderId?: string;
  /** 0..30000: hold the answer until the status changes or this time is up */
  waitMs?: number;
}

export interface PayCheckResponse {
  outTradeNo: string;
  status: OrderStatus;
  paySuccess: boolean;
  /** ISO 8601, only when paid */
  paidAt?: string;
}

export interface ApiErrorBody {
  error: { code: string; message: string };
}
