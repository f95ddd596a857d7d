// How a headless runtime hands a `wx.navigateToMiniProgram` jump to a stand-in for the other mini program.
// simulator/ calls these; sandbox/ provides the ones for the pay mini programs. Neither imports the other.

export interface MiniProgramJump {
  appId: string;
  path?: string;
  extraData?: Record<string, unknown>;
  envVersion?: string;
}

/** Receives the jump and decides what the user brings back: `extraData` absent or `{}` is the back key. */
export type MiniProgramHandler = (jump: MiniProgramJump) => Promise<{ extraData?: Record<string, unknown> }>;
