import { invalid } from './errors.js';
import type { FactorModel } from './model.js';
import { solveSpd } from './cholesky.js';

/**
 * A user the model never saw, folded in from her ratings: her bias b_u and factors p_u, solved
 * against the model's fixed μ, b_i and q_i. Scored like a known user (see estimateFolded).
 */
export interface FoldedUser {
  readonly bias: number;
  readonly factors: Float64Array;
  /** Her rated items (inner ids), for excluding them from her recommendations. */
  readonly rated: Int32Array;
}

export interface FoldInOptions {
  /**
   * λ of the ridge penalty on p_u. Default 5: with a handful of ratings and 100 factors the
   * system is underdetermined, and the penalty Surprise's SGD effectively applies (reg_pu = 0.02
   * per rating) would let her factors fit her few ratings exactly; 5 keeps a user with few ratings
   * near the baseline (μ + b_i) and lets the data take over as ratings accumulate (measured on
   * ml-latest-small: see README, "New users between retrains").
   */
  readonly reg?: number;
  /** λ on b_u alone (default 2): a bias is one number, learnt from few ratings with less shrinkage. */
  readonly regBias?: number;
}

export const DEFAULT_FOLD_IN_REG = 5;
export const DEFAULT_FOLD_IN_REG_BIAS = 2;

/**
 * Folds a new user in by regularised least squares, closed form (the user step of ALS for biased MF;
 * Koren, Bell & Volinsky 2009, eq. 5 restricted to the user's terms):
 *
 *   min_{b, p}  Σ_{i∈R(u)} (r_ui − μ − b_i − b − q_iᵀp)² + λ_b b² + λ ‖p‖²
 *
 * With z_i = [1; q_i] and x = [b; p] the normal equations are (Σ z_i z_iᵀ + diag(λ_b, λ…λ)) x = Σ z_i (r_ui − μ − b_i),
 * a (k+1)×(k+1) symmetric positive definite system solved by Cholesky. An unbiased model has no b
 * (z_i = q_i, and r_ui − q_iᵀp is the residual); a baseline model (k = 0) reduces to
 * b = Σ(r − μ − b_i)/(λ_b + |R(u)|), the ALS user-bias step. SVD++'s implicit term is not re-derived:
 * its model already carries it inside p_u, so its new users are folded in as SVD users.
 *
 * `items` are inner ids (-1 = an item the model does not know: skipped, it carries no q_i). Returns
 * null when no rating is on a known item.
 */
export function foldInUser(
  model: FactorModel,
  items: ArrayLike<number>,
  ratings: ArrayLike<number>,
  opts: FoldInOptions = {},
): FoldedUser | null {
  if (items.length !== ratings.length) throw invalid(`fold-in got ${items.length} items but ${ratings.length} ratings`);
  const lambda = opts.reg ?? DEFAULT_FOLD_IN_REG;
  const lambdaBias = opts.regBias ?? DEFAULT_FOLD_IN_REG_BIAS;
  for (const v of [lambda, lambdaBias])
    if (!(v > 0) || !Number.isFinite(v)) throw invalid(`fold-in regularisation must be a positive number, got ${v}`);
  const known: number[] = [];
  for (let x = 0; x < items.length; x++) if (items[x] >= 0 && items[x] < model.itemIds.length) known.push(x);
  if (known.length === 0) return null;
  const k = model.nFactors;
  const b = model.biased ? 1 : 0;
  const d = k + b;
  const rated = Int32Array.from(known, (x) => items[x]);
  if (d === 0) return { bias: 0, factors: new Float64Array(0), rated };
  const A = new Float64Array(d * d);
  const rhs = new Float64Array(d);
  const z = new Float64Array(d);
  for (const x of known) {
    const i = items[x];
    if (b) z[0] = 1;
    for (let f = 0; f < k; f++) z[b + f] = model.itemFactors[i * k + f];
    const y = model.biased ? ratings[x] - model.globalMean - model.itemBias[i] : ratings[x];
    for (let r = 0; r < d; r++) {
      rhs[r] += z[r] * y;
      const zr = z[r];
      // Lower triangle only: choleskySolve reads no more.
      for (let c = 0; c <= r; c++) A[r * d + c] += zr * z[c];
    }
  }
  for (let r = 0; r < d; r++) A[r * d + r] += r < b ? lambdaBias : lambda;
  choleskySolve(A, rhs, d);
  return { bias: b ? rhs[0] : 0, factors: rhs.subarray(b), rated };
}

