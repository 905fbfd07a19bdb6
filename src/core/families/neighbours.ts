import { invalid } from '../errors.js';
import { BestList } from './best-list.js';
import { denseFits, transpose, type SortedRows } from './similarity.js';
import type { Kernels, NeighbourLists, NeighbourTop, NeighbourUser } from '../kernels.js';
import type { FactorModel } from '../model.js';
import type { EncodedExtension, ExtendedModel, Family, NeighbourExtension, StoredArray } from './types.js';

type Knn = ExtendedModel<NeighbourExtension>;

/**
 * Derived lookups, built once per model: the ratings by y, and x → x′ similarity either as a dense
 * matrix (few x) or as each neighbour list ordered by neighbour id (binary-searched).
 */
interface Views {
  readonly yPtr: Int32Array;
  readonly yX: Int32Array;
  readonly yR: Float32Array;
  /**
   * Beside yR, each rating's deviation from its rater's reference, r − ref_y − ref_x′ (KNNBasic: r):
   * it does not depend on the x being estimated, so it is worked out once, not per estimate.
   */
  readonly yDev: Float64Array;
  /** nX × nX: 1 + x′'s position in x's list (0 = not a neighbour), or empty when the lists are searched. */
  readonly rank: Int32Array;
  /** nX × nX: x′'s similarity in x's list (0 = not a neighbour), beside `rank`. */
  readonly sim: Float32Array;
  /** The neighbour lists, each x's sorted by neighbour id (rows as in nbrPtr): built on the first estimate without `dense`. */
  byId?: SortedRows;
  /** The lists turned round, built on the first item-based top-N. */
  reversed?: Reverse;
  /** The ratings of y with more than k raters, built on the first dense user-based top-N. */
  crowded?: Crowded;
  /** Each item's bound (`Bounds.key`), built on the first dense user-based top-N or blend bound. */
  boundKey?: Float64Array;
  /** Items by bound descending: built on the first dense user-based top-N. */
  bounds?: Bounds;
}

const cache = new WeakMap<NeighbourExtension, Views>();

function views(m: Knn, byY?: SortedRows): Views {
  const e = m.extension;
  let v = cache.get(e);
  if (!v) {
    const nY = e.userBased ? m.itemIds.length : m.userIds.length;
    const t = byY ?? transpose({ ptr: e.xPtr, idx: e.yIdx, r: e.xRatings }, nY);
    const nX = e.nbrPtr.length - 1;
    if (denseFits(nX)) {
      const rank = new Int32Array(nX * nX);
      const sim = new Float32Array(nX * nX);
      for (let x = 0; x < nX; x++)
        for (let p = e.nbrPtr[x]; p < e.nbrPtr[x + 1]; p++) {
          rank[x * nX + e.nbrIdx[p]] = p - e.nbrPtr[x] + 1;
          sim[x * nX + e.nbrIdx[p]] = e.nbrSim[p];
        }
      v = { yPtr: t.ptr, yX: t.idx, yR: t.r, yDev: deviations(m, t), rank, sim };
    } else v = { yPtr: t.ptr, yX: t.idx, yR: t.r, yDev: deviations(m, t), rank: new Int32Array(0), sim: new Float32Array(0) };
    cache.set(e, v);
  }
  return v;
}

/**
 * Builds at fit the views every estimate reads (a loaded model builds them on first use) from the
 * ratings by y that the fit has at hand, sparing their transpose.
 */
export function prepareViews(m: FactorModel, byY: SortedRows): void {
  views(m as Knn, byY);
}

function deviations(m: Knn, byY: SortedRows): Float64Array {
  const refX = refXOf(m);
  const withRef = m.extension.variant !== 'basic';
  const dev = new Float64Array(byY.idx.length);
  for (let y = 0; y + 1 < byY.ptr.length; y++) {
    const refY = refYOf(m, y);
    for (let p = byY.ptr[y]; p < byY.ptr[y + 1]; p++) dev[p] = withRef ? byY.r[p] - refY - refX[byY.idx[p]] : byY.r[p];
  }
  return dev;
}

/**
 * The k most similar candidates of one estimate, as a min-heap ordered by (similarity, then later
 * candidate first): Surprise's heapq.nlargest over the raters in inner-id order keeps the earlier of
 * equal similarities, so a later candidate enters only when strictly more similar than the weakest
 * kept, and among equally weak the latest leaves first. Estimates never nest, so one heap serves all.
 */
