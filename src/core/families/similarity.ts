import type { Trainset } from '../dataset.js';

export type SimilarityName = 'cosine' | 'msd' | 'pearson' | 'pearson_baseline';

export interface SimilarityOptions {
  readonly name: SimilarityName;
  readonly userBased: boolean;
  readonly minSupport: number;
  /** pearson_baseline only. */
  readonly shrinkage: number;
}

/** Ratings as CSR with each row sorted by column: `ptr` over rows, `idx` columns, `r` ratings. */
export interface SortedRows {
  readonly ptr: Int32Array;
  readonly idx: Int32Array;
  readonly r: Float32Array;
}

/** Transposes sorted rows (rows × cols) into sorted columns: a counting sort, so each output row is sorted. */
export function transpose(rows: SortedRows, nCols: number): SortedRows {
  const ptr = new Int32Array(nCols + 1);
  for (const c of rows.idx) ptr[c + 1]++;
  for (let c = 0; c < nCols; c++) ptr[c + 1] += ptr[c];
  const fill = ptr.slice(0, nCols);
  const idx = new Int32Array(rows.idx.length);
  const r = new Float32Array(rows.idx.length);
  for (let x = 0; x < rows.ptr.length - 1; x++) {
    for (let q = rows.ptr[x]; q < rows.ptr[x + 1]; q++) {
      const at = fill[rows.idx[q]]++;
      idx[at] = x;
      r[at] = rows.r[q];
    }
  }
  return { ptr, idx, r };
}

/** The trainset by item (users sorted) and by user (items sorted). */
export function sortedViews(ts: Trainset): { byUser: SortedRows; byItem: SortedRows } {
  const byItem = transpose({ ptr: ts.userPtr, idx: ts.itemIdx, r: ts.ratings }, ts.nItems);
  return { byItem, byUser: transpose(byItem, ts.nUsers) };
}

export interface NeighbourLists {
  readonly ptr: Int32Array;
  readonly idx: Int32Array;
  readonly sim: Float32Array;
}

/** Pair sums of one similarity measure, one slot per pair: a, b, c, d, e as similarityOf reads them. */
interface Sums {
  readonly freq: Int32Array;
  readonly a: Float64Array;
  readonly b: Float64Array;
  readonly c: Float64Array;
  readonly d: Float64Array;
  readonly e: Float64Array;
}

const EMPTY = new Float64Array(0);

/** One row of sums; only those the measure reads are allocated (msd needs one, pearson five). */
function sums(name: SimilarityName, n: number): Sums {
  const used = { cosine: 3, msd: 1, pearson: 5, pearson_baseline: 3 }[name];
  const f = (k: number) => (k < used ? new Float64Array(n) : EMPTY);
  return { freq: new Int32Array(n), a: f(0), b: f(1), c: f(2), d: f(3), e: f(4) };
}

/**
 * Up to this many x × x pairs, the similarities live in a dense matrix filled once over the upper
 * triangle (each co-rating pair visited once, not twice); beyond it, each row is summed on its own.
 */
let denseMaxPairs = 1 << 21;

/** Whether nX × nX pairs take the dense path (here and in the estimate's lookups). */
export const denseFits = (nX: number): boolean => nX * nX <= denseMaxPairs;

/** Runs `run` with another dense limit: lets tests drive both paths on small data. */
export function withDenseLimit<T>(pairs: number, run: () => T): T {
  const saved = denseMaxPairs;
  denseMaxPairs = pairs;
  try {
    return run();
  } finally {
    denseMaxPairs = saved;
  }
}

/**
 * Each x's most similar x′ (at most `keep`, positive similarity only, best first, ties by lower x′),
 * with Surprise's similarity measures over the y both rated (similarities.pyx): cosine, msd
 * (1 / (msd + 1)), pearson (centred on the common ratings' means) and pearson_baseline (Koren 2010,
 * eq. 7: centred on the baselines, shrunk by (n − 1)/(n − 1 + shrinkage), support ≥ 2). Pairs with
 * fewer than min_support common y get 0. `xs` are the rows by x, `ys` the rows by y; `bx`, `by` the
 * baseline biases of each side (pearson_baseline).
 *
 * The sums are added in the same order (by y) on both paths, so both give the same similarities.
 */
