/**
 * The n best (estimate, item) pairs offered so far, best first: higher estimate, then lower item rank
 * (the order of `bestOf` in fold-in.ts). Reused from user to user through `reset`.
 */
export class BestList {
  private est: Float64Array = new Float64Array(0);
  items: Int32Array = new Int32Array(0);
  size = 0;
  private n = 0;
  private rank: Int32Array = new Int32Array(0);

  reset(n: number, rank: Int32Array): void {
    if (this.items.length < n) {
      this.est = new Float64Array(n);
      this.items = new Int32Array(n);
    }
    this.n = n;
    this.size = 0;
    this.rank = rank;
  }

  /** The estimate an item must beat (or equal with a lower rank) to enter; -∞ while the list is short. */
  worst(): number {
    return this.size < this.n ? Number.NEGATIVE_INFINITY : this.est[this.n - 1];
  }

  /** The item `worst()` belongs to, once the list is full. */
  worstItem(): number {
    return this.items[this.n - 1];
  }

  /** Whether `offer(est, item)` would enter the list. */
  admits(est: number, item: number): boolean {
    const { n, rank, items } = this;
    if (this.size < n) return true;
    const worst = this.est[n - 1];
    return n > 0 && (est > worst || (est === worst && rank[item] < rank[items[n - 1]]));
  }

  offer(est: number, item: number): void {
    if (!this.admits(est, item)) return;
    const { n, rank, items } = this;
    const ests = this.est;
    let at = this.size < n ? this.size++ : n - 1;
    while (at > 0 && (est > ests[at - 1] || (est === ests[at - 1] && rank[item] < rank[items[at - 1]]))) {
      ests[at] = ests[at - 1];
      items[at] = items[at - 1];
      at--;
    }
    ests[at] = est;
    items[at] = item;
  }

  /** The items, best first, with their estimates written into `est` (indexed by item). */
  list(est: Float64Array): Int32Array {
    for (let r = 0; r < this.size; r++) est[this.items[r]] = this.est[r];
    return this.items.slice(0, this.size);
  }
}
