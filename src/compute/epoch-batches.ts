/**
 * Per-epoch figures (and, when given, each epoch's held-out figure) handed on in batches: the first epoch at once, then at most one batch every
 * `everyMs` (a fast fit would otherwise post thousands of messages a second), and whatever is left on
 * `flush()`. Batches carry the index of their first epoch, so a receiver can place them even if it
 * also gets the whole curve at the end.
 */
export class EpochBatches {
  private pending: number[] = [];
  private pendingHeldOut: number[] = [];
  private from = 0;
  private last = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly send: (from: number, values: number[], heldOut?: number[]) => void,
    private readonly now: () => number,
    private readonly everyMs = 250,
  ) {}

  add(value: number, heldOut?: number): void {
    this.pending.push(value);
    if (heldOut !== undefined) this.pendingHeldOut.push(heldOut);
    const t = this.now();
    if (t - this.last >= this.everyMs) this.flush(t);
  }

  flush(t = this.now()): void {
    if (this.pending.length === 0) return;
    const values = this.pending;
    const heldOut = this.pendingHeldOut;
    this.pending = [];
    this.pendingHeldOut = [];
    if (heldOut.length > 0) this.send(this.from, values, heldOut);
    else this.send(this.from, values);
    this.from += values.length;
    this.last = t;
  }
}