export function neighbourLists(
  xs: SortedRows,
  ys: SortedRows,
  opts: SimilarityOptions,
  keep: number,
  mu: number,
  bx: Float32Array,
  by: Float32Array,
): NeighbourLists {
  const nX = xs.ptr.length - 1;
  const lists = new ListBuilder(nX, keep);
  const dense = denseFits(nX);
  const s = sums(opts.name, nX);
  const dev = (r: number, x: number, y: number) => (opts.name === 'pearson_baseline' ? r - (mu + by[y] + bx[x]) : r);
  if (dense) {
    // Row by row over the upper triangle, each co-rating pair visited once: x meets only the x′ > x,
    // which follow x in each y's sorted raters. The similarity matrix keeps the lower part for later rows.
    const devs = new Float64Array(ys.idx.length);
    for (let y = 0; y < ys.ptr.length - 1; y++) for (let p = ys.ptr[y]; p < ys.ptr[y + 1]; p++) devs[p] = dev(ys.r[p], ys.idx[p], y);
    const next = ys.ptr.slice(0, ys.ptr.length - 1);
    const sim = new Float32Array(nX * nX);
    const everyX = Int32Array.from({ length: nX }, (_, x) => x);
    for (let x = 0; x < nX; x++) {
      for (let q = xs.ptr[x]; q < xs.ptr[x + 1]; q++) {
        const y = xs.idx[q];
        // x is y's next rater in id order.
        const p = next[y]++;
        const di = devs[p];
        pairs(opts.name, s, ys.idx, devs, p + 1, ys.ptr[y + 1], di, -1, null, 0);
      }
      for (let x2 = x + 1; x2 < nX; x2++) {
        if (s.freq[x2] === 0) continue;
        sim[x * nX + x2] = sim[x2 * nX + x] = similarityOf(opts, s, x2);
        clearSums(s, x2);
      }
      lists.add(x, sim.subarray(x * nX, (x + 1) * nX), everyX, nX, true);
    }
    return lists.finish();
  }
  const row = new Float32Array(nX);
  const touched = new Int32Array(nX);
  const devs = new Float64Array(ys.idx.length);
  for (let y = 0; y < ys.ptr.length - 1; y++) for (let p = ys.ptr[y]; p < ys.ptr[y + 1]; p++) devs[p] = dev(ys.r[p], ys.idx[p], y);
  for (let x = 0; x < nX; x++) {
    let nTouched = 0;
    for (let q = xs.ptr[x]; q < xs.ptr[x + 1]; q++) {
      const y = xs.idx[q];
      nTouched = pairs(opts.name, s, ys.idx, devs, ys.ptr[y], ys.ptr[y + 1], dev(xs.r[q], x, y), x, touched, nTouched);
    }
    for (let t = 0; t < nTouched; t++) {
      const x2 = touched[t];
      row[x2] = similarityOf(opts, s, x2);
      clearSums(s, x2);
    }
    lists.add(x, row, touched, nTouched, false);
  }
  return lists.finish();
}

function clearSums(s: Sums, at: number): void {
  s.freq[at] = 0;
  s.a[at] = 0;
  if (s.b.length) s.b[at] = s.c[at] = 0;
  if (s.d.length) s.d[at] = s.e[at] = 0;
}

/**
 * Adds x's value `vi` paired with each of `vals[from..to)` (x′ = `idx[p]`; for pearson_baseline the
 * deviations from the baseline) to the pairs' sums, skipping x′ = `self`; with `touched`, each x′ met
 * for the first time is appended there (returns the new count). The measure is looked at once per
 * range, not per pair (12% off an item-based pearson_baseline fit on ml-latest-small).
 */
function pairs(
  name: SimilarityName,
  s: Sums,
  idx: Int32Array,
  vals: Float64Array,
  from: number,
  to: number,
  vi: number,
  self: number,
  touched: Int32Array | null,
  nTouched: number,
): number {
  const { freq, a, b, c, d, e } = s;
  for (let p = from; p < to; p++) {
    const at = idx[p];
    if (at === self) continue;
    if (touched && freq[at] === 0) touched[nTouched++] = at;
    freq[at]++;
  }
  if (name === 'msd')
    for (let p = from; p < to; p++) {
      if (idx[p] !== self) a[idx[p]] += (vi - vals[p]) * (vi - vals[p]);
    }
  else if (name === 'pearson')
    for (let p = from; p < to; p++) {
      const at = idx[p];
      if (at === self) continue;
      a[at] += vi * vals[p];
      b[at] += vi;
      c[at] += vals[p];
      d[at] += vi * vi;
      e[at] += vals[p] * vals[p];
    }
  // cosine and pearson_baseline: the same sums, over ratings or over deviations.
  else
    for (let p = from; p < to; p++) {
      const at = idx[p];
      if (at === self) continue;
      a[at] += vi * vals[p];
      b[at] += vi * vi;
      c[at] += vals[p] * vals[p];
    }
  return nTouched;
}

