// Settings, permission prompts, login and user info, payment, location, clipboard: what the user answers is the
// device's (device.ts), set ahead with __sim.setAuthSetting or answered when the prompt shows
// (native().authorizeAllow() / authorizeCancel(), __sim.answerAuthorize(allow)), as in DevTools.
 
import { fail } from '../errors';
import type { WxDefinitions } from './core';
import { deviceOf, openDialog } from './device';

/** The scope each prompting API asks for. */
const SCOPE_OF: Record<string, string> = {
  getLocation: 'scope.userLocation',
  startLocationUpdate: 'scope.userLocation',
  startLocationUpdateBackground: 'scope.userLocationBackground',
  getFuzzyLocation: 'scope.userFuzzyLocation',
  getWeRunData: 'scope.werun',
};

const ANONYMOUS_USER = {
  nickName: '微信用户',
  avatarUrl: 'https://thirdwx.qlogo.cn/mmopen/vi_32/POgEwh4mIHO4nibH0KlMECNjjGxQUq24ZEaGT4poC6icRiccVGKSyXwibcPq4BWmiaIGuG1icwxaQX6grC9VemZoJ8rg/132',
  gender: 0,
  country: '',
  province: '',
  city: '',
  language: '',
};

export function defineOpen(d: WxDefinitions): void {
  const app = d.app;
  const sim = app.sim;
  const device = () => deviceOf(sim);

  /** Resolves once the scope is granted; fails "auth deny" when the user refuses now or did before. */
  const authorizeScope = async (scope: string): Promise<void> => {
    const known = device().auth.get(scope);
    if (known === true) return;
    if (known === false) fail('auth deny');
    const allow = await openDialog(sim, 'authorize', { scope });
    device().auth.set(scope, allow);
    if (!allow) fail('auth deny');
  };

  const authSetting = () => Object.fromEntries(device().auth);

  d.async('getSetting', 'supported', (o) => ({
    authSetting: authSetting(),
    ...(o.withSubscriptions ? { subscriptionsSetting: { mainSwitch: true, itemSettings: {} } } : {}),
  }), 'the scopes the user decided (prompts answered, or __sim.setAuthSetting)');
  d.async('authorize', 'supported', async (o) => {
    if (typeof o.scope !== 'string' || !o.scope.startsWith('scope.')) fail(`invalid scope ${JSON.stringify(o.scope)}`);
    await authorizeScope(o.scope);
    return {};
  }, 'an undecided scope shows a prompt answered by native().authorizeAllow()/authorizeCancel() or __sim.answerAuthorize(allow)');
  const openSettingNeedsTap = () => {
    if (!app.inUserTap()) fail('can only be invoked by user TAP gesture');
  };
  d.async('openSetting', 'supported', (o) => {
    openSettingNeedsTap();
    return { authSetting: authSetting(), ...(o.withSubscriptions ? { subscriptionsSetting: { mainSwitch: true, itemSettings: {} } } : {}) };
  }, 'only in a tap, as WeChat; the user comes back without changing anything (change it with __sim.setAuthSetting)');
  d.async('openAppAuthorizeSetting', 'stubbed', () => ({}), 'WeChat\'s system settings page: nothing to change in the simulator');
  d.async('getPrivacySetting', 'supported', () => ({ needAuthorization: false, privacyContractName: '《小程序隐私保护指引》' }), 'the user has agreed to the privacy guide');
  d.async('requirePrivacyAuthorize', 'supported', () => ({}));
  d.async('openPrivacyContract', 'stubbed', () => ({}), 'opens nothing');
  d.listener('onNeedPrivacyAuthorization', 'stubbed', 'never needed: the privacy guide counts as agreed');

  let loginSeq = 0;
  d.async('login', 'supported', () => ({ code: `sim-code-${++loginSeq}` }), 'a fresh code each call ("sim-code-N"); no WeChat server checks it');
  d.async('checkSession', 'supported', () => ({}));
  d.async('getUserInfo', 'supported', () => ({ userInfo: { ...ANONYMOUS_USER }, rawData: JSON.stringify(ANONYMOUS_USER), signature: '', encryptedData: '', iv: '' }), 'the anonymous 微信用户 profile WeChat gives since 2022');
  d.async('getUserProfile', 'supported', (o) => {
    if (!app.inUserTap()) fail('can only be invoked by user TAP gesture.');
    if (!o.desc) fail('desc is required');
    return { userInfo: { ...ANONYMOUS_USER }, rawData: JSON.stringify(ANONYMOUS_USER), signature: '', encryptedData: '', iv: '' };
  }, 'in a tap only; the anonymous 微信用户 profile');

  d.async('requestPayment', 'supported', async (o) => {
    const allow = await openDialog(sim, 'payment', { ...o, success: undefined, fail: undefined, complete: undefined });
    if (!allow) fail('cancel');
    return {};
  }, 'shows a payment dialog: native().closePaymentDialog() fails it with "cancel", __sim.answerPayment(true) pays');

  // ---- location -------------------------------------------------------------------------------------
  const location = () => ({ ...device().location });
  d.async('getLocation', 'supported', async () => {
    await authorizeScope(SCOPE_OF.getLocation);
    return location();
  }, 'asks for scope.userLocation, then answers the device\'s location (__sim.setLocation)');
  d.async('getFuzzyLocation', 'supported', async () => {
    await authorizeScope(SCOPE_OF.getFuzzyLocation);
    const { latitude, longitude } = location();
    return { latitude: Math.round(latitude * 100) / 100, longitude: Math.round(longitude * 100) / 100 };
  });
  d.async('startLocationUpdate', 'stubbed', async () => {
    await authorizeScope(SCOPE_OF.startLocationUpdate);
    return {};
  }, 'asks for scope.userLocation; the device never moves, so onLocationChange never fires');
  d.async('stopLocationUpdate', 'supported', () => ({}));
  d.async('openLocation', 'stubbed', () => ({}), 'the map page would open; nothing to see headless');

  // ---- clipboard, phone, vibration --------------------------------------------------------------------
  d.async('setClipboardData', 'supported', (o) => {
    device().clipboard = String(o.data ?? '');
    return {};
  }, 'the device clipboard, kept across restarts');
  d.async('getClipboardData', 'supported', () => ({ data: device().clipboard }));
  d.async('makePhoneCall', 'stubbed', (o) => {
    if (!o.phoneNumber) fail('parameter error: parameter.phoneNumber should be String instead of Undefined;');
    return {};
  }, 'nothing dials');
  for (const name of ['vibrateShort', 'vibrateLong']) d.async(name, 'stubbed', () => ({}), 'nothing vibrates');
  d.async('previewImage', 'stubbed', () => ({}), 'the image viewer would open; nothing to see headless');
  d.async('previewMedia', 'stubbed', () => ({}), 'the media viewer would open; nothing to see headless');
}