let heapSim = new Float64Array(64);
let heapDev = new Float64Array(64);
let heapOrder = new Int32Array(64);
let heapSize = 0;
let heapCap = 0;

function heapReset(k: number): void {
  if (k > heapSim.length) {
    heapSim = new Float64Array(k);
    heapDev = new Float64Array(k);
    heapOrder = new Int32Array(k);
  }
  heapSize = 0;
  heapCap = k;
}

/** Whether heap slot a is weaker than slot b. */
const weaker = (a: number, b: number): boolean => heapSim[a] < heapSim[b] || (heapSim[a] === heapSim[b] && heapOrder[a] > heapOrder[b]);

function heapSwap(a: number, b: number): void {
  const s = heapSim[a];
  heapSim[a] = heapSim[b];
  heapSim[b] = s;
  const d = heapDev[a];
  heapDev[a] = heapDev[b];
  heapDev[b] = d;
  const o = heapOrder[a];
  heapOrder[a] = heapOrder[b];
  heapOrder[b] = o;
}

/** Offers candidate number `order` (increasing from call to call) with its similarity and deviation. */
function heapOffer(sim: number, dev: number, order: number): void {
  if (heapSize < heapCap) {
    let c = heapSize++;
    heapSim[c] = sim;
    heapDev[c] = dev;
    heapOrder[c] = order;
    while (c > 0) {
      const parent = (c - 1) >> 1;
      if (!weaker(c, parent)) break;
      heapSwap(c, parent);
      c = parent;
    }
    return;
  }
  if (!(sim > heapSim[0])) return;
  heapSim[0] = sim;
  heapDev[0] = dev;
  heapOrder[0] = order;
  let c = 0;
  for (;;) {
    const l = 2 * c + 1;
    if (l >= heapSize) break;
    const w = l + 1 < heapSize && weaker(l + 1, l) ? l + 1 : l;
    if (!weaker(w, c)) break;
    heapSwap(w, c);
    c = w;
  }
}

/** Scratch of one estimate, grown as needed (estimates never nest): deviations by x′, and a bit set over list positions (left all zero). */
let devOf = new Float64Array(0);
let bitSet = new Int32Array(0);

function marks(nX: number): Float64Array {
  if (devOf.length < nX) devOf = new Float64Array(nX);
  return devOf;
}

function bitWords(n: number): Int32Array {
  if (bitSet.length < n) bitSet = new Int32Array(n);
  return bitSet;
}

/** The lists turned round and back: each x's neighbours in id order, with their similarities. */
function byIdOf(m: Knn, v: Views): SortedRows {
  if (!v.byId) {
    const r = reverse(m, v);
    v.byId = transpose({ ptr: r.ptr, idx: r.owner, r: r.sim }, r.ptr.length - 1);
  }
  return v.byId;
}

/** x′'s similarity in x's neighbour list (binary search by id), or 0. */
function similarityTo(byId: SortedRows, x: number, x2: number): number {
  let lo = byId.ptr[x];
  let hi = byId.ptr[x + 1] - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const id = byId.idx[mid];
    if (id === x2) return byId.r[mid];
    if (id < x2) lo = mid + 1;
    else hi = mid - 1;
  }
  return 0;
}

/**
 * The neighbourhood part of Surprise's KNN estimates: r̂ = base + Σ sim·(r − ref) / Σ sim over the k
 * most similar neighbours x′ of x that rated y (only positive similarities count, as in Surprise),
 * where base/ref are: KNNBasic 0 / 0 (and r̂ = Σ sim·r / Σ sim), KNNWithMeans μ_x / μ_x′,
 * KNNBaseline b_xy / b_x′y. With fewer than min_k neighbours the sum is dropped (KNNBasic: no estimate).
 */
function finish(m: Knn, x: number, y: number, num: number, den: number, found: number): number {
  const e = m.extension;
  const enough = found >= e.minK && den > 0;
  // A weighted mean of ratings never exceeds the scale's top; the cap keeps rounding from lifting it
  // a few ulps past, so that top-N can treat the many exact ties at the top as ties (denseBestItems).
  if (e.variant === 'basic') return enough ? Math.min(num / den, m.scale.max) : m.globalMean;
  return baseOf(m, x, y) + (enough ? num / den : 0);
}

/** `finish` from the interleaved sums of the item of this estimate (i = x or y), clearing them. */
function finishSums(m: Knn, x: number, y: number, acc: Float64Array): number {
  const at = 3 * (m.extension.userBased ? y : x);
  const v = finish(m, x, y, acc[at], acc[at + 1], acc[at + 2]);
  acc[at] = acc[at + 1] = acc[at + 2] = 0;
  return v;
}

