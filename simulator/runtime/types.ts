export type { MiniProgramHandler, MiniProgramJump } from '../../typings/mini-program-handler';

export interface ReferrerInfo {
  appId?: string;
  extraData?: Record<string, unknown>;
}

/** What App.onLaunch / App.onShow / wx.getEnterOptionsSync see. */
export interface EnterOptions {
  scene: number;
  path: string;
  query: Record<string, string>;
  referrerInfo: ReferrerInfo;
  apiCategory?: string;
}

/** What a test passes to __sim.appShow / __sim.restart. */
export interface ShowRequest {
  scene?: number;
  path?: string;
  query?: Record<string, string>;
  referrerInfo?: ReferrerInfo;
}

export type Log = (line: string) => void;

export const SDK_VERSION = '3.3.4';
