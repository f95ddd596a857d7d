// The app's monotonic clock: the wall clock disciplined by a heartbeat timer (lib/clock.ts).
import { createDisciplinedMonotonic, createHostClock } from '../../miniprogram/lib/clock';

const HOUR = 3600 * 1000;
const timers = { setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms), clearTimeout: (h: unknown) => clearTimeout(h as ReturnType<typeof setTimeout>) };

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

test('follows the elapsed time between readings', async () => {
  const mono = createDisciplinedMonotonic(() => Date.now(), timers);
  const t0 = mono();
  await jest.advanceTimersByTimeAsync(1234);
  expect(mono() - t0).toBe(1234);
  await jest.advanceTimersByTimeAsync(30000);
  expect(mono() - t0).toBe(31234);
});

test('a wall clock step back of an hour: never runs backwards, and keeps counting from there', async () => {
  const mono = createDisciplinedMonotonic(() => Date.now(), timers);
  const t0 = mono();
  await jest.advanceTimersByTimeAsync(500);
  jest.setSystemTime(Date.now() - HOUR);
  const after = mono();
  expect(after).toBeGreaterThanOrEqual(t0);
  expect(after - t0).toBeLessThanOrEqual(500);
  await jest.advanceTimersByTimeAsync(10000);
  expect(mono() - after).toBe(10000);
});

test('a wall clock step forward of an hour moves it by at most one heartbeat plus slack', async () => {
  const mono = createDisciplinedMonotonic(() => Date.now(), timers);
  const t0 = mono();
  await jest.advanceTimersByTimeAsync(300);
  jest.setSystemTime(Date.now() + HOUR);
  expect(mono() - t0).toBeLessThanOrEqual(300 + 2000);
  await jest.advanceTimersByTimeAsync(5000);
  const elapsed = mono() - t0;
  expect(elapsed).toBeGreaterThanOrEqual(5300);
  expect(elapsed).toBeLessThanOrEqual(5300 + 2000);
});

test('the heartbeat stops when nobody reads the clock, and the next reading counts the idle time', async () => {
  const mono = createDisciplinedMonotonic(() => Date.now(), timers, { idleMs: 10000 });
  const t0 = mono();
  await jest.advanceTimersByTimeAsync(12000);
  expect(jest.getTimerCount()).toBe(0);
  await jest.advanceTimersByTimeAsync(60000);
  expect(mono() - t0).toBe(72000);
  expect(jest.getTimerCount()).toBe(1);
});

test('the host clock: wall stamps from Date.now, waits on the monotonic reading', async () => {
  const clock = createHostClock({ wallNow: () => Date.now(), ...timers });
  expect(Math.abs(clock.now() - Date.now())).toBeLessThan(5);
  const m0 = clock.monotonic();
  jest.setSystemTime(Date.now() + HOUR);
  expect(clock.now() - Date.now()).toBeLessThan(5);
  expect(clock.monotonic() - m0).toBeLessThan(2001);
});
