// The simulated phone's screen (DevTools' default device, iPhone 12/13 Pro) and the window a page gets on it: the
// screen less WeChat's status and navigation bars (unless the page's navigationStyle is custom) and the tab bar on a
// tab page. getSystemInfoSync/getWindowInfo report it; the headless renderer's page size is it.
import type { Project } from './project';

export const SCREEN = { width: 390, height: 844, pixelRatio: 3, statusBarHeight: 47, navigationBarHeight: 44, tabBarHeight: 49, safeBottom: 34 } as const;

export function windowSizeOf(project: Pick<Project, 'tabPages' | 'appJson'> | undefined, page: { route: string; windowConfig: Record<string, unknown> } | undefined): { windowWidth: number; windowHeight: number } {
  let height: number = SCREEN.height;
  if (page) {
    if (page.windowConfig.navigationStyle !== 'custom') height -= SCREEN.statusBarHeight + SCREEN.navigationBarHeight;
    if (project?.tabPages.includes(page.route) && !project.appJson.tabBar?.custom) height -= SCREEN.tabBarHeight + SCREEN.safeBottom;
  }
  return { windowWidth: SCREEN.width, windowHeight: height };
}