/** The similarity from a pair's sums, rounded to float32 as stored (so ties in the stored lists are ties when ranking); 0 when not positive. */
function similarityOf(opts: SimilarityOptions, s: Sums, at: number): number {
  const n = s.freq[at];
  const minSupport = opts.name === 'pearson_baseline' ? Math.max(2, opts.minSupport) : opts.minSupport;
  if (n === 0 || n < minSupport) return 0;
  let v = 0;
  switch (opts.name) {
    case 'cosine': {
      const den = Math.sqrt(s.b[at] * s.c[at]);
      v = den === 0 ? 0 : s.a[at] / den;
      break;
    }
    case 'msd':
      v = 1 / (s.a[at] / n + 1);
      break;
    case 'pearson': {
      const den = Math.sqrt((n * s.d[at] - s.b[at] * s.b[at]) * (n * s.e[at] - s.c[at] * s.c[at]));
      v = den === 0 || !Number.isFinite(den) ? 0 : (n * s.a[at] - s.b[at] * s.c[at]) / den;
      break;
    }
    default: {
      const den = Math.sqrt(s.b[at] * s.c[at]);
      v = den === 0 ? 0 : (s.a[at] / den) * ((n - 1) / (n - 1 + opts.shrinkage));
    }
  }
  return v > 0 ? Math.fround(v) : 0;
}

/**
 * Collects each x's list: positive similarities, best first, ties by lower x′, at most `keep`. Lists
 * are ranked by a stable radix sort on the similarities' float32 bits (a positive float's bits order
 * like its value), after one on the ids when the candidates do not come in id order.
 */
class ListBuilder {
  private readonly ptr: Int32Array;
  private readonly parts: { idx: Int32Array; sim: Float32Array }[] = [];
  private readonly sorter: PairSorter;

  constructor(
    private readonly nX: number,
    private readonly keep: number,
  ) {
    this.ptr = new Int32Array(nX + 1);
    this.sorter = new PairSorter(nX);
  }

  /**
   * x's list from `row` (similarity by x′, 0 = none), looking only at the `n` x′ in `cand` (in
   * increasing order when `ascending`); clears what it reads.
   */
  add(x: number, row: Float32Array, cand: Int32Array, n: number, ascending: boolean): void {
    const bits = new Uint32Array(row.buffer, row.byteOffset, row.length);
    const srt = this.sorter;
    let m = 0;
    for (let t = 0; t < n; t++) {
      const x2 = cand[t];
      if (row[x2] > 0) {
        srt.keys[m] = x2;
        srt.vals[m++] = ~bits[x2];
      }
    }
    // By id first (stable passes keep it as the tie order), then by similarity descending (~bits ascending).
    if (!ascending) srt.sort(m);
    srt.swap();
    srt.sort(m);
    const len = Math.min(this.keep, m);
    const idx = new Int32Array(len);
    const sim = new Float32Array(len);
    for (let t = 0; t < len; t++) {
      idx[t] = srt.vals[t];
      sim[t] = row[srt.vals[t]];
    }
    for (let t = 0; t < n; t++) row[cand[t]] = 0;
    this.parts.push({ idx, sim });
    this.ptr[x + 1] = this.ptr[x] + len;
  }

  finish(): NeighbourLists {
    const total = this.ptr[this.nX];
    const idx = new Int32Array(total);
    const sim = new Float32Array(total);
    this.parts.forEach((p, x) => {
      idx.set(p.idx, this.ptr[x]);
      sim.set(p.sim, this.ptr[x]);
    });
    return { ptr: this.ptr, idx, sim };
  }
}

/**
 * (key, value) pairs sorted by key, unsigned 32-bit, stably: least significant byte first, a pass
 * skipped when every key has the same byte there. `swap` turns values into keys and back.
 */
class PairSorter {
  keys: Uint32Array;
  vals: Uint32Array;
  private spareKeys: Uint32Array;
  private spareVals: Uint32Array;
  private readonly counts = new Int32Array(4 * 256);

  constructor(n: number) {
    this.keys = new Uint32Array(n);
    this.vals = new Uint32Array(n);
    this.spareKeys = new Uint32Array(n);
    this.spareVals = new Uint32Array(n);
  }

  swap(): void {
    [this.keys, this.vals] = [this.vals, this.keys];
  }

  sort(m: number): void {
    const counts = this.counts;
    counts.fill(0);
    for (let t = 0; t < m; t++) {
      const k = this.keys[t];
      counts[k & 255]++;
      counts[256 + ((k >>> 8) & 255)]++;
      counts[512 + ((k >>> 16) & 255)]++;
      counts[768 + (k >>> 24)]++;
    }
    for (let pass = 0; pass < 4; pass++) {
      const base = pass * 256;
      const shift = pass * 8;
      if (m === 0 || counts[base + ((this.keys[0] >>> shift) & 255)] === m) continue;
      // Counts to start positions.
      for (let d = 0, at = 0; d < 256; d++) {
        const c = counts[base + d];
        counts[base + d] = at;
        at += c;
      }
      const { keys, vals, spareKeys, spareVals } = this;
      for (let t = 0; t < m; t++) {
        const k = keys[t];
        const to = counts[base + ((k >>> shift) & 255)]++;
        spareKeys[to] = k;
        spareVals[to] = vals[t];
      }
      this.keys = spareKeys;
      this.vals = spareVals;
      this.spareKeys = keys;
      this.spareVals = vals;
    }
  }
}
