import type { Trainset } from '../dataset.js';
import { invalid } from '../errors.js';
import type { Kernels, SvdRates, SvdState, SvdStrata, SvdUserSide } from '../kernels.js';

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

/**
 * User block w's ratings split by item block: `[b]` is stratum (w, b) as a trainset of block-local
 * ids (no id vocabularies), each user's ratings in the trainset's order.
 */
export function strataOf(ts: Trainset, plan: StrataPlan, w: number): Trainset[] {
  const users = plan.userBlocks[w];
  const W = plan.workers;
  const ptrs = Array.from({ length: W }, () => new Int32Array(users.length + 1));
  users.forEach((u, lu) => {
    for (let x = ts.userPtr[u]; x < ts.userPtr[u + 1]; x++) ptrs[plan.itemBlock[ts.itemIdx[x]]][lu + 1]++;
  });
  for (const ptr of ptrs) for (let lu = 0; lu < users.length; lu++) ptr[lu + 1] += ptr[lu];
  const itemIdx = ptrs.map((ptr) => new Int32Array(ptr[users.length]));
  const ratings = ptrs.map((ptr) => new Float32Array(ptr[users.length]));
  const fill = ptrs.map((ptr) => ptr.slice(0, users.length));
  users.forEach((u, lu) => {
    for (let x = ts.userPtr[u]; x < ts.userPtr[u + 1]; x++) {
      const i = ts.itemIdx[x];
      const b = plan.itemBlock[i];
      const at = fill[b][lu]++;
      itemIdx[b][at] = plan.itemLocal[i];
      ratings[b][at] = ts.ratings[x];
    }
  });
  return ptrs.map((userPtr, b) => ({
    nUsers: users.length,
    nItems: plan.itemBlocks[b].length,
    nRatings: userPtr[users.length],
    userPtr,
    itemIdx: itemIdx[b],
    ratings: ratings[b],
    globalMean: ts.globalMean,
    scale: ts.scale,
    userIds: [],
    itemIds: [],
  }));
}

/** Rows `ids` of a row-major matrix of `width` columns, in that order, into `out` (a fresh array by default). */
export function gatherRows(
  src: Float32Array,
  width: number,
  ids: Int32Array,
  out: Float32Array = new Float32Array(ids.length * width),
): Float32Array {
  ids.forEach((id, r) => out.set(src.subarray(id * width, (id + 1) * width), r * width));
  return out;
}

/** The inverse of `gatherRows`: row r of `block` back to row ids[r] of `dst`. */
export function scatterRows(block: Float32Array, width: number, ids: Int32Array, dst: Float32Array): void {
  ids.forEach((id, r) => dst.set(block.subarray(r * width, (r + 1) * width), id * width));
}

/** The kernels' own resident strata, or a portable stand-in that runs each pass through `svdSgd`. */
export function svdStrataOf(
  kernels: Kernels,
  strata: readonly Trainset[],
  users: SvdUserSide,
  nFactors: number,
  biased: boolean,
  rates: SvdRates,
): SvdStrata {
  if (kernels.svdStrata) return kernels.svdStrata(strata, users, nFactors, biased, rates);
  const userBias = users.userBias.slice();
  const userFactors = users.userFactors.slice();
  return {
    run(b, itemBias, itemFactors) {
      const ts = strata[b];
      if (ts.nRatings === 0) return 0;
      let sse = 0;
      const state = { nFactors, biased, userBias, userFactors, itemBias, itemFactors };
      kernels.svdSgd(ts, state, rates, 1, (_, rmse, sync) => {
        sync();
        sse = rmse * rmse * ts.nRatings;
      });
      return sse;
    },
    readUsers(into) {
      into.userBias.set(userBias);
      into.userFactors.set(userFactors);
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
  const blocks = plan.userBlocks.map((ids, w) =>
    svdStrataOf(
      kernels,
      strataOf(ts, plan, w),
      { userBias: gatherRows(state.userBias, 1, ids), userFactors: gatherRows(state.userFactors, k, ids) },
      k,
      state.biased,
      rates,
    ),
  );
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
  plan.userBlocks.forEach((ids, w) => {
    const side = { userBias: new Float32Array(ids.length), userFactors: new Float32Array(ids.length * k) };
    blocks[w].readUsers(side);
    scatterRows(side.userBias, 1, ids, state.userBias);
    scatterRows(side.userFactors, k, ids, state.userFactors);
  });
}
