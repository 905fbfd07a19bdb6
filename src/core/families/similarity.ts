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

/** Only the sums the measure reads are allocated (msd needs one, pearson five). */
function sums(name: SimilarityName, n: number): Sums {
  const used = { cosine: 3, msd: 1, pearson: 5, pearson_baseline: 3 }[name];
  const f = (k: number) => (k < used ? new Float64Array(n) : EMPTY);
  return { freq: new Int32Array(n), a: f(0), b: f(1), c: f(2), d: f(3), e: f(4) };
}

/**
 * Up to this many x × x pairs, the sums live in dense matrices filled once over the upper triangle
 * (each co-rating pair visited once, not twice); beyond it, one row of sums at a time.
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
  const row = new Float32Array(nX);
  const lists = new ListBuilder(nX, keep);
  const everyX = Int32Array.from({ length: nX }, (_, x) => x);
  const dense = denseFits(nX);
  const s = sums(opts.name, dense ? nX * nX : nX);
  const dev = (r: number, x: number, y: number) => (opts.name === 'pearson_baseline' ? r - (mu + by[y] + bx[x]) : r);
  if (dense) {
    const devs = new Float64Array(ys.idx.length);
    for (let y = 0; y < ys.ptr.length - 1; y++) for (let p = ys.ptr[y]; p < ys.ptr[y + 1]; p++) devs[p] = dev(ys.r[p], ys.idx[p], y);
    for (let y = 0; y < ys.ptr.length - 1; y++) {
      const end = ys.ptr[y + 1];
      for (let p = ys.ptr[y]; p < end; p++) {
        const at = ys.idx[p] * nX;
        const di = devs[p];
        for (let q = p + 1; q < end; q++) accumulate(opts.name, s, at + ys.idx[q], di, devs[q]);
      }
    }
    for (let x = 0; x < nX; x++) {
      for (let x2 = 0; x2 < nX; x2++) {
        // Upper triangle: the pair's sums sit at (lower x, higher x); every measure is symmetric in its two sides.
        row[x2] = x2 === x ? 0 : similarityOf(opts, s, x < x2 ? x * nX + x2 : x2 * nX + x);
      }
      lists.add(x, row, everyX, nX);
    }
    return lists.finish();
  }
  const touched = new Int32Array(nX);
  for (let x = 0; x < nX; x++) {
    let nTouched = 0;
    for (let q = xs.ptr[x]; q < xs.ptr[x + 1]; q++) {
      const y = xs.idx[q];
      const di = dev(xs.r[q], x, y);
      for (let p = ys.ptr[y]; p < ys.ptr[y + 1]; p++) {
        const x2 = ys.idx[p];
        if (x2 === x) continue;
        if (s.freq[x2] === 0) touched[nTouched++] = x2;
        accumulate(opts.name, s, x2, di, dev(ys.r[p], x2, y));
      }
    }
    for (let t = 0; t < nTouched; t++) {
      const x2 = touched[t];
      row[x2] = similarityOf(opts, s, x2);
      s.freq[x2] = 0;
      s.a[x2] = 0;
      if (s.b.length) s.b[x2] = s.c[x2] = 0;
      if (s.d.length) s.d[x2] = s.e[x2] = 0;
    }
    lists.add(x, row, touched, nTouched);
  }
  return lists.finish();
}

/** Adds one co-rating (x's value vi, x′'s value vj; for pearson_baseline their deviations from the baseline) to pair `at`. */
function accumulate(name: SimilarityName, s: Sums, at: number, vi: number, vj: number): void {
  s.freq[at]++;
  switch (name) {
    case 'msd':
      s.a[at] += (vi - vj) * (vi - vj);
      break;
    case 'pearson':
      s.a[at] += vi * vj;
      s.b[at] += vi;
      s.c[at] += vj;
      s.d[at] += vi * vi;
      s.e[at] += vj * vj;
      break;
    default:
      // cosine and pearson_baseline: the same sums, over ratings or over deviations.
      s.a[at] += vi * vj;
      s.b[at] += vi * vi;
      s.c[at] += vj * vj;
  }
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

/** Largest x count whose id fits beside a float32's bits in one exactly-sorted float64 key. */
const PACKED_IDS = 2 ** 21;

/** Collects each x's list: positive similarities, best first, ties by lower x′, at most `keep`. */
class ListBuilder {
  private readonly ptr: Int32Array;
  private readonly parts: { idx: Int32Array; sim: Float32Array }[] = [];
  private readonly keys: Float64Array;
  private readonly bits = new Uint32Array(1);
  private readonly asFloat = new Float32Array(this.bits.buffer);

  constructor(
    private readonly nX: number,
    private readonly keep: number,
  ) {
    this.ptr = new Int32Array(nX + 1);
    this.keys = new Float64Array(nX);
  }

  /** x's list from `row` (similarity by x′, 0 = none), looking only at the `n` x′ in `cand`; clears what it reads. */
  add(x: number, row: Float32Array, cand: Int32Array, n: number): void {
    let m = 0;
    const keys = this.keys;
    if (this.nX <= PACKED_IDS) {
      // A positive float32's bits order like its value, so (~bits, x′) packed in one float64 sorts natively.
      for (let t = 0; t < n; t++) {
        const x2 = cand[t];
        if (row[x2] > 0) {
          this.asFloat[0] = row[x2];
          keys[m++] = (0xffffffff - this.bits[0]) * PACKED_IDS + x2;
        }
      }
      keys.subarray(0, m).sort();
      // Exact: the divisor is a power of two.
      for (let t = 0; t < m; t++) keys[t] -= Math.floor(keys[t] / PACKED_IDS) * PACKED_IDS;
    } else {
      const ids: number[] = [];
      for (let t = 0; t < n; t++) if (row[cand[t]] > 0) ids.push(cand[t]);
      ids.sort((p, q) => row[q] - row[p] || p - q);
      m = ids.length;
      keys.set(ids);
    }
    const len = Math.min(this.keep, m);
    const idx = new Int32Array(len);
    const sim = new Float32Array(len);
    for (let t = 0; t < len; t++) {
      idx[t] = keys[t];
      sim[t] = row[keys[t]];
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
