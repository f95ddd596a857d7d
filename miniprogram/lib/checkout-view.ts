// What the checkout page shows, as a pure function of the flow's state: the phase, the order, the message (from the
// message table) and the theme. The flow (lib/checkout-flow.ts) decides the state; this decides every field the WXML
// binds, so no stale button survives a transition, and tests can render every state.
import type { NavigatorTarget } from './jump';
import { MESSAGES, type Action, type MessageKey } from './messages';
import { formatFen } from './money';
import { ICON_COLORS, type ThemeName } from './theme';

export type Phase =
  | 'loading'
  | 'load-error'
  | 'blocked'
  | 'ready'
  | 'jumping'
  | 'fallback'
  | 'awaiting-return'
  | 'confirming'
  | 'paid'
  | 'unpaid'
  | 'failed'
  | 'expired'
  | 'check-error';

export const PHASES: readonly Phase[] = ['loading', 'load-error', 'blocked', 'ready', 'jumping', 'fallback', 'awaiting-return', 'confirming', 'paid', 'unpaid', 'failed', 'expired', 'check-error'];

/** Exactly what the WXML shows: nothing else goes through setData. */
export interface CheckoutView {
  phase: Phase;
  /** #pay-status: the state in words */
  statusText: string;
  title: string;
  amountText: string;
  payEnabled: boolean;
  showPay: boolean;
  showRecheck: boolean;
  showRepay: boolean;
  showRetry: boolean;
  retryText: string;
  /** #pay-message: what happened and what to do ('' for nothing) */
  messageText: string;
  messageTone: 'error' | 'note' | '';
  busy: boolean;
  fallback: NavigatorTarget | null;
  /** the success icon's colour (the only colour wxss cannot follow the theme for) */
  iconColor: string;
}

export const STATUS_TEXT: Readonly<Record<Phase, string>> = {
  loading: '正在创建订单…',
  'load-error': '订单创建失败',
  blocked: '暂时无法支付',
  ready: '待支付',
  jumping: '正在打开支付…',
  fallback: '请点击「前往支付」完成支付',
  'awaiting-return': '等待支付结果…',
  confirming: '正在确认支付结果…',
  paid: '支付成功',
  unpaid: '尚未支付',
  failed: '支付失败',
  expired: '订单已过期',
  'check-error': '暂时无法确认支付结果',
};

/** Phases whose buttons come from the message: what can help depends on what went wrong. */
const ERROR_PHASES: readonly Phase[] = ['load-error', 'blocked', 'check-error'];

/** The buttons of the other phases. */
const PHASE_ACTIONS: Readonly<Record<Phase, readonly Action[]>> = {
  loading: ['pay'],
  'load-error': [],
  blocked: [],
  ready: ['pay'],
  jumping: ['pay'],
  fallback: [],
  'awaiting-return': ['recheck', 'repay'],
  confirming: [],
  paid: [],
  unpaid: ['recheck', 'repay'],
  failed: ['repay'],
  expired: ['repay'],
  'check-error': [],
};

export interface ViewState {
  phase: Phase;
  /** what the card shows: the order being paid, or the last one while a new one loads or after the backend disowned it */
  order: { body: string; totalFee: number } | null;
  /** whether there is an order to recheck or pay again (default: `order` is set) */
  hasOrder?: boolean;
  message?: MessageKey | null;
  fallback?: NavigatorTarget | null;
  theme: ThemeName;
}

export function composeView(state: ViewState): CheckoutView {
  const { phase, order } = state;
  const hasOrder = state.hasOrder !== undefined ? state.hasOrder : !!order;
  const message = state.message ? MESSAGES[state.message] : null;
  const errorPhase = ERROR_PHASES.indexOf(phase) >= 0;
  const actions: readonly Action[] = errorPhase ? (message && message.actions) || [] : PHASE_ACTIONS[phase];
  const has = (action: Action) => actions.indexOf(action) >= 0;
  // a recheck or a repay of the same order needs that order; a failed or expired order's 重新支付 starts a new one
  const needsOrder = phase !== 'failed' && phase !== 'expired';
  return {
    phase,
    statusText: (errorPhase && message && message.status) || STATUS_TEXT[phase],
    title: order ? order.body : '',
    amountText: order ? formatFen(order.totalFee) : '',
    showPay: has('pay'),
    payEnabled: phase === 'ready' && hasOrder,
    showRecheck: has('recheck') && hasOrder,
    showRepay: has('repay') && (hasOrder || !needsOrder),
    showRetry: has('retry') || has('reorder'),
    retryText: has('reorder') ? '重新下单' : '重试',
    messageText: message ? message.text : '',
    messageTone: message ? message.tone : '',
    busy: phase === 'loading' || phase === 'jumping' || phase === 'confirming',
    fallback: phase === 'fallback' ? state.fallback || null : null,
    iconColor: ICON_COLORS[state.theme],
  };
}

export function initialView(): CheckoutView {
  return composeView({ phase: 'loading', order: null, theme: 'light' });
}
