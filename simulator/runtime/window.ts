// The simulated phone, defined once: an iPhone 6/7/8-sized WeChat screen (375 x 667 CSS px, the width WeChat's rpx is
// designed for: 750 rpx = 375 px), with WeChat's iOS status bar, navigation bar, capsule and tab bar. Everything that
// speaks of the screen reads it from here: getSystemInfoSync/getWindowInfo, getMenuButtonBoundingClientRect, the
// selector and intersection queries' viewport, the headless page size, and the browser mode's phone (its layout,
// wxss rpx, screenshots and the live preview's frame).
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

export const DEVICE: Readonly<Device> = Object.freeze({
  width: 375,
  height: 667,
  pixelRatio: 2,
  statusBarHeight: 20,
  navigationBarHeight: 44,
  tabBarHeight: 49,
  safeBottom: 0,
  capsule: Object.freeze({ left: 281, top: 26, width: 87, height: 32 }),
  model: 'iPhone 6/7/8',
});

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