/** Solves A x = y in place (x into y) for symmetric positive definite A, reading its lower triangle. */
export function choleskySolve(A: Float64Array, y: Float64Array, d: number): void {
  // λ > 0 keeps the system positive definite; a non-positive pivot means non-finite input.
  if (!solveSpd(A, y, d)) throw invalid('fold-in: the model holds non-finite item factors');
}

/** Unclipped estimate of a folded-in user for inner item `i` (-1 = unknown item: μ + b_u), as core's estimate for a known user. */
export function estimateFolded(m: FactorModel, user: FoldedUser, i: number): number {
  const k = m.nFactors;
  if (!m.biased) {
    if (i < 0) return m.globalMean;
    let s = 0;
    for (let f = 0; f < k; f++) s += user.factors[f] * m.itemFactors[i * k + f];
    return s;
  }
  let est = m.globalMean + user.bias;
  if (i < 0) return est;
  est += m.itemBias[i];
  for (let f = 0; f < k; f++) est += user.factors[f] * m.itemFactors[i * k + f];
  return est;
}

/**
 * The folded user's top-n items she did not rate: estimates descending, ties by `itemRank`
 * ascending (core's top-N order). Returns inner item ids.
 */
export function topNFolded(m: FactorModel, user: FoldedUser, n: number, itemRank: Int32Array): Int32Array {
  const nItems = m.itemIds.length;
  const est = new Float64Array(nItems);
  // estimateFolded over every item, with the arrays in locals: this loop is the request's cost.
  const k = m.nFactors;
  const Q = m.itemFactors;
  const bi = m.itemBias;
  const p = user.factors;
  const base = m.biased ? m.globalMean + user.bias : 0;
  for (let i = 0, at = 0; i < nItems; i++, at += k) {
    let s = m.biased ? base + bi[i] : 0;
    for (let f = 0; f < k; f++) s += p[f] * Q[at + f];
    est[i] = s;
  }
  const skip = new Uint8Array(nItems);
  for (const i of user.rated) skip[i] = 1;
  return bestOf(est, skip, n, itemRank);
}

/** The n best indices of `score` outside `skip`, score descending then rank ascending; a bounded selection, O(N log n). */
export function bestOf(score: ArrayLike<number>, skip: Uint8Array | null, n: number, rank: Int32Array): Int32Array {
  const better = (a: number, b: number) => score[a] > score[b] || (score[a] === score[b] && rank[a] < rank[b]);
  const heap: number[] = [];
  // A min-heap of the best n seen so far: its root is the worst of them.
  const down = (at: number) => {
    for (;;) {
      const l = 2 * at + 1;
      const r = l + 1;
      let w = at;
      if (l < heap.length && better(heap[w], heap[l])) w = l;
      if (r < heap.length && better(heap[w], heap[r])) w = r;
      if (w === at) return;
      [heap[at], heap[w]] = [heap[w], heap[at]];
      at = w;
    }
  };
  for (let i = 0; i < score.length && n > 0; i++) {
    if (skip?.[i]) continue;
    if (heap.length < n) {
      heap.push(i);
      for (let at = heap.length - 1; at > 0; ) {
        const up = (at - 1) >> 1;
        if (!better(heap[up], heap[at])) break;
        [heap[up], heap[at]] = [heap[at], heap[up]];
        at = up;
      }
    } else if (better(i, heap[0])) {
      heap[0] = i;
      down(0);
    }
  }
  return Int32Array.from(heap.sort((a, b) => (better(a, b) ? -1 : 1)));
}