const baseOf = (m: Knn, x: number, y: number): number => (m.extension.variant === 'means' ? m.extension.xMeans[x] : baselineXY(m, x, y));

function baselineXY(m: Knn, x: number, y: number): number {
  return m.extension.userBased ? m.globalMean + m.userBias[x] + m.itemBias[y] : m.globalMean + m.userBias[y] + m.itemBias[x];
}

/** The part of x′'s reference for y that depends on x′ (KNNBasic: none, KNNWithMeans: x′'s mean, KNNBaseline: b_x′). */
const refXOf = (m: Knn): Float32Array =>
  m.extension.variant === 'means' ? m.extension.xMeans : m.extension.userBased ? m.userBias : m.itemBias;

/** The part of every x′'s reference for y that depends on y alone (KNNBaseline: μ + b_y, else 0). */
const refYOf = (m: Knn, y: number): number =>
  m.extension.variant === 'baseline' ? m.globalMean + (m.extension.userBased ? m.itemBias[y] : m.userBias[y]) : 0;

/**
 * The estimate when the similarity matrix is at hand (few x). When y has at most k raters, every
 * positive one counts and no ranking is needed; otherwise the raters' positions in x's list (best
 * first, Surprise's tie order) are set as bits, and the k lowest set bits are the k best.
 */
function denseEstimate(m: Knn, v: Views, x: number, y: number): number {
  const e = m.extension;
  const nX = e.nbrPtr.length - 1;
  if (v.yPtr[y + 1] - v.yPtr[y] <= e.k) return everyRater(m, v, x, y);
  const from = v.yPtr[y];
  const to = v.yPtr[y + 1];
  const row = x * nX;
  let num = 0;
  let den = 0;
  let found = 0;
  const listLength = e.nbrPtr[x + 1] - e.nbrPtr[x];
  const words = bitWords((listLength + 31) >> 5);
  const dev = marks(nX);
  for (let p = from; p < to; p++) {
    const x2 = v.yX[p];
    const r = v.rank[row + x2] - 1;
    if (r < 0) continue;
    words[r >> 5] |= 1 << (r & 31);
    dev[x2] = v.yDev[p];
  }
  const base = e.nbrPtr[x];
  for (let w = 0; w < (listLength + 31) >> 5; w++) {
    let bits = words[w];
    words[w] = 0;
    while (bits !== 0 && found < e.k) {
      const q = base + (w << 5) + 31 - Math.clz32(bits & -bits);
      bits &= bits - 1;
      num += e.nbrSim[q] * dev[e.nbrIdx[q]];
      den += e.nbrSim[q];
      found++;
    }
  }
  return finish(m, x, y, num, den, found);
}

/** The dense estimate when y has at most k raters: all the positive ones, in rater order. */
function everyRater(m: Knn, v: Views, x: number, y: number): number {
  const row = x * (m.extension.nbrPtr.length - 1);
  let num = 0;
  let den = 0;
  let found = 0;
  for (let p = v.yPtr[y]; p < v.yPtr[y + 1]; p++) {
    const x2 = v.yX[p];
    const s = v.sim[row + x2];
    if (s > 0) {
      num += s * v.yDev[p];
      den += s;
      found++;
    }
  }
  return finish(m, x, y, num, den, found);
}

/** The y rated by more than k x, their ratings by x, and each y's reference μ + b_y (0 unless KNNBaseline). */
interface Crowded {
  readonly ys: Int32Array;
  readonly rows: SortedRows;
  readonly refY: Float64Array;
}

function crowded(m: Knn, v: Views): Crowded {
  v.crowded ??= crowdedRatings(m, v);
  return v.crowded;
}

function crowdedRatings(m: Knn, v: Views): Crowded {
  const e = m.extension;
  const nY = v.yPtr.length - 1;
  const many = (y: number) => v.yPtr[y + 1] - v.yPtr[y] > e.k;
  const ptr = new Int32Array(e.xPtr.length);
  for (let x = 0; x + 1 < e.xPtr.length; x++) {
    let n = 0;
    for (let q = e.xPtr[x]; q < e.xPtr[x + 1]; q++) if (many(e.yIdx[q])) n++;
    ptr[x + 1] = ptr[x] + n;
  }
  const idx = new Int32Array(ptr[ptr.length - 1]);
  const r = new Float32Array(idx.length);
  for (let x = 0, at = 0; x + 1 < e.xPtr.length; x++)
    for (let q = e.xPtr[x]; q < e.xPtr[x + 1]; q++)
      if (many(e.yIdx[q])) {
        idx[at] = e.yIdx[q];
        r[at++] = e.xRatings[q];
      }
  const ys = Int32Array.from({ length: nY }, (_, y) => y).filter(many);
  return { ys, rows: { ptr, idx, r }, refY: Float64Array.from({ length: nY }, (_, y) => refYOf(m, y)) };
}

