import type { Testset, Trainset } from './dataset.js';
import type { FactorModel } from './model.js';

/** Learning rates and regularisation of biased SVD's SGD, one per parameter (Surprise's lr_bu … reg_qi). */
export interface SvdRates {
  readonly lrBu: number;
  readonly lrBi: number;
  readonly lrPu: number;
  readonly lrQi: number;
  readonly regBu: number;
  readonly regBi: number;
  readonly regPu: number;
  readonly regQi: number;
}

export interface SvdState {
  readonly nFactors: number;
  readonly biased: boolean;
  readonly userBias: Float32Array;
  readonly itemBias: Float32Array;
  readonly userFactors: Float32Array;
  readonly itemFactors: Float32Array;
}

/**
 * After each epoch: its training RMSE, how to bring `state` up to date with the fit so far, and, when
 * the fit was given held-out ratings, their RMSE as the model stands after the epoch.
 */
export type EpochHook = (epoch: number, trainRmse: number, sync: () => void, heldOutRmse?: number) => void;

/** Held-out ratings scored between epochs (by the trainset's inner ids, -1 when unknown to it). */
export type HeldOutRatings = Pick<Testset, 'size' | 'users' | 'items' | 'ratings'>;

/**
 * The hot loops, behind an interface so that a portable TypeScript reference and a WebAssembly SIMD
 * build are interchangeable and tested against each other.
 */
export interface Kernels {
  readonly name: string;
  /**
   * Runs `nEpochs` SGD epochs of biased SVD in place on `state` (Surprise's visiting order: user
   * by user, each user's ratings in trainset order). Calls `onEpoch` with the epoch's training RMSE
   * measured on the errors seen before each update, and `sync`, which writes the parameters as they
   * stand into `state` (mid-fit they may live elsewhere, e.g. in WebAssembly memory) for a caller that
   * evaluates the model between epochs. With `heldOut`, each epoch also scores those ratings (clipped
   * estimates, as `predictTestset`) where the parameters live, and hands `onEpoch` their RMSE.
   */
  svdSgd(ts: Trainset, state: SvdState, rates: SvdRates, nEpochs: number, onEpoch?: EpochHook, heldOut?: HeldOutRatings): void;
  /**
   * Top-n items for each listed user among items the user has not rated (`exclude`: CSR of rated
   * items per user, by the model's inner ids). Ranked by estimate descending, ties by `itemRank`
   * ascending; -1 pads users with fewer than n candidates.
   */
  topN(model: FactorModel, users: Int32Array, exclude: Exclusions, n: number, itemRank: Int32Array): TopNResult;
  /**
   * out[c] = Σ_r matrix[rows[r]·width + c] for c < width, in float64 with the rows added in the order
   * listed (EASE's scores, x_u·B). Every implementation gives the same bits. The matrix may be kept
   * where the kernels run between calls with the same array: it must not be edited in between.
   */
  sumRows(matrix: Float32Array, width: number, rows: Int32Array, out: Float64Array): void;
  /**
   * A user block's share of a stratified (DSGD) SVD fit, kept where the kernels run between passes:
   * `shapes[b]` is the block's stratum on item block b (block-local ids), its ratings arriving by
   * `load`; the user side starts from rows `users.rows` of `users`' arrays and stays here until
   * `saveUsers`. Optional: without it `svdStrataOf` runs the strata through `svdSgd`.
   */
  svdStrata?(shapes: readonly StratumShape[], users: SvdUserRows, nFactors: number, biased: boolean, rates: SvdRates): SvdStrata;
  /**
   * XᵀX (n × n, float64, row-major) of the binary matrix X of each user's rated items (`rated`), over
   * the items with pos[i] ≥ 0, item i being row and column pos[i] < n (EASE's Gram matrix). Counts, so
   * every implementation gives the same values.
   */
  gram(rated: Exclusions, pos: Int32Array, n: number): Float64Array;
  /**
   * Inverts a symmetric positive definite n × n float64 matrix (row-major) in place. Returns -1, or
   * the first pivot that is not positive (the matrix is then left part-inverted). Implementations
   * differ in rounding only.
   */
  invertSpd(a: Float64Array, n: number): number;
  /**
   * One epoch of BPR's SGD (Rendle et al. 2009), in place on `state`, over the drawn triples in order:
   * x = b_i − b_j + p_uᵀ(q_i − q_j), g = σ(−x), then b_i += lr(g − λ_b b_i), b_j += lr(−g − λ_b b_j),
   * p_u += lr(g(q_i − q_j) − λ_p p_u), q_i += lr(g p_u − λ_q q_i), q_j += lr(−g p_u − λ_q q_j), each from
   * the old values. Returns Σ ln(1 + e^(−x)). Implementations differ in rounding only.
   */
  bprEpoch(state: BprState, draws: BprDraws, rates: BprRates): number;
  /**
   * Half an epoch of WRMF's alternating least squares (Hu, Koren & Volinsky 2008, eq. 4): each row r of
   * `F` (rows × k) ← (HᵀH + λI + Σ_p (c_p − 1) h_p h_pᵀ)⁻¹ Σ_p c_p h_p over its entries p (CSR `side` into
   * the other side's factors H), with c_p = 1 + α·r_p and HtH = HᵀH (k × k). Returns -1, or the first
   * row whose system is not positive definite (F is then part-updated). Every implementation gives the
   * same bits.
   */
  wrmfSide(side: RatingRows, F: Float32Array, H: Float32Array, HtH: Float64Array, k: number, reg: number, alpha: number): number;
  /**
   * Half a Gibbs sweep of BPMF (Salakhutdinov & Mnih 2008): each row r of `F` (rows × d, d = k + 1:
   * factors then bias) ← a draw from N(Λ*⁻¹h, Λ*⁻¹), Λ* = Λ + α Σ_p z_p z_pᵀ, h = Λμ + α Σ_p z_p (r_p − μ_r − b_p),
   * z_p = [f_p, 1] from the other side's row G_p = [f_p, b_p]; `priorH` = Λμ. The draw is
   * Λ*⁻¹h + L⁻ᵀ·n with Λ* = LLᵀ and n the row's d standard normals from `normals` (rows × d).
   * Returns -1, or the first row whose Λ* is not positive definite. Every implementation gives the same bits.
   */
  bpmfRows(
    side: RatingRows,
    F: Float64Array,
    G: Float64Array,
    k: number,
    meanRating: number,
    alpha: number,
    precision: Float64Array,
    priorH: Float64Array,
    normals: Float64Array,
  ): number;
  /**
   * Item-based KNN estimates of one user: every item's into `out`, or with `top` the n best of the
   * items not in `top.skip` into `top.items` and `out`, best first (estimate descending, ties by
   * lower `top.itemRank`), returning how many. The numbers of the TypeScript in families/neighbours.ts
   * to the last bit (float64, the same additions in the same order); it runs when this is absent.
   * `lists` and `top.itemRank` may be kept where the kernels run between calls with the same arrays:
   * they must not be edited in between.
   */
  neighbourEstimates?(lists: NeighbourLists, user: NeighbourUser, out: Float64Array, top?: NeighbourTop): number;
}

