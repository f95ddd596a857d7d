// The merchant backend's public contract (README.md, "Merchant backend").
// Shared by the mini program, the server, the e2e specs and the benchmark: types only, no code. Each type is derived
// from the JSON schema the backend validates or answers with (server/contracts/api.ts), so the two cannot drift.

export type {
  CreateOrderRequest,
  CreateOrderResponse,
  OrderPaidEvent,
  OrderStatus,
  PayCheckRequest,
  PayCheckResponse,
  Product,
  ProductsResponse,
  ProviderTarget,
} from '../server/contracts/api';

export interface ApiErrorBody {
  error: { code: string; message: string };
}
