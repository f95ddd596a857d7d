// App: builds the runtime from `wx` once, at module load, and feeds it the app's show/hide events.
import { createAppRuntime, initialGlobalData } from './lib/runtime';
import { resolveBackend, type EnvVersion } from './lib/config';
import { createHostClock } from './lib/clock';

function envVersion(): EnvVersion {
  try {
    return wx.getAccountInfoSync().miniProgram.envVersion as EnvVersion;
  } catch {
    return 'develop';
  }
}

// Date.now() for stamps only; waits and deadlines run on the timer-disciplined monotonic clock (lib/clock.ts)
const clock = createHostClock({
  wallNow: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as number),
});

const globalData = initialGlobalData();
const backend = resolveBackend(envVersion());
const runtime = createAppRuntime({ wx, clock, baseUrl: backend.baseUrl, configProblem: backend.problem, globalData });

App<IAppOption>({
  globalData,
  runtime,
  onShow(options) {
    runtime.onShow(options);
  },
  onHide() {
    runtime.onHide();
  },
});