/**
 * Per-item sums of one top-N score, interleaved (numerator, denominator, neighbours found) so that
 * one scattered update touches one cache line; grown as needed and left all zero (scoring never nests).
 */
let itemSums = new Float64Array(0);

function sumsFor(nItems: number): Float64Array {
  if (itemSums.length < 3 * nItems) itemSums = new Float64Array(3 * nItems);
  return itemSums;
}

/**
 * Dense user-based scores of u, each equal to `denseEstimate(m, v, u, i)` to the last bit: items with
 * at most k raters item by item; the others by walking u's neighbours best first, each one's ratings of
 * them filling the items still short of k (the order in which the estimate adds the same terms).
 */
function denseScoreUser(m: Knn, v: Views, u: number, out: Float64Array): void {
  const e = m.extension;
  const nItems = out.length;
  const c = crowded(m, v);
  const refX = refXOf(m);
  const withRef = e.variant !== 'basic';
  for (let i = 0; i < nItems; i++) if (v.yPtr[i + 1] - v.yPtr[i] <= e.k) out[i] = everyRater(m, v, u, i);
  const { ptr, idx, r } = c.rows;
  const acc = sumsFor(nItems);
  for (let p = e.nbrPtr[u]; p < e.nbrPtr[u + 1]; p++) {
    const x2 = e.nbrIdx[p];
    const s = e.nbrSim[p];
    for (let q = ptr[x2]; q < ptr[x2 + 1]; q++) {
      const at = 3 * idx[q];
      if (acc[at + 2] >= e.k) continue;
      acc[at] += s * (withRef ? r[q] - c.refY[idx[q]] - refX[x2] : r[q]);
      acc[at + 1] += s;
      acc[at + 2]++;
    }
  }
  for (const i of c.ys) {
    out[i] = finish(m, u, i, acc[3 * i], acc[3 * i + 1], acc[3 * i + 2]);
    acc[3 * i] = acc[3 * i + 1] = acc[3 * i + 2] = 0;
  }
}

/**
 * An upper bound of every dense user-based estimate of item i, less the part owed to the user:
 * r̂(u, i) ≤ userPart(u) + key[i] (+ BOUND_SLACK, except for KNNBasic, whose keys hold it, capped at
 * the scale's top as its estimates are). The estimate's neighbourhood term is a similarity-weighted
 * mean of the deviations of i's raters (positive similarities only), so it lies below their largest
 * deviation; with too few neighbours the term is 0 (KNNBasic: r̂ = μ). Items are kept in key order,
 * highest first, ties by lower rank.
 */
interface Bounds {
  readonly key: Float64Array;
  readonly order: Int32Array;
  readonly rank: Int32Array;
}

/** Room for the rounding of a weighted mean (a few ulps of numbers near the rating scale). */
const BOUND_SLACK = 1e-9;

function boundKeys(m: Knn, v: Views): Float64Array {
  v.boundKey ??= itemKeys(m, v);
  return v.boundKey;
}

function itemKeys(m: Knn, v: Views): Float64Array {
  const e = m.extension;
  const nY = v.yPtr.length - 1;
  const key = new Float64Array(nY);
  for (let y = 0; y < nY; y++) {
    let most = e.variant === 'basic' ? m.globalMean : 0;
    for (let p = v.yPtr[y]; p < v.yPtr[y + 1]; p++) most = Math.max(most, v.yDev[p]);
    key[y] = e.variant === 'baseline' ? m.itemBias[y] + most : e.variant === 'basic' ? Math.min(most + BOUND_SLACK, m.scale.max) : most;
  }
  return key;
}

function bounds(m: Knn, v: Views, itemRank: Int32Array): Bounds {
  if (v.bounds?.rank === itemRank) return v.bounds;
  const key = boundKeys(m, v);
  const nY = key.length;
  const order = Int32Array.from({ length: nY }, (_, y) => y).sort((a, b) => key[b] - key[a] || itemRank[a] - itemRank[b]);
  v.bounds = { key, order, rank: itemRank };
  return v.bounds;
}

