// The simulated phone, defined once: by default an iPhone 6/7/8-sized WeChat screen (375 x 667 CSS px, the width
// WeChat's rpx is designed for: 750 rpx = 375 px), with WeChat's iOS status bar, navigation bar, capsule and tab bar;
// or another of DevTools' simulator devices, chosen by name at start (startSimulator({device}), --device, SIM_DEVICE)
// as DevTools' device menu does. Everything that speaks of the screen reads the simulation's device:
// getSystemInfoSync/getWindowInfo, getMenuButtonBoundingClientRect, the selector and intersection queries' viewport,
// the headless page size, and the browser mode's phone (its layout, wxss rpx, screenshots and the live preview's frame).
export interface Device {
  /** the screen, CSS px */
  width: number;
  height: number;
  pixelRatio: number;
  statusBarHeight: number;
  /** WeChat's navigation bar under the status bar (absent with navigationStyle: custom) */
  navigationBarHeight: number;
  /** WeChat's tab bar on a tab page (unless app.json's tabBar is custom) */
  tabBarHeight: number;
  /** the home indicator's strip at the bottom (0 on a phone with a home button) */
  safeBottom: number;
  /** the capsule (menu button), as wx.getMenuButtonBoundingClientRect answers on this phone */
  capsule: { left: number; top: number; width: number; height: number };
  /** getDeviceInfo().model */
  model: string;
}

/** A DevTools device: its screen; WeChat's bars and capsule on it (the capsule 87 x 32, 7 px from the right edge). */
function device(model: string, width: number, height: number, pixelRatio: number, statusBarHeight: number, safeBottom: number): Readonly<Device> {
  const capsuleTop = statusBarHeight + (safeBottom ? 4 : 6);
  return Object.freeze({
    width, height, pixelRatio, statusBarHeight, navigationBarHeight: 44, tabBarHeight: 49, safeBottom,
    capsule: Object.freeze({ left: width - 94, top: capsuleTop, width: 87, height: 32 }),
    model,
  });
}

/** DevTools' simulator devices, by the name its device menu shows (getDeviceInfo().model) */
export const DEVICES: readonly Readonly<Device>[] = Object.freeze([
  device('iPhone 5', 320, 568, 2, 20, 0),
  device('iPhone 6/7/8', 375, 667, 2, 20, 0),
  device('iPhone 6/7/8 Plus', 414, 736, 3, 20, 0),
  device('iPhone X', 375, 812, 3, 44, 34),
  device('iPhone XR', 414, 896, 2, 44, 34),
  device('iPhone XS Max', 414, 896, 3, 44, 34),
  device('iPhone 12/13 mini', 375, 812, 3, 50, 34),
  device('iPhone 12/13 (Pro)', 390, 844, 3, 47, 34),
  device('iPhone 12/13 Pro Max', 428, 926, 3, 47, 34),
  device('iPad', 768, 1024, 2, 20, 0),
  device('Nexus 5', 360, 640, 3, 25, 0),
]);

/** the default phone */
export const DEVICE: Readonly<Device> = DEVICES.find((d) => d.model === 'iPhone 6/7/8')!;

/** The device of that name (case and spaces do not matter); the default without one; an unknown name throws. */
export function deviceNamed(name: string | undefined): Readonly<Device> {
  if (!name) return DEVICE;
  const key = (s: string) => s.toLowerCase().replace(/\s+/g, '');
  const found = DEVICES.find((d) => key(d.model) === key(name));
  if (!found) throw new Error(`unknown device "${name}": use one of DevTools' devices: ${DEVICES.map((d) => `"${d.model}"`).join(', ')}`);
  return found;
}

/** What part of the screen a page has: under the bars unless its navigationStyle is custom, above the tab bar. */
export interface PageWindow {
  /** offset from the top of the screen */
  top: number;
  /** space kept at the bottom (the tab bar) */
  bottom: number;
  windowWidth: number;
  windowHeight: number;
  customNavigation: boolean;
  tabBar: boolean;
}

/** what of the project decides a page's window: its tab pages, and whether app.json's tab bar is drawn by WeChat */
type WindowProject = { tabPages: readonly string[]; appJson: { tabBar?: { custom?: boolean } } } | undefined;
type WindowPage = { route: string; windowConfig: Record<string, unknown> } | undefined;

export function pageWindowOf(project: WindowProject, page: WindowPage, device: Device = DEVICE): PageWindow {
  const customNavigation = page?.windowConfig.navigationStyle === 'custom';
  const tabBar = !!page && !!project?.tabPages.includes(page.route) && !project.appJson.tabBar?.custom;
  const top = page && !customNavigation ? device.statusBarHeight + device.navigationBarHeight : 0;
  const bottom = tabBar ? device.tabBarHeight + device.safeBottom : 0;
  return { top, bottom, windowWidth: device.width, windowHeight: device.height - top - bottom, customNavigation, tabBar };
}

/** The window a page gets (getSystemInfoSync().windowWidth/windowHeight); the whole screen when no page is open. */
export function windowSizeOf(project: WindowProject, page: WindowPage, device: Device = DEVICE): { windowWidth: number; windowHeight: number } {
  const { windowWidth, windowHeight } = pageWindowOf(project, page, device);
  return { windowWidth, windowHeight };
}

/** wx.getMenuButtonBoundingClientRect */
export function capsuleRect(device: Device = DEVICE): { width: number; height: number; top: number; right: number; bottom: number; left: number } {
  const { left, top, width, height } = device.capsule;
  return { width, height, top, right: left + width, bottom: top + height, left };
}
