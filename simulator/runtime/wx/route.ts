// Routing between pages and to other mini programs (handlers registered with the simulator act them out).
import { fail } from '../errors';
import type { MiniProgramJump } from '../types';
import { settle, type WxDefinitions, type WxOptions } from './core';
import { channelPair, expectOpenedPage, settleOpenedPage } from './instance';

export function defineRoute(d: WxDefinitions): void {
  const app = d.app;
  const sim = app.sim;

  for (const name of ['navigateTo', 'redirectTo', 'reLaunch', 'switchTab', 'navigateBack']) {
    d.raw(name, 'supported', (opts?: WxOptions) =>
      settle(app, name, opts, async () => {
        // WeChat routes after the current turn; the success callback comes once the new page is ready
        await new Promise((r) => setImmediate(r));
        if (!app.alive) return new Promise(() => undefined);
        if (name !== 'navigateTo') {
          app.route(name, opts ?? {});
          return {};
        }
        // navigateTo's event channel: the opener's end answers here, the opened page's end is its
        // this.getOpenerEventChannel()
        const [opener, opened] = channelPair(app, opts?.events as Record<string, unknown> | undefined);
        expectOpenedPage(app, opened);
        try {
          app.route(name, opts ?? {});
          settleOpenedPage(app);
        } finally {
          expectOpenedPage(app, undefined);
        }
        return { eventChannel: opener };
      }), name === 'switchTab' ? 'tab pages stay alive: the other pages close, the tab left hides and shows again with its data' : name === 'navigateTo' ? 'with the event channel (events, res.eventChannel, getOpenerEventChannel)' : undefined);
  }

  d.raw('navigateToMiniProgram', 'supported', (opts?: WxOptions) => {
    const o = opts ?? {};
    const inTap = app.inUserTap();
    return settle(app, 'navigateToMiniProgram', o, () => {
      if (!inTap) fail('can only be invoked by user TAP gesture');
      if (typeof o.appId !== 'string' || !o.appId) fail('invalid appId: appId should be a non-empty string');
      // path, extraData and envVersion go to the handler as the app gave them
      const jump = { appId: o.appId, path: o.path, extraData: o.extraData, envVersion: o.envVersion } as MiniProgramJump;
      // no handler for the appId: DevTools' behaviour (the call succeeds, nothing opens), see jump.ts
      void app.jump(jump, sim.handlers[o.appId]);
      return {};
    });
  }, 'in a tap only; the handler registered for the appId acts out the other mini program, then the app comes back with scene 1038 (no handler: succeeds and nothing opens, as in DevTools, with a log line saying why)');
  d.async('navigateBackMiniProgram', 'supported', () => fail('the app was not opened by another mini program'), 'fails: the simulated app is never opened by another mini program');
  d.async('exitMiniProgram', 'supported', () => {
    setImmediate(() => app.alive && app.hide());
    return {};
  }, 'the app goes to the background (App.onHide)');
  d.async('restartMiniProgram', 'supported', (o) => {
    setImmediate(() => {
      if (app.alive) void sim.restart({ path: typeof o.path === 'string' ? o.path.replace(/^\//, '') : undefined }).catch((err: Error) => sim.log(`restartMiniProgram failed: ${err.message}`));
    });
    return {};
  }, 'a cold restart (storage kept), on o.path if given');
}
