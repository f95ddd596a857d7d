// The provider's pay mini program as a simulator handler: the simulator hands it the jump, it asks the sandbox's
// /pay what the user does there, and resolves with the extraData the app gets back (`{}` = the back key).
//
// Contract (simulator/ and the e2e suite rely on it):
//   createProviderHandlers(sandboxUrl): Record<appId, MiniProgramHandler>, keyed by
//   小微聚付 'wx959c8c1fb2d89988' and PayJS 'wx959c8c1fb2d877b5'.
//   The default export is handlers for process.env.SANDBOX_URL (default http://127.0.0.1:3001), loadable by the
//   simulator CLI as a handler module.
// While a person watches the simulator's live preview, the handler shows them the stand-in pay page first
// (preview-pay-page.ts) and acts out their choice.
// A sandbox refusal (bad sign, invalid field) comes back as {success: false, resultCode: <code>, msg: <message>},
// as the real pay mini program would show an error and let the user return.

import { postJson } from '../server/http-post';
import { actOutChoice, payPageScreen } from './preview-pay-page';

import type { MiniProgramHandler } from '../typings/mini-program-handler';

export type { MiniProgramHandler };

export const PROVIDER_APP_IDS = {
  xiaoweijufu: 'wx959c8c1fb2d89988',
  payjs: 'wx959c8c1fb2d877b5',
} as const;

export function createProviderHandlers(sandboxUrl: string): Record<string, MiniProgramHandler> {
  const payUrl = `${sandboxUrl.replace(/\/+$/, '')}/pay`;
  const pay: MiniProgramHandler = async (jump) => {
    const reply = await postJson(payUrl, jump.extraData ?? {}, 10_000);
    let answer: Record<string, unknown>;
    try {
      answer = JSON.parse(reply.text);
    } catch {
      throw new Error(`the sandbox at ${payUrl} answered HTTP ${reply.status} with a body that is not JSON`);
    }
    if (reply.status >= 400) {
      const error = (answer.error ?? {}) as { code?: string; message?: string };
      return { extraData: { success: false, resultCode: error.code ?? String(reply.status), msg: error.message ?? '' } };
    }
    return { extraData: answer };
  };
  // a person watching the simulator's live preview sees the pay page and chooses; otherwise the scenario decides
  const handler: MiniProgramHandler = async (jump, context) => {
    if (!context?.showScreen) return pay(jump);
    const choice = await context.showScreen(payPageScreen(jump));
    return actOutChoice(sandboxUrl, choice, () => pay(jump));
  };
  return { [PROVIDER_APP_IDS.xiaoweijufu]: handler, [PROVIDER_APP_IDS.payjs]: handler };
}

export default createProviderHandlers(process.env.SANDBOX_URL ?? 'http://127.0.0.1:3001');
