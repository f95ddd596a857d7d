// What the phone around the mini program holds, outliving app launches: the system theme, the user's answers to
// permission prompts, a pending update, the location, the clipboard. Tests set it through `__sim` / the `Sim`
// protocol domain (setTheme, setAuthSetting, answerAuthorize, answerPayment, setUpdate, setLocation).
 
import type { Simulation } from '../simulation';

export type Theme = 'light' | 'dark';

export interface PendingDialog {
  kind: 'authorize' | 'payment';
  options: Record<string, unknown>;
  answer: (allow: boolean) => void;
}

export interface UpdatePlan {
  /** whether the next launch's check finds a new version */
  hasUpdate: boolean;
  /** once found, whether the download succeeds (onUpdateReady) or not (onUpdateFailed) */
  ready: boolean;
}

export interface Location {
  latitude: number;
  longitude: number;
  accuracy: number;
  altitude: number;
  speed: number;
  verticalAccuracy: number;
  horizontalAccuracy: number;
}

export interface DeviceState {
  theme: Theme;
  /** scope -> what the user answered (absent: never asked) */
  auth: Map<string, boolean>;
  dialogs: PendingDialog[];
  update: UpdatePlan;
  location: Location;
  clipboard: string;
  screenBrightness: number;
  keepScreenOn: boolean;
}

const states = new WeakMap<Simulation, DeviceState>();

export function parseTheme(value: unknown, what: string): Theme {
  if (value === 'light' || value === 'dark') return value;
  throw new Error(`${what} must be "light" or "dark", got ${JSON.stringify(value)}`);
}

export function deviceOf(sim: Simulation): DeviceState {
  let state = states.get(sim);
  if (!state) {
    const envTheme = process.env.SIM_THEME;
    state = {
      theme: envTheme ? parseTheme(envTheme, 'SIM_THEME') : 'light',
      auth: new Map(),
      dialogs: [],
      update: { hasUpdate: false, ready: true },
      // WeChat DevTools' default simulated location (Tencent's Guangzhou office)
      location: { latitude: 23.12908, longitude: 113.26436, accuracy: 65, altitude: 0, speed: -1, verticalAccuracy: 65, horizontalAccuracy: 65 },
      clipboard: '',
      screenBrightness: 0.5,
      keepScreenOn: false,
    };
    states.set(sim, state);
  }
  return state;
}

/** Starts the device in a theme (startSimulator({theme}) / SIM_THEME), before the app launches. */
export function setInitialTheme(sim: Simulation, theme: Theme): void {
  deviceOf(sim).theme = parseTheme(theme, 'theme');
}

/** Shows a dialog the test must answer (native().authorizeAllow(), closePaymentDialog(), __sim.answer...). */
export function openDialog(sim: Simulation, kind: PendingDialog['kind'], options: Record<string, unknown>): Promise<boolean> {
  const device = deviceOf(sim);
  return new Promise<boolean>((resolve) => {
    const dialog: PendingDialog = {
      kind,
      options,
      answer: (allow) => {
        device.dialogs.splice(device.dialogs.indexOf(dialog), 1);
        resolve(allow);
      },
    };
    device.dialogs.push(dialog);
    sim.log(`${kind} dialog shown (${JSON.stringify(options)}): answer it with ${kind === 'authorize' ? 'native().authorizeAllow() / authorizeCancel()' : 'native().closePaymentDialog() or __sim.answerPayment(true)'}`);
  });
}

export function answerDialog(sim: Simulation, kind: PendingDialog['kind'], allow: boolean): { answered: boolean } {
  const dialog = deviceOf(sim).dialogs.find((d) => d.kind === kind);
  if (!dialog) {
    throw new Error(kind === 'authorize'
      ? 'no authorization dialog is showing (wx.authorize / a scoped API was not called, or the scope was already decided: __sim.setAuthSetting)'
      : 'no payment dialog is showing (wx.requestPayment was not called, or was already answered)');
  }
  dialog.answer(allow);
  return { answered: true };
}
