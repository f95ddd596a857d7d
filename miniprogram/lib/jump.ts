// The jump to the provider's pay mini program. WeChat allows navigateToMiniProgram only inside the synchronous turn
// of a user tap, so this is a plain synchronous call: callers must not await or request anything before it.
import type { PayParams } from '../../typings/provider';
import type { ProviderTarget } from '../../typings/api';
import type { JumpOptions, NavigatePort, WxError } from './ports';

export type JumpFailure = 'tap-rule' | 'cancel' | 'other';

/** WeChat's errMsg strings: `navigateToMiniProgram:fail can only be invoked by user TAP gesture`, `...:fail cancel`. */
export function classifyJumpError(err: WxError | undefined): JumpFailure {
  const msg = (err && err.errMsg) || '';
  if (/TAP gesture/i.test(msg)) return 'tap-rule';
  if (/:fail cancel\b/.test(msg)) return 'cancel';
  return 'other';
}

/** The attributes of the `<navigator target="miniProgram">` fallback: the same data as the API call. */
export interface NavigatorTarget {
  appId: string;
  path: string;
  extraData: PayParams;
  version: 'develop' | 'trial' | 'release';
}

export function navigatorTarget(provider: ProviderTarget, payParams: PayParams): NavigatorTarget {
  return { appId: provider.appId, path: provider.path, extraData: payParams, version: provider.envVersion || 'release' };
}

export function jumpToProvider(
  nav: NavigatePort,
  provider: ProviderTarget,
  payParams: PayParams,
  handlers: { success(): void; fail(kind: JumpFailure, err: WxError): void },
): void {
  const options: JumpOptions = {
    appId: provider.appId,
    path: provider.path,
    extraData: { ...payParams },
    success: () => handlers.success(),
    fail: (err) => handlers.fail(classifyJumpError(err), err),
  };
  if (provider.envVersion) options.envVersion = provider.envVersion;
  try {
    nav.navigateToMiniProgram(options);
  } catch (err) {
    // a host that throws instead of calling fail (older base libraries) is treated like a refusal
    handlers.fail('other', { errMsg: `navigateToMiniProgram:fail ${String(err)}` });
  }
}
