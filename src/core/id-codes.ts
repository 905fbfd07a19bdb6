/**
 * Ids that are integers in [0, DIRECT_LIMIT) (MovieLens' all are) are coded through a table indexed
 * by the id itself: one load a row instead of a hash probe. The range is fixed, so a value always
 * takes the same path; the table grows to the largest such id seen (16 MiB at most).
 */
const DIRECT_LIMIT = 1 << 22;
const isDirect = (v: number): boolean => (v | 0) === v && v >= 0 && v < DIRECT_LIMIT;

/**
 * Column-wise interning: each distinct value of an id column gets a code (0, 1, 2, … in order of
 * first appearance) without a string per row. Numeric columns go through a direct table (small
 * non-negative integers) or an open-addressing hash over the doubles themselves; only the distinct
 * values are ever turned into id strings.
 */
export class NumberCodes {
  private direct = new Int32Array(1 << 10).fill(-1);
  private keys = new Float64Array(1 << 12);
  private slots = new Int32Array(1 << 12).fill(-1);
  private distinct = new Float64Array(1 << 10);
  private count = 0;
  /** Values held by the hash (the others are in the direct table). */
  private hashed = 0;

  get size(): number {
    return this.count;
  }

  /** Distinct values by code. */
  values(): Float64Array {
    return this.distinct.subarray(0, this.count);
  }

  code(v: number): number {
    // -0 passes as 0, as the hash's === equality merges them.
    if (isDirect(v)) {
      if (v >= this.direct.length) this.widen(v);
      const c = this.direct[v];
      return c >= 0 ? c : (this.direct[v] = this.append(v));
    }
    const mask = this.slots.length - 1;
    for (let s = hash(v) & mask; ; s = (s + 1) & mask) {
      const c = this.slots[s];
      if (c < 0) return this.add(v, s);
      if (this.keys[s] === v) return c;
    }
  }

  private append(v: number): number {
    const c = this.count++;
    if (c === this.distinct.length) this.distinct = grow(this.distinct, 2 * c);
    this.distinct[c] = v;
    return c;
  }

  private widen(v: number): void {
    let size = this.direct.length;
    while (size <= v) size *= 2;
    const wider = new Int32Array(Math.min(size, DIRECT_LIMIT)).fill(-1);
    wider.set(this.direct);
    this.direct = wider;
  }

  private add(v: number, slot: number): number {
    const c = this.append(v);
    this.keys[slot] = v;
    this.slots[slot] = c;
    if (2 * ++this.hashed > this.slots.length) this.rehash(2 * this.slots.length);
    return c;
  }

  private rehash(capacity: number): void {
    this.keys = new Float64Array(capacity);
    this.slots = new Int32Array(capacity).fill(-1);
    const mask = capacity - 1;
    for (let c = 0; c < this.count; c++) {
      const v = this.distinct[c];
      if (isDirect(v)) continue;
      let s = hash(v) & mask;
      while (this.slots[s] >= 0) s = (s + 1) & mask;
      this.keys[s] = v;
      this.slots[s] = c;
    }
  }
}

const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);

/** murmur3's finalizer over the value (small integers directly, others by their bits). */
function hash(v: number): number {
  let h: number;
  if ((v | 0) === v) h = v;
  else {
    bits[0] = v;
    h = words[0] ^ Math.imul(words[1], 0x9e3779b1);
  }
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export function grow<T extends Float64Array | Float32Array | Int32Array>(a: T, capacity: number): T {
  const b = new (a.constructor as new (n: number) => T)(capacity);
  b.set(a.subarray(0, Math.min(a.length, capacity)));
  return b;
}
