// The payments every strategy confirms: a fixed, seeded mix of notify delays (0 to 25 s, most under 3 s, some lost)
// and arrival gaps. The same seed gives the same list, so the strategies face identical payments.
import { seededRandom } from './stats';

export interface PlannedPayment {
  index: number;
  /** ms from the payment (POST /pay) to the first notify; null = the notify is lost */
  notifyDelayMs: number | null;
  /** ms to wait after the previous payment started before starting this one */
  arrivalGapMs: number;
}

/** Share of payments per notify-delay band (ms, [from, to)); the rest of the mass is `lost`. */
export const NOTIFY_DELAY_MIX: readonly { share: number; fromMs: number; toMs: number }[] = [
  { share: 0.5, fromMs: 0, toMs: 1_000 },
  { share: 0.25, fromMs: 1_000, toMs: 3_000 },
  { share: 0.1, fromMs: 3_000, toMs: 10_000 },
  { share: 0.07, fromMs: 10_000, toMs: 25_000 },
];
export const LOST_SHARE = 1 - NOTIFY_DELAY_MIX.reduce((sum, band) => sum + band.share, 0);

export function planPayments(opts: { payments: number; seed: number; delayScale: number; meanArrivalGapMs: number }): PlannedPayment[] {
  const random = seededRandom(opts.seed);
  const plan: PlannedPayment[] = [];
  for (let index = 0; index < opts.payments; index++) {
    let pick = random();
    const spread = random();
    let notifyDelayMs: number | null = null;
    for (const band of NOTIFY_DELAY_MIX) {
      if (pick < band.share) {
        notifyDelayMs = Math.round((band.fromMs + spread * (band.toMs - band.fromMs)) * opts.delayScale);
        break;
      }
      pick -= band.share;
    }
    // exponential gaps: payments arrive as a Poisson stream, not in lockstep
    const arrivalGapMs = index === 0 ? 0 : Math.round(-Math.log(1 - random()) * opts.meanArrivalGapMs);
    plan.push({ index, notifyDelayMs, arrivalGapMs });
  }
  return plan;
}