const userPartOf = (m: Knn, u: number): number =>
  m.extension.variant === 'basic' ? 0 : m.extension.variant === 'means' ? m.extension.xMeans[u] : m.globalMean + m.userBias[u];

const best = new BestList();

/**
 * Dense user-based top-n without scoring every item: items in bound order, each estimated exactly
 * (`denseEstimate`, the numbers `denseScoreUser` gives) until no remaining bound reaches the n-th best.
 * KNNBasic's keys are bounds as they stand (slack included, capped at the scale's top as its
 * estimates are), so an item whose bound only equals the n-th best can enter only with a lower rank;
 * the items after it have a lower bound or a higher rank, so the scan stops there. This ends the scan
 * in the many exact ties at the scale's top (every counted rating 5), which before went on through
 * every item whose raters gave a 5.
 */
function denseBestItems(m: Knn, v: Views, u: number, skip: Uint8Array, n: number, itemRank: Int32Array, est: Float64Array): Int32Array {
  const { key, order } = bounds(m, v, itemRank);
  const basic = m.extension.variant === 'basic';
  const userPart = userPartOf(m, u);
  best.reset(n, itemRank);
  for (const i of order) {
    const bound = basic ? key[i] : userPart + key[i] + BOUND_SLACK;
    const worst = best.worst();
    if (bound < worst || (basic && bound === worst && itemRank[i] > itemRank[best.worstItem()])) break;
    if (!skip[i]) best.offer(denseEstimate(m, v, u, i), i);
  }
  return best.list(est);
}

/** The neighbour lists turned round: for each x′, the x whose lists hold it, with the similarity. */
interface Reverse {
  readonly ptr: Int32Array;
  readonly owner: Int32Array;
  readonly sim: Float32Array;
}

function reverse(m: Knn, v: Views): Reverse {
  const e = m.extension;
  // The lists are rows over x with their neighbours as columns: turned round by the one transpose
  // (a counting sort, owners in increasing order within each x′), with no position arrays between.
  if (!v.reversed) {
    const t = transpose({ ptr: e.nbrPtr, idx: e.nbrIdx, r: e.nbrSim }, e.nbrPtr.length - 1);
    v.reversed = { ptr: t.ptr, owner: t.idx, sim: t.r };
  }
  return v.reversed;
}

/**
 * Item-based scratch of one user (scoring never nests): the deviation of each item u rated (NaN for
 * the rest) and a mark per item; both left cleared between users.
 */
let deviation = new Float64Array(0);
let done = new Uint8Array(0);

/**
 * Item-based, from u's side: each item j that u rated adds its deviation to the items whose lists
 * hold j. The items left with a count of 0 have no neighbour among u's items, so their estimate is
 * `finish(m, i, u, 0, 0, 0)`. (Which items were touched is read from the counts afterwards, one pass
 * over the items, rather than checked at each of the ~38M additions of ml-latest-small's users.)
 */
function itemBasedSums(m: Knn, v: Views, u: number, acc: Float64Array): void {
  const nItems = m.itemIds.length;
  if (deviation.length < nItems) {
    deviation = new Float64Array(nItems).fill(Number.NaN);
    done = new Uint8Array(nItems);
  }
  const r = reverse(m, v);
  for (let q = v.yPtr[u]; q < v.yPtr[u + 1]; q++) {
    const j = v.yX[q];
    const dev = v.yDev[q];
    deviation[j] = dev;
    for (let t = r.ptr[j]; t < r.ptr[j + 1]; t++) {
      const at = 3 * r.owner[t];
      acc[at] += r.sim[t] * dev;
      acc[at + 1] += r.sim[t];
      acc[at + 2]++;
    }
  }
}

/**
 * A touched item's estimate from its sums (clearing them). An item found in more than k of the lists
 * needs its k best, so only that one walks its own list for u's items.
 */
function itemBasedEstimate(m: Knn, u: number, i: number, acc: Float64Array): number {
  const e = m.extension;
  if (acc[3 * i + 2] <= e.k) return finishSums(m, i, u, acc);
  acc[3 * i] = acc[3 * i + 1] = acc[3 * i + 2] = 0;
  let n = 0;
  let d = 0;
  let f = 0;
  for (let p = e.nbrPtr[i]; p < e.nbrPtr[i + 1] && f < e.k; p++) {
    const dev = deviation[e.nbrIdx[p]];
    if (Number.isNaN(dev)) continue;
    n += e.nbrSim[p] * dev;
    d += e.nbrSim[p];
    f++;
  }
  return finish(m, i, u, n, d, f);
}

