// wx.getUpdateManager: WeChat checks for a new version at each cold start and tells the manager's listeners, even
// ones registered after the check finished. The check's answer is the device's update plan (__sim.setUpdate):
// no update by default; with one, onUpdateReady (or onUpdateFailed) follows, and applyUpdate() restarts the app on
// the new version (a cold restart that keeps storage; the plan goes back to "no update").
import type { WxDefinitions } from './core';
import { deviceOf, type UpdatePlan } from './device';

type Listener = (res?: unknown) => void;

/** What wx.getUpdateManager returns (one per launch). */
interface UpdateManager {
  onCheckForUpdate(fn: Listener): void;
  onUpdateReady(fn: Listener): void;
  onUpdateFailed(fn: Listener): void;
  applyUpdate(): void;
}

export function defineUpdate(d: WxDefinitions): void {
  const app = d.app;
  const sim = app.sim;
  // the plan this launch's check sees, fixed at launch
  const plan: UpdatePlan = { ...deviceOf(sim).update };
  let ready = false;
  let manager: UpdateManager | undefined;

  const later = (fn: () => void) => setImmediate(() => app.alive && app.guard(fn, 'update manager listener'));

  d.sync('getUpdateManager', 'supported', () => {
    if (manager) return manager;
    const on = (event: 'check' | 'ready' | 'failed') => (fn: Listener) => {
      if (typeof fn !== 'function') return;
      if (event === 'check') later(() => fn({ hasUpdate: plan.hasUpdate }));
      else if (plan.hasUpdate && plan.ready === (event === 'ready')) later(() => {
        if (event === 'ready') ready = true;
        fn();
      });
    };
    manager = {
      onCheckForUpdate: on('check'),
      onUpdateReady: on('ready'),
      onUpdateFailed: on('failed'),
      applyUpdate: () => {
        if (!ready) {
          sim.log('UpdateManager.applyUpdate() called before onUpdateReady: ignored, as WeChat does');
          return;
        }
        deviceOf(sim).update = { hasUpdate: false, ready: true };
        setImmediate(() => {
          if (app.alive) void sim.restart({}).catch((err: Error) => sim.log(`restart for applyUpdate failed: ${err.message}`));
        });
      },
    };
    return manager;
  }, 'the check answers __sim.setUpdate({hasUpdate, ready}) (no update by default); applyUpdate() cold-restarts the app');
}
