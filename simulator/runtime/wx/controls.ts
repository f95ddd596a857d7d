// The device controls, part of `__sim` and of the protocol's Sim domain: what a tester does to the phone around the
// app (switch the system theme, answer permission and payment prompts, publish an update, move the phone).
import type { Simulation } from '../simulation';
import { answerDialog, deviceOf, type Location, type PendingDialog, type Theme, type UpdatePlan } from './device';
import { setTheme } from './system';

export interface DeviceControls {
  /** switches the system theme; App/page onThemeChange and wx.onThemeChange fire when it changes */
  setTheme(theme: Theme | { theme: Theme }): { theme: Theme };
  theme(): Theme;
  /** decides scopes as if the user had answered (true: allowed, false: denied, null: never asked) */
  setAuthSetting(settings: Record<string, boolean | null>): Record<string, boolean>;
  /** answers the authorization prompt on screen (native().authorizeAllow()/authorizeCancel() do the same) */
  answerAuthorize(allow?: boolean): { answered: boolean };
  /** answers the payment dialog on screen: pays, or cancels (native().closePaymentDialog()) */
  answerPayment(paid?: boolean): { answered: boolean };
  /** prompts waiting for an answer */
  dialogs(): { kind: PendingDialog['kind']; options: Record<string, unknown> }[];
  /** what the next launch's update check finds */
  setUpdate(plan: Partial<UpdatePlan>): UpdatePlan;
  setLocation(location: Partial<Location>): Location;
  /** the window settings of the page on top (app.json window + page json, @variables resolved for the theme) */
  window(): Record<string, unknown>;
  /** the pages app.json lists (subpackages included), and those whose files are missing, with why */
  pages(): { pages: string[]; entryPage: string; tabPages: string[]; missingPages: Record<string, string> };
}

export function deviceControls(sim: Simulation): DeviceControls {
  return {
    setTheme: (theme) => setTheme(sim, typeof theme === 'object' && theme ? theme.theme : theme),
    theme: () => deviceOf(sim).theme,
    setAuthSetting: (settings) => {
      const auth = deviceOf(sim).auth;
      for (const [scope, v] of Object.entries(settings ?? {})) {
        if (v === null || v === undefined) auth.delete(scope);
        else auth.set(scope, !!v);
      }
      return Object.fromEntries(auth);
    },
    answerAuthorize: (allow) => answerDialog(sim, 'authorize', allow !== false),
    answerPayment: (paid) => answerDialog(sim, 'payment', paid !== false),
    dialogs: () => deviceOf(sim).dialogs.map((d) => ({ kind: d.kind, options: JSON.parse(JSON.stringify(d.options)) })),
    setUpdate: (plan) => {
      deviceOf(sim).update = { hasUpdate: !!plan?.hasUpdate, ready: plan?.ready !== false };
      return { ...deviceOf(sim).update };
    },
    window: () => {
      const top = sim.app?.top();
      if (!top) throw new Error('no page is open');
      return JSON.parse(JSON.stringify(top.windowConfig));
    },
    pages: () => ({ pages: [...sim.project.pages], entryPage: sim.project.entryPage, tabPages: [...sim.project.tabPages], missingPages: { ...sim.project.missingPages } }),
    setLocation: (location) => {
      const device = deviceOf(sim);
      device.location = { ...device.location, ...location };
      return { ...device.location };
    },
  };
}
