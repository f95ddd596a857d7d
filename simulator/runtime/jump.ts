// Leaving for another mini program and coming back. With a handler for the target appId: App.onHide, the handler
// plays the other mini program, then App.onShow with scene 1038 and referrerInfo. Without one, the simulator does
// what WeChat DevTools does (its docs: calling this API in the tool "does not really jump to the other mini program,
// but checks whether the call succeeds"): the call has already succeeded, the app stays in the foreground, and the
// log says why nothing opened.
import type { MiniProgramHandler, MiniProgramJump } from './types';
import type { AppInstance } from './app-instance';

export interface JumpRecord {
  appId: string;
  path?: string;
  extraData?: Record<string, unknown>;
  envVersion?: string;
  returnedExtraData?: Record<string, unknown>;
  error?: string;
  /** no handler was registered for the appId: nothing opened (DevTools' behaviour) */
  noHandler?: true;
}

function clone<T>(v: T): T {
  return v === undefined ? v : JSON.parse(JSON.stringify(v));
}

/** Resolves once the app is back in the foreground (or at once when nothing opened). */
export async function jumpToMiniProgram(app: AppInstance, jump: MiniProgramJump, handler: MiniProgramHandler | undefined): Promise<void> {
  const { sim } = app;
  const record: JumpRecord = { ...clone(jump) };
  sim.jumps.push(record);
  if (!handler) {
    record.noHandler = true;
    sim.log(
      `wx.navigateToMiniProgram to ${jump.appId}: no handler for this appId (add one to simulator.handlers.js at the project root, or pass --handlers / SIM_HANDLERS); ` +
        'as in WeChat DevTools the call succeeds but no mini program opens and the app stays in the foreground',
    );
    return;
  }
  sim.pendingJumps++;
  try {
    await new Promise((r) => setImmediate(r));
    if (!app.alive) return;
    app.hide();
    let extraData: Record<string, unknown> | undefined;
    try {
      const result = await handler(clone(jump));
      extraData = result?.extraData;
      record.returnedExtraData = clone(extraData);
    } catch (err) {
      record.error = (err as Error)?.message ?? String(err);
      sim.log(`handler for ${jump.appId} failed: ${record.error}; the user comes back without extraData`);
    }
    if (!app.alive || app.visible) return;
    const top = app.top();
    app.show({
      scene: 1038,
      path: top?.route,
      query: { ...(top?.query || {}) },
      referrerInfo: extraData === undefined ? { appId: jump.appId } : { appId: jump.appId, extraData: clone(extraData) },
    });
  } finally {
    sim.pendingJumps--;
    sim.notifyIdle();
  }
}