function clearDeviations(v: Views, u: number): void {
  for (let q = v.yPtr[u]; q < v.yPtr[u + 1]; q++) deviation[v.yX[q]] = Number.NaN;
}

/**
 * Items by the part of an untouched item's estimate `finish(m, i, u, 0, 0, 0)` that is theirs (μ_i for
 * KNNWithMeans, b_i for KNNBaseline, none for KNNBasic), highest first, ties by lower rank: that
 * estimate never rises along the order.
 */
const untouchedOrders = new WeakMap<NeighbourExtension, Int32Array>();

function untouchedOrder(m: Knn, itemRank: Int32Array): Int32Array {
  const e = m.extension;
  let order = untouchedOrders.get(e);
  if (!order) {
    const key = e.variant === 'means' ? e.xMeans : e.variant === 'baseline' ? m.itemBias : new Float32Array(m.itemIds.length);
    order = Int32Array.from({ length: key.length }, (_, i) => i).sort((a, b) => key[b] - key[a] || itemRank[a] - itemRank[b]);
    untouchedOrders.set(e, order);
  }
  return order;
}

let crowdedItems = new Int32Array(0);

/**
 * Item-based top-n with the numbers of `scoreUser`: the touched items found in at most k lists from
 * their sums, then the untouched in `untouchedOrder` until one falls below the n-th best. Last the
 * items found in more than k lists, which walk their own lists, but only those whose bound reaches the
 * n-th best: the neighbourhood term is a weighted mean of u's deviations, so at most their largest.
 * (Keeping each item's own largest in the sums prunes a few more walks with full lists, 4.4 → ~3.5 s,
 * but costs 40% with 100 kept: one more scattered access per term.)
 */
function itemBasedBestItems(m: Knn, u: number, skip: Uint8Array, n: number, itemRank: Int32Array, out: Float64Array): Int32Array {
  const e = m.extension;
  const v = views(m);
  const nItems = m.itemIds.length;
  const acc = sumsFor(nItems);
  itemBasedSums(m, v, u, acc);
  if (crowdedItems.length < nItems) crowdedItems = new Int32Array(nItems);
  best.reset(n, itemRank);
  let crowdedCount = 0;
  for (let i = 0; i < nItems; i++) {
    if (acc[3 * i + 2] === 0) continue;
    done[i] = 1;
    if (acc[3 * i + 2] > e.k) crowdedItems[crowdedCount++] = i;
    else {
      const est = finishSums(m, i, u, acc);
      if (!skip[i]) best.offer(est, i);
    }
  }
  for (const i of untouchedOrder(m, itemRank)) {
    if (done[i] || skip[i]) continue;
    const est = finish(m, i, u, 0, 0, 0);
    if (est < best.worst()) break;
    best.offer(est, i);
  }
  let most = e.variant === 'basic' ? m.globalMean : 0;
  for (let q = v.yPtr[u]; q < v.yPtr[u + 1]; q++) most = Math.max(most, deviation[v.yX[q]]);
  for (let c = 0; c < crowdedCount; c++) {
    const i = crowdedItems[c];
    const bound = e.variant === 'basic' ? most : finish(m, i, u, 0, 0, 0) + most;
    if (skip[i] || bound + BOUND_SLACK < best.worst()) acc[3 * i] = acc[3 * i + 1] = acc[3 * i + 2] = 0;
    else best.offer(itemBasedEstimate(m, u, i, acc), i);
  }
  done.fill(0, 0, nItems);
  clearDeviations(v, u);
  return best.list(out);
}

/** The item-based lists as the kernels take them, built once per model. */
const kernelLists = new WeakMap<NeighbourExtension, NeighbourLists>();

/**
 * Item-based estimates of u through the kernels' `neighbourEstimates` (the numbers of `scoreUser`'s
 * TypeScript): every item's into `out`, or with `top` the best; undefined when the kernels have none.
 */
