import type { Trainset } from '../dataset.js';
import { invalid } from '../errors.js';
import type { Kernels, StratumShape, SvdRates, SvdState, SvdStrata, SvdUserRows } from '../kernels.js';

/**
 * Stratified SGD (DSGD; Gemulla et al. 2011) for SVD: users and items are split into W blocks each;
 * an epoch is W sub-epochs, and in sub-epoch s user block w is trained on item block (w + s) mod W.
 * The W strata of a sub-epoch share no user and no item, so they can run at once on W threads
 * without races, and the result depends only on the seed and W (unlike Hogwild). Within a stratum
 * the sequential kernel's order holds (users ascending, each user's ratings in trainset order); with
 * W = 1 the one stratum is the whole trainset and the fit is the sequential one, bit for bit.
 */
export interface StrataPlan {
  readonly workers: number;
  /** Inner ids of each block's users, ascending: position in the list is the block-local id. */
  readonly userBlocks: readonly Int32Array[];
  /**
   * Each block's items, most rated first (ties by id): the hot rows of a block's item factors share
   * cache. Item ids do not order the visits, so this layout changes no result (users' order does).
   */
  readonly itemBlocks: readonly Int32Array[];
  /** Block of each item, and its block-local id. */
  readonly itemBlock: Int32Array;
  readonly itemLocal: Int32Array;
}

/** The item block user block `w` trains on in sub-epoch `s`. */
export const stratumOf = (w: number, s: number, workers: number): number => (w + s) % workers;

/** Blocks balanced by rating count (largest first onto the lightest block, ties by id and block): deterministic. */
export function planStrata(ts: Trainset, workers: number): StrataPlan {
  if (!Number.isInteger(workers) || workers < 1) throw invalid(`DSGD needs an integer number of workers ≥ 1, got ${workers}`, { workers });
  const userCounts = new Float64Array(ts.nUsers);
  for (let u = 0; u < ts.nUsers; u++) userCounts[u] = ts.userPtr[u + 1] - ts.userPtr[u];
  const itemCounts = new Float64Array(ts.nItems);
  for (let x = 0; x < ts.nRatings; x++) itemCounts[ts.itemIdx[x]]++;
  const users = balance(userCounts, workers, false);
  const items = balance(itemCounts, workers, true);
  return { workers, userBlocks: users.blocks, itemBlocks: items.blocks, itemBlock: items.blockOf, itemLocal: items.local };
}

function balance(
  counts: Float64Array,
  workers: number,
  popularFirst: boolean,
): { blocks: Int32Array[]; blockOf: Int32Array; local: Int32Array } {
  const order = Int32Array.from(counts, (_, id) => id).sort((a, b) => counts[b] - counts[a] || a - b);
  const load = new Float64Array(workers);
  const blockOf = new Int32Array(counts.length);
  for (const id of order) {
    let lightest = 0;
    for (let b = 1; b < workers; b++) if (load[b] < load[lightest]) lightest = b;
    blockOf[id] = lightest;
    load[lightest] += counts[id];
  }
  const sizes = new Int32Array(workers);
  const local = new Int32Array(counts.length);
  for (let x = 0; x < counts.length; x++) {
    const id = popularFirst ? order[x] : x;
    local[id] = sizes[blockOf[id]]++;
  }
  const blocks = Array.from(sizes, (n) => new Int32Array(n));
  for (let id = 0; id < counts.length; id++) blocks[blockOf[id]][local[id]] = id;
  return { blocks, blockOf, local };
}

/** User block w's strata without their ratings (counting pass): stratum b holds its users' ratings on item block b. */
export function strataShapes(ts: Trainset, plan: StrataPlan, w: number): StratumShape[] {
  const users = plan.userBlocks[w];
  const ptrs = Array.from({ length: plan.workers }, () => new Int32Array(users.length + 1));
  for (let lu = 0; lu < users.length; lu++)
    for (let x = ts.userPtr[users[lu]]; x < ts.userPtr[users[lu] + 1]; x++) ptrs[plan.itemBlock[ts.itemIdx[x]]][lu + 1]++;
  for (const ptr of ptrs) for (let lu = 0; lu < users.length; lu++) ptr[lu + 1] += ptr[lu];
  return ptrs.map((userPtr, b) => ({
    nItems: plan.itemBlocks[b].length,
    nRatings: userPtr[users.length],
    userPtr,
    globalMean: ts.globalMean,
  }));
}

