// Time for the client: a wall clock for stamps (jumpedAt, comparing with the backend's expiresAt) and a monotonic
// clock for every wait and deadline (confirmation deadline, backoff, check intervals), so a phone whose clock is set
// an hour back or forward (NTP, the user, a time zone app) neither waits an hour nor gives up at once.
//
// What WeChat's JS engine offers (JavaScriptCore on iOS, V8 on Android, NW.js in DevTools):
// - Date.now(): wall time, moves when the phone's clock is set. Stamps only.
// - wx.getPerformance(): in mini programs it returns a Performance object documented with getEntries() and
//   createObserver() only; `now()` is a mini game API, documented in microseconds but returning milliseconds in
//   DevTools (a known DevTools bug). A unit error would turn a 60 s deadline into 60 ms or 17 hours, so it is not used.
// - a global `performance`: not part of the mini program's documented environment; not relied on.
// - setTimeout: runs on the engine's own timer, which does not follow the wall clock.
// So the monotonic clock is the wall clock disciplined by a timer: while anyone reads it, a heartbeat every second
// reads the wall clock, and no step is taken backwards or longer than one heartbeat plus slack. A step of the wall
// clock therefore moves this clock by at most ~2 s; between heartbeats it is as precise as Date.now().
import type { Clock, TimerHandle } from './ports';

export interface Timers {
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export interface DisciplinedClockOptions {
  /** heartbeat period */
  beatMs?: number;
  /** how late a heartbeat may run (a busy JS thread) before the excess is no longer counted */
  slackMs?: number;
  /** the heartbeat stops after this long without a read; the next read starts it again */
  idleMs?: number;
}

/**
 * A monotonic reading in ms from an arbitrary origin, made from a wall clock and timers. Never decreases; a wall
 * clock step moves it by at most one heartbeat plus slack while it is in use. Time the JS thread spends suspended
 * (app in the background) may count less than it lasted, which is what the confirmer wants anyway: it pauses then.
 */
export function createDisciplinedMonotonic(wallNow: () => number, timers: Timers, options: DisciplinedClockOptions = {}): () => number {
  const beatMs = options.beatMs ?? 1000;
  const maxStep = beatMs + (options.slackMs ?? 1000);
  const idleMs = options.idleMs ?? 120000;
  let reading = 0;
  let lastWall = wallNow();
  let lastUse = 0;
  let heartbeat: TimerHandle | null = null;

  const advance = (cap: number | null) => {
    const wall = wallNow();
    let step = wall - lastWall;
    lastWall = wall;
    // a step back (or a broken Date): time stands still rather than running backwards
    if (!(step > 0)) step = 0;
    if (cap !== null && step > cap) step = cap;
    reading += step;
  };
  const beat = () => {
    heartbeat = null;
    advance(maxStep);
    if (reading - lastUse < idleMs) heartbeat = timers.setTimeout(beat, beatMs);
  };
  return () => {
    // while the heartbeat runs, the last wall reading is at most one beat old: a longer step is the wall clock moving
    advance(heartbeat !== null ? maxStep : null);
    lastUse = reading;
    if (heartbeat === null) heartbeat = timers.setTimeout(beat, beatMs);
    return reading;
  };
}

/** The clock the app runs on: Date.now() for stamps, the disciplined monotonic clock for waits, the host's timers. */
export function createHostClock(host: { wallNow: () => number } & Timers): Clock {
  const timers: Timers = { setTimeout: host.setTimeout, clearTimeout: host.clearTimeout };
  return {
    now: host.wallNow,
    monotonic: createDisciplinedMonotonic(host.wallNow, timers),
    setTimeout: timers.setTimeout,
    clearTimeout: timers.clearTimeout,
  };
}