/**
 * Each item's neighbours (CSR, best first), the same lists turned round (each item's owners,
 * ascending), and each item's part of the base its estimates add their term to.
 */
export interface NeighbourLists {
  readonly ptr: Int32Array;
  readonly idx: Int32Array;
  readonly sim: Float32Array;
  readonly rPtr: Int32Array;
  readonly rOwner: Int32Array;
  readonly rSim: Float32Array;
  readonly itemPart: Float32Array;
}

/**
 * One user of item-based KNN: her items (ascending) and deviations. An item's term is the
 * similarity-weighted mean of her deviations over its neighbours she rated (the k first in its list
 * when more than k); its estimate min(userPart + itemPart[i] + term, cap), or without a term (fewer
 * than minK found, or Σ s = 0) `fallback`, NaN meaning userPart + itemPart[i].
 */
export interface NeighbourUser {
  readonly rated: Int32Array;
  readonly devs: Float64Array;
  readonly k: number;
  readonly minK: number;
  readonly userPart: number;
  readonly cap: number;
  readonly fallback: number;
}

export interface NeighbourTop {
  /** 1 for each item left out (the user's rated items). */
  readonly skip: Uint8Array;
  readonly n: number;
  readonly itemRank: Int32Array;
  readonly items: Int32Array;
}

/** Biases and factors of users (row-major, nFactors a row), of which a user block is rows `rows` (block-local id r is row rows[r]). */
export interface SvdUserRows {
  readonly userBias: Float32Array;
  readonly userFactors: Float32Array;
  readonly rows: Int32Array;
}

/** One stratum of a user block without its ratings: the block's users (CSR pointers) on an item block of nItems. */
export interface StratumShape {
  readonly nItems: number;
  readonly nRatings: number;
  readonly userPtr: Int32Array;
  readonly globalMean: number;
}

export interface SvdStrata {
  /** Entries at … at + n − 1 of stratum b's CSR (block-local item ids, ratings): every entry once before the first `run`. */
  load(b: number, at: number, itemIdx: Int32Array, ratings: Float32Array): void;
  /**
   * One SGD pass over stratum b in the sequential kernel's order, updating the user side held here
   * and item block b's biases and factors in place; returns the pass's sum of squared errors.
   */
  run(b: number, itemBias: Float32Array, itemFactors: Float32Array): number;
  /** Writes the user side as it stands back into its rows of the arrays it started from. */
  saveUsers(): void;
}

/** The rows of one side of a ratings matrix (users or items): row r's entries are ptr[r] … ptr[r + 1] − 1. */
export interface RatingRows {
  readonly nRows: number;
  readonly ptr: Int32Array;
  readonly idx: Int32Array;
  readonly ratings: Float32Array;
}

export interface BprState {
  readonly nFactors: number;
  readonly userFactors: Float32Array;
  readonly itemFactors: Float32Array;
  readonly itemBias: Float32Array;
}

/** (user, rated item, unrated item) triples, the first `count` of each array. */
export interface BprDraws {
  readonly count: number;
  readonly users: Int32Array;
  readonly pos: Int32Array;
  readonly neg: Int32Array;
}

export interface BprRates {
  readonly lr: number;
  readonly regPu: number;
  readonly regQi: number;
  readonly regBi: number;
}

export interface Exclusions {
  readonly userPtr: Int32Array;
  readonly itemIdx: Int32Array;
}

export interface TopNResult {
  /** users.length × n inner item ids, best first, -1 padded. */
  readonly items: Int32Array;
  /** Clipped estimates beside `items`. */
  readonly scores: Float32Array;
  /**
   * Estimates computed, when the kernel prunes by a bound (absent: every (user, item) pair). Counted
   * per user, so blocks of users add up to the count of one call; may exceed users × items by padding.
   */
  readonly computed?: number;
}