function kernelEstimates(m: Knn, u: number, out: Float64Array, kernels?: Kernels, top?: NeighbourTop): number | undefined {
  const e = m.extension;
  if (e.userBased || !kernels?.neighbourEstimates) return undefined;
  const v = views(m);
  let lists = kernelLists.get(e);
  if (!lists) {
    const r = reverse(m, v);
    // `finish`'s base: KNNBasic 0 (its estimate is the term), KNNWithMeans μ_i, KNNBaseline (μ + b_u) + b_i.
    const itemPart = e.variant === 'means' ? e.xMeans : e.variant === 'baseline' ? m.itemBias : new Float32Array(m.itemIds.length);
    lists = { ptr: e.nbrPtr, idx: e.nbrIdx, sim: e.nbrSim, rPtr: r.ptr, rOwner: r.owner, rSim: r.sim, itemPart };
    kernelLists.set(e, lists);
  }
  const from = v.yPtr[u];
  const to = v.yPtr[u + 1];
  const basic = e.variant === 'basic';
  const user: NeighbourUser = {
    rated: v.yX.subarray(from, to),
    devs: v.yDev.subarray(from, to),
    k: e.k,
    minK: e.minK,
    userPart: e.variant === 'baseline' ? m.globalMean + m.userBias[u] : 0,
    cap: basic ? m.scale.max : Number.POSITIVE_INFINITY,
    fallback: basic ? m.globalMean : Number.NaN,
  };
  return kernels.neighbourEstimates(lists, user, out, top);
}

