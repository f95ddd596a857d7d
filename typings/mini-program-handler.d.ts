// How a headless runtime hands a `wx.navigateToMiniProgram` jump to a stand-in for the other mini program.
// simulator/ calls these; sandbox/ provides the ones for the pay mini programs. Neither imports the other.

export interface MiniProgramJump {
  appId: string;
  path?: string;
  extraData?: Record<string, unknown>;
  envVersion?: string;
}

/** Another mini program's screen, drawn by the simulator's live preview for the person watching it. */
export interface OtherMiniProgramScreen {
  /** the navigation bar's title */
  title: string;
  brand?: string;
  headline?: string;
  amount?: string;
  rows?: { label: string; value: string }[];
  actions: { id: string; text: string; primary?: boolean }[];
  note?: string;
}

export interface MiniProgramContext {
  /**
   * Present while a person watches the simulator's live preview: shows them `screen` in place of the app and resolves
   * with the id of the action they chose, `back` (the navigation bar's back) or `closed` (the app was relaunched
   * meanwhile: nobody comes back).
   */
  showScreen?: (screen: OtherMiniProgramScreen) => Promise<string>;
}

/** Receives the jump and decides what the user brings back: `extraData` absent or `{}` is the back key. */
export type MiniProgramHandler = (
  jump: MiniProgramJump,
  context?: MiniProgramContext,
) => Promise<{ extraData?: Record<string, unknown> }>;
