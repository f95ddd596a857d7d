// The pay mini program's fields: what the mini program hands over as extraData, and what may come back in
// referrerInfo.extraData.

/** Signed by the backend; the mini program passes it through untouched (schema: server/contracts/provider.ts). */
export type { PayParams, PayjsNotify, XiaoweijufuNotify } from '../server/contracts/provider';

/**
 * What the pay mini program hands back. Every field is optional: the back key returns nothing, and the values of
 * resultCode are undocumented. A hint only: never proof of payment.
 */
export interface ProviderReturnData {
  success?: boolean;
  resultCode?: string | number;
  msg?: string;
  payjsOrderId?: string;
}

export type ProviderName = 'xiaoweijufu' | 'payjs';