export const neighbourFamily: Family<NeighbourExtension> = {
  kind: 'knn',
  estimate(m, u, i) {
    const e = m.extension;
    if (u < 0 || i < 0) {
      // Surprise: KNNBaseline answers with the known baseline terms; the others cannot estimate (global mean).
      if (e.variant !== 'baseline') return m.globalMean;
      return m.globalMean + (u >= 0 ? m.userBias[u] : 0) + (i >= 0 ? m.itemBias[i] : 0);
    }
    const x = e.userBased ? u : i;
    const y = e.userBased ? i : u;
    const v = views(m);
    if (v.rank.length > 0) return denseEstimate(m, v, x, y);
    // Surprise's way round: the x′ that rated y, each with its similarity to x, the k best kept.
    heapReset(e.k);
    const byId = byIdOf(m, v);
    for (let p = v.yPtr[y], c = 0; p < v.yPtr[y + 1]; p++) {
      const x2 = v.yX[p];
      const sim = similarityTo(byId, x, x2);
      if (sim > 0) heapOffer(sim, v.yDev[p], c++);
    }
    let num = 0;
    let den = 0;
    for (let c = 0; c < heapSize; c++) {
      num += heapSim[c] * heapDev[c];
      den += heapSim[c];
    }
    return finish(m, x, y, num, den, heapSize);
  },
  upperBounds(m, u, hi) {
    const v = views(m);
    if (!m.extension.userBased || v.rank.length === 0) return undefined;
    const key = boundKeys(m, v);
    const basic = m.extension.variant === 'basic';
    const userPart = userPartOf(m, u);
    for (let i = 0; i < key.length; i++) hi[i] = basic ? key[i] : userPart + key[i] + BOUND_SLACK;
    return (i) => denseEstimate(m, v, u, i);
  },
  bestItems(m, u, skip, n, itemRank, est, kernels) {
    const v = views(m);
    if (!m.extension.userBased) {
      if (!kernels?.neighbourEstimates) return itemBasedBestItems(m, u, skip, n, itemRank, est);
      const items = new Int32Array(n);
      const ests = new Float64Array(n);
      const count = kernelEstimates(m, u, ests, kernels, { skip, n, itemRank, items }) ?? 0;
      for (let r = 0; r < count; r++) est[items[r]] = ests[r];
      return items.subarray(0, count);
    }
    return v.rank.length > 0 ? denseBestItems(m, v, u, skip, n, itemRank, est) : undefined;
  },
  scoreUser(m, u, out, kernels) {
    const e = m.extension;
    const nItems = m.itemIds.length;
    if (e.userBased && views(m).rank.length > 0) return denseScoreUser(m, views(m), u, out);
    if (kernelEstimates(m, u, out, kernels) !== undefined) return;
    const acc = sumsFor(nItems);
    const withRef = e.variant !== 'basic';
    const refX = refXOf(m);
    if (e.userBased) {
      // Zeros unless KNNBaseline, so the inner loop has one shape.
      const itemRef = e.variant === 'baseline' ? m.itemBias : new Float32Array(nItems);
      const mu = e.variant === 'baseline' ? m.globalMean : 0;
      // Neighbours of u, best first: each one's ratings fill the items still short of k neighbours.
      for (let p = e.nbrPtr[u]; p < e.nbrPtr[u + 1]; p++) {
        const v = e.nbrIdx[p];
        const s = e.nbrSim[p];
        const refV = withRef ? mu + refX[v] : 0;
        for (let q = e.xPtr[v]; q < e.xPtr[v + 1]; q++) {
          const i = e.yIdx[q];
          if (acc[3 * i + 2] >= e.k) continue;
          acc[3 * i] += s * (e.xRatings[q] - refV - itemRef[i]);
          acc[3 * i + 1] += s;
          acc[3 * i + 2]++;
        }
      }
      for (let i = 0; i < nItems; i++) out[i] = finishSums(m, u, i, acc);
      return;
    }
    const v = views(m);
    itemBasedSums(m, v, u, acc);
    for (let i = 0; i < nItems; i++) out[i] = acc[3 * i + 2] === 0 ? finish(m, i, u, 0, 0, 0) : itemBasedEstimate(m, u, i, acc);
    clearDeviations(v, u);
  },
  encode(e) {
    return {
      params: { variant: e.variant, userBased: e.userBased, k: e.k, minK: e.minK },
      arrays: new Map<string, StoredArray>([
        ['nbr-ptr', e.nbrPtr],
        ['nbr-idx', e.nbrIdx],
        ['nbr-sim', e.nbrSim],
        ['x-ptr', e.xPtr],
        ['y-idx', e.yIdx],
        ['x-ratings', e.xRatings],
        ['x-means', e.xMeans],
      ]),
    };
  },
  decode(enc, base) {
    const p = enc.params;
    const variant = p.variant;
    if (variant !== 'basic' && variant !== 'means' && variant !== 'baseline')
      throw invalid(`knn variant ${JSON.stringify(variant)} is unknown`);
    if (typeof p.userBased !== 'boolean') throw invalid('knn userBased must be a boolean');
    for (const name of ['k', 'minK'] as const)
      if (!Number.isSafeInteger(p[name]) || (p[name] as number) < (name === 'k' ? 1 : 0)) throw invalid(`knn ${name} must be an integer`);
    const nX = p.userBased ? base.userIds.length : base.itemIds.length;
    const nY = p.userBased ? base.itemIds.length : base.userIds.length;
    const int = (name: string) => arrayOf(enc, name, Int32Array);
    const float = (name: string) => arrayOf(enc, name, Float32Array);
    const e: NeighbourExtension = {
      kind: 'knn',
      variant,
      userBased: p.userBased,
      k: p.k as number,
      minK: p.minK as number,
      nbrPtr: int('nbr-ptr'),
      nbrIdx: int('nbr-idx'),
      nbrSim: float('nbr-sim'),
      xPtr: int('x-ptr'),
      yIdx: int('y-idx'),
      xRatings: float('x-ratings'),
      xMeans: float('x-means'),
    };
    checkCsr('nbr-ptr', e.nbrPtr, e.nbrIdx, nX, nX);
    checkCsr('x-ptr', e.xPtr, e.yIdx, nX, nY);
    if (e.nbrSim.length !== e.nbrIdx.length) throw invalid(`knn nbr-sim has ${e.nbrSim.length} values for ${e.nbrIdx.length} neighbours`);
    if (e.xRatings.length !== e.yIdx.length) throw invalid(`knn x-ratings has ${e.xRatings.length} values for ${e.yIdx.length} ratings`);
    if (e.xMeans.length !== nX) throw invalid(`knn x-means has ${e.xMeans.length} values, expected ${nX}`);
    return e;
  },
};

export function arrayOf<T extends StoredArray>(enc: EncodedExtension, name: string, type: new (n: number) => T): T {
  const a = enc.arrays.get(name);
  if (!(a instanceof type)) throw invalid(`model array ${name} is missing or of the wrong type`, { array: name });
  return a as T;
}

/** A CSR over `rows` rows whose column ids fall in [0, cols). */
export function checkCsr(name: string, ptr: Int32Array, idx: Int32Array, rows: number, cols: number): void {
  if (ptr.length !== rows + 1 || ptr[0] !== 0 || ptr[rows] !== idx.length)
    throw invalid(`model array ${name} is not a row index over ${rows} rows and ${idx.length} entries`, { array: name });
  for (let r = 0; r < rows; r++) if (ptr[r + 1] < ptr[r]) throw invalid(`model array ${name} decreases at row ${r}`, { array: name });
  for (let x = 0; x < idx.length; x++)
    if (!(idx[x] >= 0 && idx[x] < cols))
      throw invalid(`model array ${name}: entry ${x} points at ${idx[x]}, outside 0..${cols - 1}`, { array: name });
}
