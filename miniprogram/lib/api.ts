// The merchant backend's client (contract: typings/api.d.ts). Errors come back as data with a kind the caller can
// branch on: 'network' and 'server' (5xx/429) are worth retrying, 'client' (other 4xx) is not.
import type {
  ApiErrorBody,
  CreateOrderResponse,
  OrderStatus,
  PayCheckRequest,
  PayCheckResponse,
} from '../../typings/api';
import type { CancelSignal, RequestPort } from './ports';
import { REQUEST_TIMEOUT_MS } from './config';

export type ApiErrorKind = 'network' | 'timeout' | 'server' | 'client' | 'aborted' | 'bad-response';

export class ApiError extends Error {
  constructor(
    readonly kind: ApiErrorKind,
    message: string,
    readonly status?: number,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get retryable(): boolean {
    return this.kind === 'network' || this.kind === 'timeout' || this.kind === 'server';
  }
}

export interface CallOptions {
  timeout?: number;
  signal?: CancelSignal;
}

export interface ApiClient {
  createOrder(sku: string, opts?: CallOptions): Promise<CreateOrderResponse>;
  checkPay(body: PayCheckRequest, opts?: CallOptions): Promise<PayCheckResponse>;
}

const STATUSES: readonly OrderStatus[] = ['pending', 'paid', 'failed', 'expired'];

/**
 * A check answer counts only if it is a verdict about this order in the contract's words: an object naming this
 * outTradeNo, one of the four statuses, and paySuccess saying the same as the status. Anything else (`{}`, `"PAID"`,
 * another order's `paid`, a proxy's page) is not a verdict: the caller treats it like a failed request.
 */
export function wellFormedVerdict(data: unknown, outTradeNo: string): PayCheckResponse | null {
  if (!data || typeof data !== 'object' || Array.isArray(data)) return null;
  const answer = data as Record<string, unknown>;
  if (answer.outTradeNo !== outTradeNo) return null;
  const status = answer.status as OrderStatus;
  if (STATUSES.indexOf(status) < 0) return null;
  if (answer.paySuccess !== (status === 'paid')) return null;
  if (answer.paidAt !== undefined && typeof answer.paidAt !== 'string') return null;
  const verdict: PayCheckResponse = { outTradeNo, status, paySuccess: status === 'paid' };
  if (typeof answer.paidAt === 'string') verdict.paidAt = answer.paidAt;
  return verdict;
}

/** The fields the page relies on; an order answer without them cannot be paid (and is not shown). */
function wellFormedOrder(data: unknown): CreateOrderResponse | null {
  if (!data || typeof data !== 'object') return null;
  const o = data as CreateOrderResponse;
  const ok =
    typeof o.outTradeNo === 'string' && !!o.outTradeNo &&
    typeof o.orderToken === 'string' && !!o.orderToken &&
    typeof o.totalFee === 'number' && Number.isInteger(o.totalFee) && o.totalFee > 0 &&
    typeof o.body === 'string' &&
    typeof o.expiresAt === 'string' &&
    !!o.payParams && typeof o.payParams === 'object' && o.payParams.out_trade_no === o.outTradeNo &&
    !!o.provider && typeof o.provider.appId === 'string' && typeof o.provider.path === 'string';
  return ok ? o : null;
}

function isErrorBody(data: unknown): data is ApiErrorBody {
  return !!data && typeof data === 'object' && !!(data as ApiErrorBody).error && typeof (data as ApiErrorBody).error.message === 'string';
}

export function createApiClient(deps: { request: RequestPort; baseUrl: string }): ApiClient {
  const { request, baseUrl } = deps;

  /** `accept` turns a 2xx body into the typed answer, or null when it is not one (a 'bad-response' error). */
  function call<T>(method: 'GET' | 'POST', path: string, data: Record<string, unknown> | undefined, accept: (body: unknown) => T | null, opts: CallOptions = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const signal = opts.signal;
      if (signal && signal.aborted) return reject(new ApiError('aborted', '请求已取消'));
      let settled = false;
      const onAbort = () => {
        task.abort();
        finish(() => reject(new ApiError('aborted', '请求已取消')));
      };
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        if (signal) signal.removeEventListener('abort', onAbort);
        fn();
      };
      const task = request.request({
        url: baseUrl + path,
        method,
        data,
        header: data ? { 'content-type': 'application/json' } : {},
        timeout: opts.timeout || REQUEST_TIMEOUT_MS,
        success: (res) => finish(() => {
          if (res.statusCode >= 200 && res.statusCode < 300) {
            const accepted = accept(res.data);
            if (accepted) return resolve(accepted);
            return reject(new ApiError('bad-response', '服务器返回了无法识别的数据', res.statusCode));
          }
          const body = isErrorBody(res.data) ? res.data.error : undefined;
          const kind: ApiErrorKind = res.statusCode >= 500 || res.statusCode === 429 ? 'server' : 'client';
          reject(new ApiError(kind, body ? body.message : `服务器错误（HTTP ${res.statusCode}）`, res.statusCode, body && body.code));
        }),
        fail: (err) => finish(() => {
          const msg = err && err.errMsg ? err.errMsg : 'request:fail';
          if (/abort/.test(msg)) return reject(new ApiError('aborted', '请求已取消'));
          if (/timeout/.test(msg)) return reject(new ApiError('timeout', '网络超时，请检查网络'));
          reject(new ApiError('network', '网络不可用，请检查网络'));
        }),
      });
      if (signal) signal.addEventListener('abort', onAbort);
    });
  }

  return {
    createOrder: (sku, opts) => call('POST', '/api/orders', { sku }, wellFormedOrder, opts),
    checkPay: (body, opts) => call('POST', '/api/pay/check', { ...body }, (answer) => wellFormedVerdict(answer, body.outTradeNo), opts),
  };
}
