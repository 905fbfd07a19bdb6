import { invalid } from '../errors.js';
import type { Kernels } from '../kernels.js';
import { referenceKernels } from '../reference-kernels.js';
import { BestList } from './best-list.js';
import { arrayOf, checkCsr } from './neighbours.js';
import type { EaseExtension, ExtendedModel, Family, StoredArray } from './types.js';

/** The score of an item outside the weights: below every covered item, so it is recommended last. */
export const UNCOVERED_SCORE = -1000;

/** Scratch of one user's scores (scoring never nests): the weights' rows of u's items, and their sums. */
let rows = new Int32Array(0);
let sums = new Float64Array(0);

const best = new BestList();

/** Σ of the weights' rows of u's covered items, by covered position (scratch, valid until the next call). */
function coveredSums(m: ExtendedModel<EaseExtension>, u: number, kernels: Kernels): Float64Array {
  const e = m.extension;
  const pos = positionOf(m);
  const n = e.covered.length;
  if (rows.length < e.ratedPtr[u + 1] - e.ratedPtr[u]) rows = new Int32Array(e.ratedPtr[u + 1] - e.ratedPtr[u]);
  let count = 0;
  for (let p = e.ratedPtr[u]; p < e.ratedPtr[u + 1]; p++) if (pos[e.ratedIdx[p]] >= 0) rows[count++] = pos[e.ratedIdx[p]];
  if (sums.length < n) sums = new Float64Array(n);
  kernels.sumRows(e.weights, n, rows.subarray(0, count), sums);
  return sums;
}

/** The items outside the weights by rank, kept per model for the rank it was asked with. */
const uncovered = new WeakMap<EaseExtension, { rank: Int32Array; order: Int32Array }>();

function uncoveredByRank(m: ExtendedModel<EaseExtension>, itemRank: Int32Array): Int32Array {
  const known = uncovered.get(m.extension);
  if (known?.rank === itemRank) return known.order;
  const pos = positionOf(m);
  const order = Int32Array.from({ length: pos.length }, (_, i) => i)
    .filter((i) => pos[i] < 0)
    .sort((a, b) => itemRank[a] - itemRank[b]);
  uncovered.set(m.extension, { rank: itemRank, order });
  return order;
}

const positions = new WeakMap<EaseExtension, Int32Array>();

/** Inner item id → row of the weights (-1 uncovered), built once per model. */
function positionOf(m: ExtendedModel<EaseExtension>): Int32Array {
  const e = m.extension;
  let pos = positions.get(e);
  if (!pos) {
    pos = new Int32Array(m.itemIds.length).fill(-1);
    e.covered.forEach((i, c) => ((pos as Int32Array)[i] = c));
    positions.set(e, pos);
  }
  return pos;
}

/**
 * EASE (Steck 2019): score(u, i) = Σ_{j ∈ I(u)} B[j, i], a relevance score, not a rating (it is
 * served unclipped). A user or item the model does not know scores 0, and items outside the weights
 * UNCOVERED_SCORE.
 */
export const easeFamily: Family<EaseExtension> = {
  kind: 'ease',
  ranksOnly: true,
  estimate(m, u, i) {
    if (u < 0 || i < 0) return 0;
    const e = m.extension;
    const pos = positionOf(m);
    const c = pos[i];
    if (c < 0) return UNCOVERED_SCORE;
    const n = e.covered.length;
    let s = 0;
    for (let p = e.ratedPtr[u]; p < e.ratedPtr[u + 1]; p++) {
      const r = pos[e.ratedIdx[p]];
      if (r >= 0) s += e.weights[r * n + c];
    }
    return s;
  },
  scoreUser(m, u, out, kernels = referenceKernels) {
    const e = m.extension;
    const sums = coveredSums(m, u, kernels);
    out.fill(UNCOVERED_SCORE);
    for (let c = 0; c < e.covered.length; c++) out[e.covered[c]] = sums[c];
  },
  // The covered items from their sums, then the rest (all UNCOVERED_SCORE) in rank order while one can enter:
  // a fifth of the items of ml-latest-small instead of every one.
  bestItems(m, u, skip, n, itemRank, est, kernels = referenceKernels) {
    const e = m.extension;
    const sums = coveredSums(m, u, kernels);
    best.reset(n, itemRank);
    for (let c = 0; c < e.covered.length; c++) if (!skip[e.covered[c]]) best.offer(sums[c], e.covered[c]);
    for (const i of uncoveredByRank(m, itemRank)) {
      if (skip[i]) continue;
      // By rank, so the first that cannot enter is followed by none that can.
      if (!best.admits(UNCOVERED_SCORE, i)) break;
      best.offer(UNCOVERED_SCORE, i);
    }
    return best.list(est);
  },
  encode: (e) => ({
    params: {},
    arrays: new Map<string, StoredArray>([
      ['covered', e.covered],
      ['weights', e.weights],
      ['rated-ptr', e.ratedPtr],
      ['rated-idx', e.ratedIdx],
    ]),
  }),
  decode(enc, base) {
    const e: EaseExtension = {
      kind: 'ease',
      covered: arrayOf(enc, 'covered', Int32Array),
      weights: arrayOf(enc, 'weights', Float32Array),
      ratedPtr: arrayOf(enc, 'rated-ptr', Int32Array),
      ratedIdx: arrayOf(enc, 'rated-idx', Int32Array),
    };
    const nItems = base.itemIds.length;
    checkCsr('rated-ptr', e.ratedPtr, e.ratedIdx, base.userIds.length, nItems);
    const n = e.covered.length;
    if (e.weights.length !== n * n) throw invalid(`ease weights hold ${e.weights.length} values, expected ${n}×${n}`, { array: 'weights' });
    const seen = new Uint8Array(nItems);
    for (const i of e.covered) {
      if (!(i >= 0 && i < nItems) || seen[i]) throw invalid(`ease covered items list ${i} twice or out of range`, { array: 'covered' });
      seen[i] = 1;
    }
    return e;
  },
};
