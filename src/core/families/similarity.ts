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

/**
 * Each x's most similar x′ (at most `keep`, positive similarity only, best first, ties by lower x′),
 * with Surprise's similarity measures over the y both rated (similarities.pyx): cosine, msd
 * (1 / (msd + 1)), pearson (centred on the common ratings' means) and pearson_baseline (Koren 2010,
 * eq. 7: centred on the baselines, shrunk by (n − 1)/(n − 1 + shrinkage), support ≥ 2). Pairs with
 * fewer than min_support common y get 0. `xs` are the rows by x, `ys` the rows by y; `bx`, `by` the
 * baseline biases of each side (pearson_baseline).
 *
 * Only one row of sums is held at a time (O(n_x) memory, not n_x²), so the lists can be long
 * enough to reproduce Surprise's "k nearest among those who rated y" at prediction.
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
  const freq = new Int32Array(nX);
  const a = new Float64Array(nX);
  const b = new Float64Array(nX);
  const c = new Float64Array(nX);
  const d = new Float64Array(nX);
  const e = new Float64Array(nX);
  const touched = new Int32Array(nX);
  const sims = new Float64Array(nX);
  const minSupport = opts.name === 'pearson_baseline' ? Math.max(2, opts.minSupport) : opts.minSupport;
  const ptr = new Int32Array(nX + 1);
  const idxParts: Int32Array[] = [];
  const simParts: Float32Array[] = [];
  const cand: number[] = [];
  for (let x = 0; x < nX; x++) {
    let nTouched = 0;
    for (let q = xs.ptr[x]; q < xs.ptr[x + 1]; q++) {
      const y = xs.idx[q];
      const ri = xs.r[q];
      const di = opts.name === 'pearson_baseline' ? ri - (mu + by[y] + bx[x]) : 0;
      for (let p = ys.ptr[y]; p < ys.ptr[y + 1]; p++) {
        const x2 = ys.idx[p];
        if (x2 === x) continue;
        if (freq[x2] === 0) touched[nTouched++] = x2;
        freq[x2]++;
        const rj = ys.r[p];
        switch (opts.name) {
          case 'cosine':
            a[x2] += ri * rj;
            b[x2] += ri * ri;
            c[x2] += rj * rj;
            break;
          case 'msd':
            a[x2] += (ri - rj) * (ri - rj);
            break;
          case 'pearson':
            a[x2] += ri * rj;
            b[x2] += ri;
            c[x2] += rj;
            d[x2] += ri * ri;
            e[x2] += rj * rj;
            break;
          default: {
            const dj = rj - (mu + by[y] + bx[x2]);
            a[x2] += di * dj;
            b[x2] += di * di;
            c[x2] += dj * dj;
          }
        }
      }
    }
    cand.length = 0;
    for (let t = 0; t < nTouched; t++) {
      const x2 = touched[t];
      const n = freq[x2];
      let s = 0;
      if (n >= minSupport) {
        switch (opts.name) {
          case 'cosine': {
            const den = Math.sqrt(b[x2] * c[x2]);
            s = den === 0 ? 0 : a[x2] / den;
            break;
          }
          case 'msd':
            s = 1 / (a[x2] / n + 1);
            break;
          case 'pearson': {
            const den = Math.sqrt((n * d[x2] - b[x2] * b[x2]) * (n * e[x2] - c[x2] * c[x2]));
            s = den === 0 || !Number.isFinite(den) ? 0 : (n * a[x2] - b[x2] * c[x2]) / den;
            break;
          }
          default: {
            const den = Math.sqrt(b[x2] * c[x2]);
            s = den === 0 ? 0 : (a[x2] / den) * ((n - 1) / (n - 1 + opts.shrinkage));
          }
        }
      }
      if (s > 0) {
        // Ranked as stored (float32), so that ties in the stored list are ties here too.
        sims[x2] = Math.fround(s);
        cand.push(x2);
      }
      freq[x2] = 0;
      a[x2] = b[x2] = c[x2] = d[x2] = e[x2] = 0;
    }
    cand.sort((p, q) => sims[q] - sims[p] || p - q);
    const n = Math.min(keep, cand.length);
    idxParts.push(Int32Array.from(cand.slice(0, n)));
    simParts.push(Float32Array.from(cand.slice(0, n), (x2) => sims[x2]));
    ptr[x + 1] = ptr[x] + n;
  }
  const idx = new Int32Array(ptr[nX]);
  const sim = new Float32Array(ptr[nX]);
  for (let x = 0; x < nX; x++) {
    idx.set(idxParts[x], ptr[x]);
    sim.set(simParts[x], ptr[x]);
  }
  return { ptr, idx, sim };
}
