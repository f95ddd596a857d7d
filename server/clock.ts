// The server's two clocks, as a port so tests can step the wall clock.
// - wall: epoch ms, for what is stored or shown (createdAt, expiresAt, paidAt, an outbox entry's next attempt);
// - monotonic: ms from an arbitrary origin that never jumps, for every wait and deadline in this process (a long-poll
//   held waitMs, the delay before a provider query, a fulfilment retry). Node's timers already run on a monotonic
//   clock; what must not use the wall clock is the arithmetic that decides how long to wait.

export interface Clock {
  /** wall-clock time, epoch ms */
  now(): number;
  /** monotonic time in ms; only differences mean anything */
  monotonic(): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
};

/**
 * How long until a stored wall-clock due time, as a delay this process can wait on its monotonic clock.
 * A stored time can lie further ahead than anything this server would have set only when the wall clock was stepped
 * back since: such a due time counts as `bound` from now, so a step back of an hour costs at most one `bound`, never
 * an hour. A step forward makes things due at once, which is never later than planned.
 */
export function delayUntil(dueAt: number, wallNow: number, bound: number): number {
  return Math.max(0, Math.min(dueAt - wallNow, bound));
}
