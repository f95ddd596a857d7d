// Everything the payer can read when something goes wrong, in one table: what happened and what to do, in Chinese,
// and which buttons the page offers with it. Errors reach the page only through this table: no English, no errMsg
// and no error code is ever shown (those go to the console, for developers).
import type { ApiError } from './api';

/**
 * The page's buttons: 确认支付 (#pay-button, or 重新支付 once the user may have paid), 重试 / 重新下单 (#retry-button:
 * a new order), 我已支付，重新查询 (#recheck-button), 重新支付 (#repay-button).
 */
export type Action = 'pay' | 'retry' | 'reorder' | 'recheck' | 'repay';

export interface Message {
  /** what #pay-status says while this message shows; only for the error phases (load-error, check-error, blocked) */
  status?: string;
  /** what happened, then what to do */
  text: string;
  /** 'error' reads as a problem; 'note' as information */
  tone: 'error' | 'note';
  /** the buttons offered in an error phase; the other phases keep their own buttons and only add the text */
  actions?: readonly Action[];
}

const ORDER_FAILED = '订单创建失败';
const CHECK_FAILED = '暂时无法确认支付结果';
/** said wherever the user may already have paid: nobody should pay twice because the backend was briefly away */
const PAID_ALREADY = '如已付款，无需再付。';
const WHILE_CHECKING: readonly Action[] = ['recheck', 'repay'];

const TABLE = {
  // ---- creating the order (phase load-error) ----
  'order.unknown_sku': { status: '商品不存在', text: '没有找到这件商品，它可能已下架。请返回上一页重新选择。', tone: 'error', actions: [] },
  'order.invalid': { status: ORDER_FAILED, text: '下单信息有误，重试也无法成功。请更新小程序后再试，或联系商家。', tone: 'error', actions: [] },
  'order.misconfigured': { status: '暂时无法下单', text: '支付服务配置有误。请联系商家。', tone: 'error', actions: [] },
  'order.rate_limited': { status: ORDER_FAILED, text: '下单太频繁了。请稍等片刻再点「重试」。', tone: 'error', actions: ['retry'] },
  'order.unavailable': { status: ORDER_FAILED, text: '服务器暂时出了问题。请稍后点「重试」。', tone: 'error', actions: ['retry'] },
  'order.refused': { status: ORDER_FAILED, text: '服务器暂时无法处理下单。请稍后点「重试」。', tone: 'error', actions: ['retry'] },
  'order.unreachable': { status: ORDER_FAILED, text: '无法连接服务器。请稍后点「重试」。', tone: 'error', actions: ['retry'] },
  'order.offline': { status: ORDER_FAILED, text: '手机没有连上网络。请检查网络，联网后会自动重试。', tone: 'error', actions: ['retry'] },
  'order.timeout': { status: ORDER_FAILED, text: '服务器响应超时。请稍后点「重试」。', tone: 'error', actions: ['retry'] },
  'order.bad_response': { status: ORDER_FAILED, text: '服务器的回复无法识别。请稍后点「重试」。', tone: 'error', actions: ['retry'] },

  // ---- confirming the payment (phase check-error); the confirmer keeps retrying meanwhile ----
  'check.unreachable': { status: CHECK_FAILED, text: `无法连接服务器，正在自动重试。${PAID_ALREADY}`, tone: 'error', actions: WHILE_CHECKING },
  'check.offline': { status: CHECK_FAILED, text: `手机没有连上网络，联网后会自动查询。${PAID_ALREADY}`, tone: 'error', actions: WHILE_CHECKING },
  'check.timeout': { status: CHECK_FAILED, text: `服务器响应超时，正在自动重试。${PAID_ALREADY}`, tone: 'error', actions: WHILE_CHECKING },
  'check.rate_limited': { status: CHECK_FAILED, text: `查询太频繁，稍后会自动重试。${PAID_ALREADY}`, tone: 'error', actions: WHILE_CHECKING },
  'check.unavailable': { status: CHECK_FAILED, text: `服务器暂时出了问题，正在自动重试。${PAID_ALREADY}`, tone: 'error', actions: WHILE_CHECKING },
  'check.refused': { status: CHECK_FAILED, text: `服务器暂时无法查询这笔订单，正在自动重试。${PAID_ALREADY}`, tone: 'error', actions: WHILE_CHECKING },
  'check.bad_response': { status: CHECK_FAILED, text: `服务器的回复无法识别，正在自动重试。${PAID_ALREADY}`, tone: 'error', actions: WHILE_CHECKING },
  'check.stopped': { status: CHECK_FAILED, text: `一直查不到支付结果。请稍后点「我已支付，重新查询」。${PAID_ALREADY}`, tone: 'error', actions: WHILE_CHECKING },
  'check.order_not_found': { status: '找不到这笔订单', text: '服务器上没有这笔订单，无法查询。请点「重新下单」；如已付款，请联系商家。', tone: 'error', actions: ['reorder'] },

  // ---- beside the page's own state ----
  'confirm.timeout': { text: '暂未收到支付结果。已付款请点「我已支付，重新查询」；未付款可点「重新支付」。', tone: 'note' },
  'jump.refused': { text: '没能打开支付小程序。请再点一次支付。', tone: 'error' },
  'jump.cancelled': { text: '已取消打开支付小程序，需要时可再次点击支付。', tone: 'note' },
  'jump.not_allowed': { status: '暂时无法支付', text: '支付服务配置有误，无法打开支付。请联系商家。', tone: 'error', actions: [] },
  'app.misconfigured': { status: '暂时无法下单', text: '支付服务配置有误。请联系商家。', tone: 'error', actions: [] },
} as const satisfies Record<string, Message>;

