// The benchmark's payment mix: every strategy must face the same payments, drawn as the README describes.
import { LOST_SHARE, planPayments } from '../../bench/lib/mix';
import { percentile, seededRandom } from '../../bench/lib/stats';

test('the same seed plans the same payments; another seed plans others', () => {
  const a = planPayments({ payments: 200, seed: 7, delayScale: 1, meanArrivalGapMs: 30 });
  expect(planPayments({ payments: 200, seed: 7, delayScale: 1, meanArrivalGapMs: 30 })).toEqual(a);
  expect(planPayments({ payments: 200, seed: 8, delayScale: 1, meanArrivalGapMs: 30 })).not.toEqual(a);
  expect(seededRandom(1)()).toBe(seededRandom(1)());
});

test('notify delays: 0 to 25 s, most under 3 s, some lost; --quick scales them down', () => {
  const plan = planPayments({ payments: 10_000, seed: 1, delayScale: 1, meanArrivalGapMs: 30 });
  const delays = plan.map((p) => p.notifyDelayMs).filter((d): d is number => d !== null);
  const lost = plan.length - delays.length;
  expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
  expect(Math.max(...delays)).toBeLessThan(25_000);
  expect(delays.filter((d) => d < 3_000).length / plan.length).toBeCloseTo(0.75, 1);
  expect(lost / plan.length).toBeCloseTo(LOST_SHARE, 1);
  expect(lost).toBeGreaterThan(0);
  const quick = planPayments({ payments: 10_000, seed: 1, delayScale: 0.2, meanArrivalGapMs: 30 });
  expect(Math.max(...quick.map((p) => p.notifyDelayMs ?? 0))).toBeLessThan(5_000);
  const gaps = plan.slice(1).map((p) => p.arrivalGapMs);
  expect(gaps.reduce((s, g) => s + g, 0) / gaps.length).toBeGreaterThan(25);
  expect(gaps.reduce((s, g) => s + g, 0) / gaps.length).toBeLessThan(35);
});

test('percentile is nearest-rank', () => {
  const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
  expect(percentile(sorted, 50)).toBe(50);
  expect(percentile(sorted, 95)).toBe(95);
  expect(percentile(sorted, 100)).toBe(100);
  expect(percentile([3], 99)).toBe(3);
});