/**
 * User block w's ratings, stratum by stratum, each in its CSR order (users ascending, each user's
 * ratings in the trainset's order, block-local item ids), written into `itemIdx` and `ratings` a
 * bufferful at a time: each piece yielded (stratum b, entries at … at + n − 1 of it) must be used
 * before the next is asked for, which overwrites it. So a stratum travels through a small buffer
 * rather than a copy of the whole (at 25M ratings, 100 MB per block).
 */
export function* strataPieces(
  ts: Trainset,
  plan: StrataPlan,
  w: number,
  itemIdx: Int32Array,
  ratings: Float32Array,
): Generator<{ readonly b: number; readonly at: number; readonly n: number }> {
  const users = plan.userBlocks[w];
  const size = Math.min(itemIdx.length, ratings.length);
  if (size < 1) throw invalid('strata pieces need a buffer of at least one entry');
  for (let b = 0; b < plan.workers; b++) {
    let at = 0;
    let n = 0;
    for (let lu = 0; lu < users.length; lu++) {
      for (let x = ts.userPtr[users[lu]]; x < ts.userPtr[users[lu] + 1]; x++) {
        const i = ts.itemIdx[x];
        if (plan.itemBlock[i] !== b) continue;
        itemIdx[n] = plan.itemLocal[i];
        ratings[n] = ts.ratings[x];
        if (++n === size) {
          yield { b, at, n };
          at += n;
          n = 0;
        }
      }
    }
    if (n > 0) yield { b, at, n };
  }
}

/** User block w's strata as trainsets of block-local ids (no id vocabularies). */
export function strataOf(ts: Trainset, plan: StrataPlan, w: number): Trainset[] {
  const shapes = strataShapes(ts, plan, w);
  const itemIdx = shapes.map((s) => new Int32Array(s.nRatings));
  const ratings = shapes.map((s) => new Float32Array(s.nRatings));
  const buffer = { itemIdx: new Int32Array(PIECE), ratings: new Float32Array(PIECE) };
  for (const { b, at, n } of strataPieces(ts, plan, w, buffer.itemIdx, buffer.ratings)) {
    itemIdx[b].set(buffer.itemIdx.subarray(0, n), at);
    ratings[b].set(buffer.ratings.subarray(0, n), at);
  }
  return shapes.map((s, b) => ({
    nUsers: s.userPtr.length - 1,
    nItems: s.nItems,
    nRatings: s.nRatings,
    userPtr: s.userPtr,
    itemIdx: itemIdx[b],
    ratings: ratings[b],
    globalMean: s.globalMean,
    scale: ts.scale,
    userIds: [],
    itemIds: [],
  }));
}

/** Entries per piece of `strataPieces` where a fit loads its strata (8 MB of buffer). */
export const PIECE = 1 << 20;

/** Rows `ids` of a row-major matrix of `width` columns, in that order, into `out` (a fresh array by default) at rows of `stride`. */
export function gatherRows(
  src: Float32Array,
  width: number,
  ids: Int32Array,
  out: Float32Array = new Float32Array(ids.length * width),
  stride = width,
): Float32Array {
  ids.forEach((id, r) => out.set(src.subarray(id * width, (id + 1) * width), r * stride));
  return out;
}

/** The inverse of `gatherRows`: row r of `block` (rows of `stride`) back to row ids[r] of `dst`. */
export function scatterRows(block: Float32Array, width: number, ids: Int32Array, dst: Float32Array, stride = width): void {
  ids.forEach((id, r) => dst.set(block.subarray(r * stride, r * stride + width), id * width));
}

/** Loads user block w's strata into `strata` piece by piece (the one-thread twin of the worker pool's loading). */
export function loadStrata(ts: Trainset, plan: StrataPlan, w: number, strata: SvdStrata): void {
  const buffer = { itemIdx: new Int32Array(PIECE), ratings: new Float32Array(PIECE) };
  for (const { b, at, n } of strataPieces(ts, plan, w, buffer.itemIdx, buffer.ratings))
    strata.load(b, at, buffer.itemIdx.subarray(0, n), buffer.ratings.subarray(0, n));
}

