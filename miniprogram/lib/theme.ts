// WeChat's dark mode (app.json "darkmode": true): the wxss follows it by itself through
// `@media (prefers-color-scheme: dark)` and app.json's window colours through theme.json. What wxss cannot reach (a
// component attribute such as the success icon's colour) follows the theme here, from wx.getAppBaseInfo().theme and
// wx.onThemeChange, where the host has them (base library 2.11.0+; otherwise the page stays light).
import { supports } from './feature';

export type ThemeName = 'light' | 'dark';

export interface ThemePort {
  canIUse?(schema: string): boolean;
  getAppBaseInfo?(): { theme?: string };
  getSystemInfoSync?(): { theme?: string };
  onThemeChange?(listener: (res: { theme: string }) => void): void;
}

export interface ThemeSource {
  readonly current: ThemeName;
  onChange(listener: (theme: ThemeName) => void): () => void;
}

/** The success icon's colour per theme: a graphic, so at least 3:1 against the page (test/unit/contrast.test.ts). */
export const ICON_COLORS: Readonly<Record<ThemeName, string>> = { light: '#06793c', dark: '#07c160' };

const asTheme = (value: unknown): ThemeName | null => (value === 'dark' || value === 'light' ? value : null);

function initialTheme(wx: ThemePort): ThemeName {
  for (const api of ['getAppBaseInfo', 'getSystemInfoSync'] as const) {
    if (!supports(wx, api)) continue;
    try {
      const theme = asTheme(wx[api]!().theme);
      if (theme) return theme;
    } catch {
      // try the next one
    }
  }
  return 'light';
}

export function createThemeSource(wx: ThemePort): ThemeSource {
  let current = initialTheme(wx);
  const listeners = new Set<(theme: ThemeName) => void>();
  if (supports(wx, 'onThemeChange')) {
    try {
      wx.onThemeChange!((res) => {
        const theme = asTheme(res && res.theme);
        if (!theme || theme === current) return;
        current = theme;
        for (const listener of Array.from(listeners)) listener(theme);
      });
    } catch {
      // listed but not working: the page keeps its first theme
    }
  }
  return {
    get current() {
      return current;
    },
    onChange(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}
