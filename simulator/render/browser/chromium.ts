// Debian's Chromium, driven by playwright-core: never a downloaded browser. Headless, with the flags that keep it
// off the network (without them it floods a closed network with update and sync requests), and a fresh profile in
// a temporary folder that is removed on close.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext } from 'playwright-core';

export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Where Chromium is looked for: CHROMIUM_PATH, else Debian's /usr/bin/chromium. */
export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH || '/usr/bin/chromium';
}

export class ChromiumMissingError extends Error {
  override name = 'ChromiumMissingError';
  constructor(executable: string, what: string) {
    super(
      `${what} needs Chromium, which is not installed at ${executable}: install Debian's package chromium ` +
        `(sudo apt-get install chromium), or point CHROMIUM_PATH at a Chromium binary`,
    );
  }
}

export function chromiumAvailable(): boolean {
  try {
    fs.accessSync(chromiumPath(), fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface LaunchedChromium {
  context: BrowserContext;
  close(): Promise<void>;
}

export interface LaunchOptions {
  /** what the browser is for, named in the error when Chromium is missing */
  purpose: string;
  viewport: { width: number; height: number };
  deviceScaleFactor?: number;
  colorScheme?: 'light' | 'dark';
}

export async function launchChromium(options: LaunchOptions): Promise<LaunchedChromium> {
  const executable = chromiumPath();
  if (!chromiumAvailable()) throw new ChromiumMissingError(executable, options.purpose);
  const { chromium } = await import('playwright-core');
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: executable,
      headless: true,
      args: CHROMIUM_FLAGS,
      viewport: options.viewport,
      deviceScaleFactor: options.deviceScaleFactor ?? 1,
      colorScheme: options.colorScheme ?? 'light',
      reducedMotion: 'no-preference',
    });
  } catch (err) {
    fs.rmSync(profile, { recursive: true, force: true });
    throw err;
  }
  let closing: Promise<void> | undefined;
  return {
    context,
    close: () => {
      closing ??= context
        .close()
        .catch(() => undefined)
        .then(() => fs.rmSync(profile, { recursive: true, force: true }));
      return closing;
    },
  };
}
