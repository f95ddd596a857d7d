// The provider's wire contracts, each defined once as a JSON schema: the route validates with it and the TypeScript
// type is derived from it (typings/provider.d.ts re-exports the types, so the mini program imports types only).
// Field names and limits: the provider's published jump and notify fields.

import type { FromSchema } from 'json-schema-to-ts';

/** The jump's extraData: signed by the backend, passed through untouched by the mini program. */
export const payParamsSchema = {
  type: 'object',
  required: ['mchid', 'total_fee', 'out_trade_no', 'nonce', 'sign'],
  additionalProperties: false,
  properties: {
    mchid: { type: 'string', minLength: 1, maxLength: 16 },
    total_fee: { type: 'integer', minimum: 1, description: 'integer fen' },
    out_trade_no: { type: 'string', minLength: 1, maxLength: 32 },
    body: { type: 'string', maxLength: 32 },
    attach: { type: 'string', maxLength: 128 },
    notify_url: { type: 'string', maxLength: 255 },
    nonce: { type: 'string', minLength: 1, maxLength: 128 },
    sign: { type: 'string', minLength: 32, maxLength: 32 },
  },
} as const;

export type PayParams = FromSchema<typeof payParamsSchema>;

// A notify's fields are text, exactly as the provider's form POST carries them: no value is coerced. `total_fee` is a
// plain decimal integer (no sign, no leading zero, no hex, no exponent); the paid flag is compared as exact text.
const notifyText = { type: 'string', maxLength: 1024 } as const;
const decimalFen = { type: 'string', pattern: '^[1-9][0-9]{0,9}$', description: 'integer fen in decimal digits' } as const;
const statusDigits = { type: 'string', pattern: '^(0|[1-9][0-9]{0,3})$', description: '1 = paid; no sign, space or leading zero' } as const;
const notifyCommon = {
  total_fee: decimalFen,
  out_trade_no: { type: 'string', minLength: 1, maxLength: 32 },
  transaction_id: notifyText,
  time_end: notifyText,
  openid: notifyText,
  attach: notifyText,
  mchid: { type: 'string', minLength: 1, maxLength: 16 },
  sign: { type: 'string', pattern: '^[0-9A-Fa-f]{32}$' },
} as const;

/** 小微聚付's notify. Unknown fields are kept (every received field is covered by the sign). */
export const xiaoweijufuNotifySchema = {
  type: 'object',
  required: ['status', 'total_fee', 'out_trade_no', 'mchid', 'sign'],
  properties: { status: statusDigits, order_no: notifyText, ...notifyCommon },
  additionalProperties: notifyText,
  maxProperties: 64,
} as const;

/** PayJS's notify. */
export const payjsNotifySchema = {
  type: 'object',
  required: ['return_code', 'total_fee', 'out_trade_no', 'mchid', 'sign'],
  properties: { return_code: statusDigits, payjs_order_id: notifyText, type: notifyText, ...notifyCommon },
  additionalProperties: notifyText,
  maxProperties: 64,
} as const;

// FromSchema types the extra fields as unknown (it cannot tell them apart from the named ones); they are text too
export type XiaoweijufuNotify = FromSchema<typeof xiaoweijufuNotifySchema> & Record<string, string>;
export type PayjsNotify = FromSchema<typeof payjsNotifySchema> & Record<string, string>;
