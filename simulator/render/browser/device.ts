// The phone the browser mode shows: an iPhone 6/7/8-sized WeChat screen, the width WeChat's rpx is designed for
// (750 rpx = 375 px, so 1 rpx = 0.5 px). The navigation bar and capsule sizes are WeChat's on iOS.
export interface Device {
  /** CSS px */
  width: number;
  height: number;
  pixelRatio: number;
  statusBarHeight: number;
  navigationBarHeight: number;
  /** the capsule (menu button) as wx.getMenuButtonBoundingClientRect answers on this phone */
  capsule: { left: number; top: number; width: number; height: number };
}

export const DEFAULT_DEVICE: Device = {
  width: 375,
  height: 667,
  pixelRatio: 2,
  statusBarHeight: 20,
  navigationBarHeight: 44,
  capsule: { left: 281, top: 26, width: 87, height: 32 },
};

/** What a page's viewport is: the screen under the status and navigation bars. */
export function windowSize(device: Device): { width: number; height: number } {
  return { width: device.width, height: device.height - device.statusBarHeight - device.navigationBarHeight };
}
