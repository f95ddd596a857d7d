// The simulator's test controls, reachable from functions the specs send with miniProgram.evaluate().
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const __sim: {
  appHide(): Promise<void>;
  appShow(options: { scene: number; path?: string; query?: Record<string, string>; referrerInfo?: { appId?: string; extraData?: Record<string, unknown> } }): Promise<void>;
  restart(options: { scene: number; path?: string; query?: Record<string, string>; referrerInfo?: { appId?: string; extraData?: Record<string, unknown> } }): Promise<void>;
  setNetwork(options: { online: boolean }): void;
  idle(): Promise<void>;
  jumps(): any[];
  requests(): any[];
  storage(): Record<string, unknown>;
  setTheme(theme: 'light' | 'dark'): { theme: 'light' | 'dark' };
  answerModal(confirm?: boolean): { confirm: boolean };
  actionSheet(): Record<string, unknown> | null;
  answerActionSheet(tapIndex?: number | null): { tapIndex: number | null };
};

/** The mini program's own global, available inside evaluate()d functions. */
declare function getCurrentPages(): unknown[];
