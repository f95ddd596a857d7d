// The merchant backend's client (contract: typings/api.d.ts). Errors come back as data with a kind the caller can
// branch on. Their messages are for developers (English, with the HTTP status, the backend's code and message, or
// WeChat's errMsg) and go to the console only: what the payer reads comes from lib/messages.ts.
import type {
  ApiErrorBody,
  CreateOrderResponse,
  OrderStatus,
  PayCheckRequest,
  PayCheckResponse,
} from '../../typings/api';
import type { CancelSignal, RequestPort } from './ports';
import type { Connectivity } from './connectivity';
import { REQUEST_TIMEOUT_MS } from './config';

/**
 * network: no answer (connection refused, DNS, TLS) while the phone is online; offline: no answer and WeChat reports
 * no network; timeout: no answer in time; server: 5xx or 429; client: another 4xx; bad-response: a 2xx that is not
 * the answer the contract promises; aborted: cancelled by the caller.
 */
export type ApiErrorKind = 'network' | 'offline' | 'timeout' | 'server' | 'client' | 'aborted' | 'bad-response';

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

function preview(data: unknown): string {
  let text: string;
  try {
    text = typeof data === 'string' ? data : JSON.stringify(data);
  } catch {
    text = String(data);
  }
  return text === undefined ? 'no body' : text.length > 120 ? `${text.slice(0, 120)}…` : text;
}

function isErrorBody(data: unknown): data is ApiErrorBody {
  return !!data && typeof data === 'object' && !!(data as ApiErrorBody).error && typeof (data as ApiErrorBody).error.message === 'string';
}

export function createApiClient(deps: { request: RequestPort; baseUrl: string; connectivity?: Connectivity }): ApiClient {
  const { request, baseUrl, connectivity } = deps;

  /** A request that got no answer: the phone offline (WeChat says so, asked right now) or the backend unreachable. */
  function noAnswer(kind: 'network' | 'timeout', what: string, errMsg: string): Promise<ApiError> {
    const error = (offline: boolean) => new ApiError(offline ? 'offline' : kind, `${what}: ${errMsg}${offline ? ' (WeChat reports no network)' : ''}`);
    if (!connectivity) return Promise.resolve(error(false));
    return connectivity.refresh().then((online) => error(!online), () => error(false));
  }

  /** `accept` turns a 2xx body into the typed answer, or null when it is not one (a 'bad-response' error). */
  function call<T>(method: 'GET' | 'POST', path: string, data: Record<string, unknown> | undefined, accept: (body: unknown) => T | null, opts: CallOptions = {}): Promise<T> {
    const what = `${method} ${path}`;
    return new Promise<T>((resolve, reject) => {
      const signal = opts.signal;
      if (signal && signal.aborted) return reject(new ApiError('aborted', `${what}: cancelled`));
      let settled = false;
      const onAbort = () => {
        task.abort();
        finish(() => reject(new ApiError('aborted', `${what}: cancelled`)));
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
            return reject(new ApiError('bad-response', `${what} answered HTTP ${res.statusCode} with a body that is not the contract's answer: ${preview(res.data)}`, res.statusCode));
          }
          const body = isErrorBody(res.data) ? res.data.error : undefined;
          const kind: ApiErrorKind = res.statusCode >= 500 || res.statusCode === 429 ? 'server' : 'client';
          const detail = body ? `${body.code}: ${body.message}` : preview(res.data);
          reject(new ApiError(kind, `${what} answered HTTP ${res.statusCode} ${detail}`, res.statusCode, body && typeof body.code === 'string' ? body.code : undefined));
        }),
        fail: (err) => {
          const msg = err && err.errMsg ? err.errMsg : 'request:fail';
          if (/abort/.test(msg)) return finish(() => reject(new ApiError('aborted', `${what}: ${msg}`)));
          const kind = /timeout/.test(msg) ? 'timeout' : 'network';
          // settled now (a late abort changes nothing); rejected once WeChat said whether the phone is online
          finish(() => void noAnswer(kind, what, msg).then(reject));
        },
      });
      if (signal) signal.addEventListener('abort', onAbort);
    });
  }

  return {
    createOrder: (sku, opts) => call('POST', '/api/orders', { sku }, wellFormedOrder, opts),
    checkPay: (body, opts) => call('POST', '/api/pay/check', { ...body }, (answer) => wellFormedVerdict(answer, body.outTradeNo), opts),
  };
}
