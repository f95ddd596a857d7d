// The merchant backend's wire contracts, each defined once as a JSON schema: the route validates (requests) or
// serializes (answers) with it, and the TypeScript type is derived from it. typings/api.d.ts re-exports the types,
// so the mini program, the e2e specs and the benchmark share them through type-only imports.
//
// Requests are validated without coercion (server/app.ts): `[2]`, `true` or `"2"` is not a quantity.

import type { FromSchema } from 'json-schema-to-ts';
import { payParamsSchema } from './provider';

export const orderStatusSchema = { type: 'string', enum: ['pending', 'paid', 'failed', 'expired'] } as const;

export const productSchema = {
  type: 'object',
  required: ['sku', 'title', 'totalFee'],
  additionalProperties: false,
  properties: {
    sku: { type: 'string' },
    title: { type: 'string' },
    totalFee: { type: 'integer', description: 'integer fen' },
  },
} as const;

export const productsResponseSchema = {
  type: 'object',
  required: ['products'],
  additionalProperties: false,
  properties: { products: { type: 'array', items: productSchema } },
} as const;

export const createOrderRequestSchema = {
  type: 'object',
  required: ['sku'],
  // an unknown field is refused, not dropped: a client sending `totalFee` learns prices are not its to set
  additionalProperties: false,
  properties: {
    sku: { type: 'string', minLength: 1, maxLength: 64 },
    quantity: { type: 'integer', minimum: 1, maximum: 99 },
  },
} as const;

/** Where the mini program jumps to pay: a provider profile chosen by the backend's configuration. */
export const providerTargetSchema = {
  type: 'object',
  required: ['appId', 'path'],
  additionalProperties: false,
  properties: {
    appId: { type: 'string' },
    path: { type: 'string' },
    envVersion: { type: 'string', enum: ['develop', 'trial', 'release'] },
  },
} as const;

export const createOrderResponseSchema = {
  type: 'object',
  required: ['outTradeNo', 'orderToken', 'totalFee', 'body', 'expiresAt', 'payParams', 'provider'],
  additionalProperties: false,
  properties: {
    outTradeNo: { type: 'string' },
    orderToken: { type: 'string', description: 'unguessable; required by every check of this order' },
    totalFee: { type: 'integer', description: 'integer fen' },
    body: { type: 'string' },
    expiresAt: { type: 'string', description: 'ISO 8601' },
    payParams: payParamsSchema,
    provider: providerTargetSchema,
  },
} as const;

export const payCheckRequestSchema = {
  type: 'object',
  required: ['outTradeNo', 'orderToken'],
  additionalProperties: false,
  properties: {
    outTradeNo: { type: 'string', minLength: 1, maxLength: 32 },
    orderToken: { type: 'string', minLength: 1, maxLength: 128 },
    payjsOrderId: {
      type: 'string',
      minLength: 1,
      maxLength: 64,
      description: "the provider's order id from the return's extraData: a hint the backend may ask the provider with",
    },
    waitMs: {
      type: 'integer',
      minimum: 0,
      maximum: 30_000,
      description: 'hold the answer until the status changes or this time is up',
    },
  },
} as const;

export const payCheckResponseSchema = {
  type: 'object',
  required: ['outTradeNo', 'status', 'paySuccess'],
  additionalProperties: false,
  properties: {
    outTradeNo: { type: 'string' },
    status: orderStatusSchema,
    paySuccess: { type: 'boolean' },
    paidAt: { type: 'string', description: 'ISO 8601, only when paid' },
  },
} as const;

/** What the backend POSTs to FULFILLMENT_URL once per paid order (at least once; deduplicate by Idempotency-Key). */
export const orderPaidEventSchema = {
  type: 'object',
  required: ['event', 'outTradeNo', 'sku', 'quantity', 'totalFee', 'paidAt', 'providerOrderId', 'transactionId', 'flags'],
  additionalProperties: false,
  properties: {
    event: { const: 'order.paid' },
    outTradeNo: { type: 'string' },
    sku: { type: 'string' },
    quantity: { type: 'integer' },
    totalFee: { type: 'integer', description: 'integer fen' },
    paidAt: { type: 'string', description: 'ISO 8601: when this backend learned of the payment' },
    providerOrderId: { type: ['string', 'null'] },
    transactionId: { type: ['string', 'null'] },
    openid: { type: 'string' },
    attach: { type: 'string' },
    flags: {
      type: 'array',
      items: { type: 'string', enum: ['paid_after_expiry', 'confirmed_by_query'] },
      description:
        'paid_after_expiry: the money arrived after the order expired (look before granting); ' +
        'confirmed_by_query: found paid by the provider order query, its notify had not arrived',
    },
  },
} as const;

export type OrderStatus = FromSchema<typeof orderStatusSchema>;
export type Product = FromSchema<typeof productSchema>;
export type ProductsResponse = FromSchema<typeof productsResponseSchema>;
export type CreateOrderRequest = FromSchema<typeof createOrderRequestSchema>;
export type ProviderTarget = FromSchema<typeof providerTargetSchema>;
export type CreateOrderResponse = FromSchema<typeof createOrderResponseSchema>;
export type PayCheckRequest = FromSchema<typeof payCheckRequestSchema>;
export type PayCheckResponse = FromSchema<typeof payCheckResponseSchema>;
export type OrderPaidEvent = FromSchema<typeof orderPaidEventSchema>;
