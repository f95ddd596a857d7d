// The provider's pay mini program as a simulator handler: the simulator hands it the jump, it asks the sandbox's
// /pay what the user does there, and resolves with the extraData the app gets back (`{}` = the back key).
//
// Contract (simulator/ and the e2e suite rely on it):
//   createProviderHandlers(sandboxUrl): Record<appId, MiniProgramHandler>, keyed by
//   小微聚付 'wx959c8c1fb2d89988' and PayJS 'wx959c8c1fb2d877b5'.
//   The default export is handlers for the sandbox at SANDBOX_URL, else http://127.0.0.1:<SANDBOX_PORT> (3001 by
//   default, as `npm run serve` starts it): the project's simulator.handlers.js exports it.
// While a person watches the simulator's live preview, the handler shows them the stand-in pay page first
// (preview-pay-page.ts) and acts out their choice.
// A sandbox refusal (bad sign, invalid field) comes back as {success: false, resultCode: <code>, msg: <message>},
// as the real pay mini program would show an error and let the user return.

import { postJson } from '../common/http-client';
import { DEV_HOST, DEV_SANDBOX_PORT } from '../config/dev-defaults';
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

/** Where `npm run serve` put the sandbox: SANDBOX_URL, else 127.0.0.1 at SANDBOX_PORT (default 3001). */
export function sandboxUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SANDBOX_URL) return env.SANDBOX_URL;
  const port = env.SANDBOX_PORT || String(DEV_SANDBOX_PORT);
  if (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
    throw new Error(`SANDBOX_PORT must be the sandbox's port (1..65535), got "${port}"`);
  }
  return `http://${DEV_HOST}:${port}`;
}

/** The handlers for the sandbox the environment names; a bad SANDBOX_PORT fails the jump (and says why), not the import. */
function handlersFromEnv(): Record<string, MiniProgramHandler> {
  try {
    return createProviderHandlers(sandboxUrlFromEnv());
  } catch (err) {
    const refuse: MiniProgramHandler = async () => {
      throw err;
    };
    return { [PROVIDER_APP_IDS.xiaoweijufu]: refuse, [PROVIDER_APP_IDS.payjs]: refuse };
  }
}

export default handlersFromEnv();
