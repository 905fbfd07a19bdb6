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

  offer(est: number, item: number): void {
    const { n, rank } = this;
    if (n === 0) return;
    const better = (x: number) => est > this.est[x] || (est === this.est[x] && rank[item] < rank[this.items[x]]);
    let at: number;
    if (this.size < n) at = this.size++;
    else if (better(n - 1)) at = n - 1;
    else return;
    while (at > 0 && better(at - 1)) {
      this.est[at] = this.est[at - 1];
      this.items[at] = this.items[at - 1];
      at--;
    }
    this.est[at] = est;
    this.items[at] = item;
  }

  /** The items, best first. */
  list(): Int32Array {
    return this.items.slice(0, this.size);
  }
}
