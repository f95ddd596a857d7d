// The merchant backend's client (contract: typings/api.d.ts). Errors come back as data with a kind the caller can
// branch on: 'network' and 'server' (5xx/429) are worth retrying, 'client' (other 4xx) is not.
import type {
  ApiErrorBody,
  CreateOrderResponse,
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

function isErrorBody(data: unknown): data is ApiErrorBody {
  return !!data && typeof data === 'object' && !!(data as ApiErrorBody).error && typeof (data as ApiErrorBody).error.message === 'string';
}

export function createApiClient(deps: { request: RequestPort; baseUrl: string }): ApiClient {
  const { request, baseUrl } = deps;

  function call<T>(method: 'GET' | 'POST', path: string, data: Record<string, unknown> | undefined, opts: CallOptions = {}): Promise<T> {
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
            if (res.data && typeof res.data === 'object') return resolve(res.data as T);
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
    createOrder: (sku, opts) => call<CreateOrderResponse>('POST', '/api/orders', { sku }, opts),
    checkPay: (body, opts) => call<PayCheckResponse>('POST', '/api/pay/check', { ...body }, opts),
  };
}
