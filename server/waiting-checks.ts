// Caps on checks held waiting (long-poll): each one holds a socket, a file descriptor and about 10 KB until its
// order changes or its waitMs is up, so without a cap one client could exhaust the backend's file descriptors by
// asking many times about one order. Past a cap a check does not wait: it answers at once with the current status,
// and the client backs off before it asks again. Nothing is refused, so a paying user still sees the truth.
//
// The route takes a slot before asking Payments.check to wait and gives it back when the answer is sent; Payments
// knows nothing of it.

export interface WaitingChecksStats {
  /** checks waiting now */
  held: number;
  /** the most held at once since start */
  peak: number;
  /** the most held at once on one order since start */
  peakPerOrder: number;
  /** checks that asked to wait and were answered at once because of a cap */
  turnedAway: number;
}

export class WaitingChecks {
  private readonly byOrder = new Map<string, number>();
  private held = 0;
  private peak = 0;
  private peakPerOrder = 0;
  private turnedAway = 0;

  constructor(
    readonly maxPerOrder: number,
    readonly max: number,
  ) {}

  /** A slot to wait on the order, or null when a cap is reached; call the returned function once the check answered. */
  enter(outTradeNo: string): (() => void) | null {
    const onOrder = this.byOrder.get(outTradeNo) ?? 0;
    if (onOrder >= this.maxPerOrder || this.held >= this.max) {
      this.turnedAway++;
      return null;
    }
    this.byOrder.set(outTradeNo, onOrder + 1);
    this.held++;
    this.peak = Math.max(this.peak, this.held);
    this.peakPerOrder = Math.max(this.peakPerOrder, onOrder + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.held--;
      const left = (this.byOrder.get(outTradeNo) ?? 1) - 1;
      if (left > 0) this.byOrder.set(outTradeNo, left);
      else this.byOrder.delete(outTradeNo);
    };
  }

  stats(): WaitingChecksStats {
    return { held: this.held, peak: this.peak, peakPerOrder: this.peakPerOrder, turnedAway: this.turnedAway };
  }
}