export type MessageKey = keyof typeof TABLE;

export const MESSAGES: Readonly<Record<MessageKey, Message>> = TABLE;

export const MESSAGE_KEYS = Object.keys(TABLE) as MessageKey[];

export const messageOf = (key: MessageKey): Message => MESSAGES[key];

/** Where an error happened: creating the order, or checking its payment. */
export type Situation = 'order' | 'check';

/**
 * The backend's error codes (server/: `{error: {code, message}}`) and what each means to the payer, per route the page
 * calls. A code not listed is read by its HTTP status class, so a new code never shows raw; the unit test lists the
 * codes the server can answer and fails when one is missing here.
 */
export const BACKEND_CODES: Readonly<Record<string, { order: MessageKey; check: MessageKey }>> = {
  unknown_sku: { order: 'order.unknown_sku', check: 'check.refused' },
  order_not_found: { order: 'order.refused', check: 'check.order_not_found' },
  // the request's shape was refused: the app and the backend disagree; retrying the same request cannot help an
  // order, while a check keeps trying (the backend may be mid-deploy)
  invalid_request: { order: 'order.invalid', check: 'check.refused' },
  bad_request: { order: 'order.invalid', check: 'check.refused' },
  payload_too_large: { order: 'order.invalid', check: 'check.refused' },
  unsupported_media_type: { order: 'order.invalid', check: 'check.refused' },
  // no such route: API_BASE_URL names something that is not this backend
  not_found: { order: 'order.misconfigured', check: 'check.refused' },
  rate_limited: { order: 'order.rate_limited', check: 'check.rate_limited' },
  internal: { order: 'order.unavailable', check: 'check.unavailable' },
  store_unavailable: { order: 'order.unavailable', check: 'check.unavailable' },
};

/** Codes only the provider's notify route answers: the page never calls it, so they never reach a payer. */
export const NOTIFY_ONLY_CODES: readonly string[] = ['bad_sign', 'wrong_mchid', 'unknown_order', 'wrong_amount'];

/** The table entry for an API failure (lib/api.ts ApiError), by code first, then by kind and status class. */
export function messageForError(error: ApiError, situation: Situation): MessageKey {
  if (error.code && Object.prototype.hasOwnProperty.call(BACKEND_CODES, error.code)) return BACKEND_CODES[error.code][situation];
  const status = error.status || 0;
  const order = situation === 'order';
  switch (error.kind) {
    case 'offline':
      return order ? 'order.offline' : 'check.offline';
    case 'network':
    case 'aborted':
      return order ? 'order.unreachable' : 'check.unreachable';
    case 'timeout':
      return order ? 'order.timeout' : 'check.timeout';
    case 'bad-response':
      return order ? 'order.bad_response' : 'check.bad_response';
    default:
      if (status === 429) return order ? 'order.rate_limited' : 'check.rate_limited';
      if (status >= 500) return order ? 'order.unavailable' : 'check.unavailable';
      // another 4xx without a code we know (a proxy's page, a newer backend): it may pass, so retrying is offered
      return order ? 'order.refused' : 'check.refused';
  }
}
