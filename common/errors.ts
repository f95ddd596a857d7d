import type { FastifyError } from 'fastify';

// Errors as data: every 4xx/5xx answer is `{error: {code, message}}` with a message a person can act on.

export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    /** extra answer headers, e.g. Retry-After on a 503 */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function errorBody(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}

/** JSON schema of the error answer, for the `response` of every route. */
export const errorResponseSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' } },
    },
  },
} as const;

/** Ajv's findings in words a client developer can act on, naming the field (also an unexpected one). */
export function describeValidation(error: FastifyError): string {
  const context = error.validationContext ?? 'body';
  return (error.validation ?? [])
    .map((item) => {
      const where = `${context}${item.instancePath.replace(/\//g, '.')}`;
      const params = item.params as { additionalProperty?: string; allowedValues?: unknown[] };
      if (params.additionalProperty) return `${where} has an unexpected field "${params.additionalProperty}"`;
      if (params.allowedValues) return `${where} must be one of: ${params.allowedValues.join(', ')}`;
      return `${where} ${item.message ?? 'is invalid'}`;
    })
    .join('; ');
}
