// The simulated phone's screen and the window a page gets on it: the screen less WeChat's status and navigation bars
// (unless the page's navigationStyle is custom) and the tab bar on a tab page. getSystemInfoSync/getWindowInfo report
// it; the headless renderer's page size is it. The phone is one of DevTools' simulator devices, chosen at start
// (startSimulator({device}), --device, SIM_DEVICE) as DevTools' device menu does; the default is DevTools' own.
import type { Project } from './project';

export interface Device {
  /** the name DevTools' device menu shows */
  name: string;
  width: number;
  height: number;
  pixelRatio: number;
  statusBarHeight: number;
  /** the home indicator's strip at the bottom of the safe area (0 on phones with a home button) */
  safeBottom: number;
}

export const DEVICES: readonly Device[] = [
  { name: 'iPhone 5', width: 320, height: 568, pixelRatio: 2, statusBarHeight: 20, safeBottom: 0 },
  { name: 'iPhone 6/7/8', width: 375, height: 667, pixelRatio: 2, statusBarHeight: 20, safeBottom: 0 },
  { name: 'iPhone 6/7/8 Plus', width: 414, height: 736, pixelRatio: 3, statusBarHeight: 20, safeBottom: 0 },
  { name: 'iPhone X', width: 375, height: 812, pixelRatio: 3, statusBarHeight: 44, safeBottom: 34 },
  { name: 'iPhone XR', width: 414, height: 896, pixelRatio: 2, statusBarHeight: 44, safeBottom: 34 },
  { name: 'iPhone XS Max', width: 414, height: 896, pixelRatio: 3, statusBarHeight: 44, safeBottom: 34 },
  { name: 'iPhone 12/13 mini', width: 375, height: 812, pixelRatio: 3, statusBarHeight: 50, safeBottom: 34 },
  { name: 'iPhone 12/13 (Pro)', width: 390, height: 844, pixelRatio: 3, statusBarHeight: 47, safeBottom: 34 },
  { name: 'iPhone 12/13 Pro Max', width: 428, height: 926, pixelRatio: 3, statusBarHeight: 47, safeBottom: 34 },
  { name: 'iPad', width: 768, height: 1024, pixelRatio: 2, statusBarHeight: 20, safeBottom: 0 },
  { name: 'Nexus 5', width: 360, height: 640, pixelRatio: 3, statusBarHeight: 25, safeBottom: 0 },
];

export const DEFAULT_DEVICE = 'iPhone 12/13 (Pro)';

function deviceNamed(name: string): Device | undefined {
  const key = name.toLowerCase().replace(/\s+/g, '');
  return DEVICES.find((d) => d.name.toLowerCase().replace(/\s+/g, '') === key);
}

/** The phone of this process (one simulated phone at a time): its screen and WeChat's bars on it. */
export const SCREEN = { ...deviceNamed(DEFAULT_DEVICE)!, navigationBarHeight: 44, tabBarHeight: 49 };

/** Makes the simulated phone the named DevTools device (the default when no name is given); unknown names throw. */
export function useDevice(name?: string): Device {
  const device = deviceNamed(name || DEFAULT_DEVICE);
  if (!device) throw new Error(`unknown device "${name}": use one of DevTools' devices: ${DEVICES.map((d) => `"${d.name}"`).join(', ')}`);
  Object.assign(SCREEN, device);
  return device;
}

export function windowSizeOf(project: Pick<Project, 'tabPages' | 'appJson'> | undefined, page: { route: string; windowConfig: Record<string, unknown> } | undefined): { windowWidth: number; windowHeight: number } {
  let height: number = SCREEN.height;
  if (page) {
    if (page.windowConfig.navigationStyle !== 'custom') height -= SCREEN.statusBarHeight + SCREEN.navigationBarHeight;
    if (project?.tabPages.includes(page.route) && !project.appJson.tabBar?.custom) height -= SCREEN.tabBarHeight + SCREEN.safeBottom;
  }
  return { windowWidth: SCREEN.width, windowHeight: height };
}