/** Checks a piece of stratum b against its shape: in range, item ids inside its item block. */
export function checkPiece(shapes: readonly StratumShape[], b: number, at: number, itemIdx: Int32Array, ratings: Float32Array): void {
  const s = shapes[b];
  if (!s) throw invalid(`there is no stratum ${b} of ${shapes.length}`, { stratum: b });
  const n = itemIdx.length;
  if (ratings.length !== n || !(at >= 0 && at + n <= s.nRatings))
    throw invalid(`a piece of ${n} entries at ${at} does not fit stratum ${b} of ${s.nRatings}`, { stratum: b });
  for (let x = 0; x < n; x++)
    if (!(itemIdx[x] >= 0 && itemIdx[x] < s.nItems))
      throw invalid(`stratum ${b} names item ${itemIdx[x]} of its ${s.nItems}`, { stratum: b });
}

/** The kernels' own resident strata, or a portable stand-in that runs each pass through `svdSgd`. */
export function svdStrataOf(
  kernels: Kernels,
  shapes: readonly StratumShape[],
  users: SvdUserRows,
  nFactors: number,
  biased: boolean,
  rates: SvdRates,
): SvdStrata {
  if (kernels.svdStrata) return kernels.svdStrata(shapes, users, nFactors, biased, rates);
  const userBias = gatherRows(users.userBias, 1, users.rows);
  const userFactors = gatherRows(users.userFactors, nFactors, users.rows);
  const itemIdx = shapes.map((s) => new Int32Array(s.nRatings));
  const ratings = shapes.map((s) => new Float32Array(s.nRatings));
  return {
    load(b, at, idx, values) {
      checkPiece(shapes, b, at, idx, values);
      itemIdx[b].set(idx, at);
      ratings[b].set(values, at);
    },
    run(b, itemBias, itemFactors) {
      const s = shapes[b];
      if (s.nRatings === 0) return 0;
      const nUsers = s.userPtr.length - 1;
      const ts = {
        ...s,
        nUsers,
        itemIdx: itemIdx[b],
        ratings: ratings[b],
        scale: { min: -Infinity, max: Infinity },
        userIds: [],
        itemIds: [],
      };
      let sse = 0;
      const state = { nFactors, biased, userBias, userFactors, itemBias, itemFactors };
      kernels.svdSgd(ts, state, rates, 1, (_, rmse, sync) => {
        sync();
        sse = rmse * rmse * s.nRatings;
      });
      return sse;
    },
    saveUsers() {
      scatterRows(userBias, 1, users.rows, users.userBias);
      scatterRows(userFactors, nFactors, users.rows, users.userFactors);
    },
  };
}

/**
 * The whole stratified fit on this thread, strata of a sub-epoch one after another: the same result
 * as running them on W threads, which is what the worker pool's version is tested against. Updates
 * `state` in place; `onEpoch` gets each epoch's training RMSE (over all ratings, before each update).
 */
export function svdStrataFit(
  ts: Trainset,
  state: SvdState,
  rates: SvdRates,
  nEpochs: number,
  workers: number,
  kernels: Kernels,
  onEpoch?: (epoch: number, rmse: number) => void,
): void {
  const plan = planStrata(ts, workers);
  const k = state.nFactors;
  const items = plan.itemBlocks.map((ids) => ({
    bias: gatherRows(state.itemBias, 1, ids),
    factors: gatherRows(state.itemFactors, k, ids),
  }));
  const blocks = plan.userBlocks.map((rows, w) => {
    const users = { userBias: state.userBias, userFactors: state.userFactors, rows };
    const strata = svdStrataOf(kernels, strataShapes(ts, plan, w), users, k, state.biased, rates);
    loadStrata(ts, plan, w, strata);
    return strata;
  });
  for (let epoch = 1; epoch <= nEpochs; epoch++) {
    let sse = 0;
    for (let s = 0; s < workers; s++) {
      for (let w = 0; w < workers; w++) {
        const b = stratumOf(w, s, workers);
        sse += blocks[w].run(b, items[b].bias, items[b].factors);
      }
    }
    onEpoch?.(epoch, Math.sqrt(sse / ts.nRatings));
  }
  plan.itemBlocks.forEach((ids, b) => {
    scatterRows(items[b].bias, 1, ids, state.itemBias);
    scatterRows(items[b].factors, k, ids, state.itemFactors);
  });
  for (const strata of blocks) strata.saveUsers();
}
