// The WeChat Pay v2 MD5 sign rule, used by 小微聚付 and PayJS alike (docs/architecture.md, "The provider and
// WeChat"): drop `sign` and every empty value, sort the keys by ASCII, join `key=value` with `&` (raw values, no URL
// encoding), append `&key=<merchant key>`, MD5 over the UTF-8 bytes, upper-case hex.
// This is the only implementation in the repository: the backend and the sandbox both import it.

import { createHash, timingSafeEqual } from 'node:crypto';

export type SignableValue = string | number | boolean | null | undefined;
export type SignableFields = Record<string, SignableValue>;

function isEmpty(value: SignableValue): boolean {
  return value === undefined || value === null || value === '';
}

/** The string that is hashed, without the key: exposed for tests and for debugging a sign mismatch. */
export function signBaseString(fields: SignableFields): string {
  return Object.keys(fields)
    .filter((name) => name !== 'sign' && !isEmpty(fields[name]))
    // ASCII order: compare code units, not locale
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((name) => `${name}=${String(fields[name])}`)
    .join('&');
}

export function md5Upper(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex').toUpperCase();
}

export function sign(fields: SignableFields, merchantKey: string): string {
  const base = signBaseString(fields);
  return md5Upper(`${base}${base ? '&' : ''}key=${merchantKey}`);
}

/** Returns a copy of `fields` with its `sign` set. Empty values are removed so both sides sign the same set. */
export function withSign<T extends SignableFields>(fields: T, merchantKey: string): T & { sign: string } {
  const kept = Object.fromEntries(Object.entries(fields).filter(([name, value]) => name !== 'sign' && !isEmpty(value)));
  return { ...(kept as T), sign: sign(kept, merchantKey) };
}

/** Constant-time comparison of two signs (case-insensitive hex, as both providers send upper case). */
export function signsEqual(expected: string, received: string): boolean {
  const a = Buffer.from(expected.toUpperCase(), 'utf8');
  const b = Buffer.from(received.toUpperCase(), 'utf8');
  if (a.length !== b.length) {
    // still spend the time of one comparison so length is the only thing a timing attack can learn
    timingSafeEqual(a, a);
    return false;
  }
  return timingSafeEqual(a, b);
}

/** Verifies the sign over every received field except `sign` itself, so fields a provider adds later still verify. */
export function verifySign(fields: SignableFields, merchantKey: string): boolean {
  const received = fields.sign;
  if (typeof received !== 'string' || received.length !== 32) return false;
  return signsEqual(sign(fields, merchantKey), received);
}
