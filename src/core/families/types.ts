import type { Kernels } from '../kernels.js';
import type { FactorModel } from '../model.js';

/** A typed array stored with a model extension (float32 or int32, little-endian in artifacts). */
export type StoredArray = Float32Array | Int32Array;

/** Plain JSON, for the scalar parameters a family stores beside its arrays. */
export type FamilyJson = null | boolean | number | string | readonly FamilyJson[] | { readonly [key: string]: FamilyJson };

/** A model extension as data: JSON parameters plus named arrays, what an artifact stores. */
export interface EncodedExtension {
  readonly params: { readonly [key: string]: FamilyJson };
  readonly arrays: ReadonlyMap<string, StoredArray>;
}

/**
 * The family-specific part of a model: what a neighbourhood, item-item or blended model holds on top
 * of the shared base (ids, scale, μ, biases). Factor models have none.
 */
export type ModelExtension = NeighbourExtension | EaseExtension | BlendExtension | ImplicitExtension | TimeExtension;

export interface NeighbourExtension {
  readonly kind: 'knn';
  /** KNNBasic, KNNWithMeans or KNNBaseline's estimate. */
  readonly variant: 'basic' | 'means' | 'baseline';
  /** Neighbours are users (true) or items; "x" below is that side, "y" the other. */
  readonly userBased: boolean;
  readonly k: number;
  readonly minK: number;
  /** Each x's neighbours (CSR over x), positive similarities only, best first. */
  readonly nbrPtr: Int32Array;
  readonly nbrIdx: Int32Array;
  readonly nbrSim: Float32Array;
  /** The training ratings by x (CSR over x), each row sorted by y, for r(x′, y) lookups. */
  readonly xPtr: Int32Array;
  readonly yIdx: Int32Array;
  readonly xRatings: Float32Array;
  /** Mean rating of each x (KNNWithMeans' centring). */
  readonly xMeans: Float32Array;
}

export interface EaseExtension {
  readonly kind: 'ease';
  /** Inner item ids of the items the item-item weights cover (the rest score 0). */
  readonly covered: Int32Array;
  /** covered × covered weights B (zero diagonal), row-major: score(u, i) = Σ_{j ∈ I(u)} B[j, i]. */
  readonly weights: Float32Array;
  /** Each user's rated items (CSR by inner ids): the X of score = X·B. */
  readonly ratedPtr: Int32Array;
  readonly ratedIdx: Int32Array;
}

export interface BlendExtension {
  readonly kind: 'blend';
  /** Component models over the same users and items, in weight order. */
  readonly components: readonly FactorModel[];
  /** r̂ = intercept + Σ_c weights[c]·r̂_c, each r̂_c clipped to the scale (the stacked regression's inputs). */
  readonly weights: readonly number[];
  readonly intercept: number;
}

/**
 * A factor model fitted to implicit feedback (WRMF, BPR): its base holds everything (μ = 0, no user
 * biases; BPR's item biases), and its estimate b_i + p_uᵀq_i is a relevance score, not a rating.
 */
export interface ImplicitExtension {
  readonly kind: 'implicit';
}

/**
 * timeSVD's time-dependent biases (Koren 2009, eq. 9–10). The base holds the biases at serving time
 * "now" (the last training day): b_u + α_u·dev_u(now) and b_i + b_{i,Bin(now)}; the extension holds
 * what an estimate at another time t needs.
 */
export interface TimeExtension {
  readonly kind: 'time';
  /** dev_u(t) = sign(t − t_u)·|t − t_u|^β, t in days. */
  readonly beta: number;
  /** Seconds per day of the timestamps (86,400 for Unix seconds). */
  readonly daySeconds: number;
  /** First training day, days per bin, and the serving day ("now"). */
  readonly firstDay: number;
  readonly binDays: number;
  readonly nBins: number;
  readonly nowDay: number;
  /** α_u, the user's drift. */
  readonly alpha: Float32Array;
  /** t_u, the user's mean rating day. */
  readonly userDay: Float32Array;
  /** b_{i,bin}, nItems × nBins row-major. */
  readonly itemBinBias: Float32Array;
  /** b_{u,t}, the day-specific user bias: each user's rating days (whole days, ascending; CSR over users) and their biases. */
  readonly userDayPtr: Int32Array;
  readonly userDays: Int32Array;
  readonly userDayBias: Float32Array;
}

/** A model with a given extension. */
export type ExtendedModel<E extends ModelExtension> = FactorModel & { readonly extension: E };

/**
 * What a family supplies (Surprise's `estimate`); everything else — id mapping, clipping, top-N,
 * storage — is shared. Estimates are unclipped.
 */
export interface Family<E extends ModelExtension> {
  readonly kind: E['kind'];
  /** Estimate for inner ids; -1 marks an unknown user or item, which the family answers with its fallback. */
  estimate(m: ExtendedModel<E>, u: number, i: number): number;
  /**
   * Estimates of known user `u` for every item, into `out` (length nItems): the top-N score kernel.
   * `kernels` (default the TypeScript reference) runs its hot loop where the family has one there.
   */
  scoreUser(m: ExtendedModel<E>, u: number, out: Float64Array, kernels?: Kernels): void;
  /**
   * The n best items of known user `u` outside `skip` (estimate descending, ties by lower `itemRank`),
   * exactly the lists that scoring every item with `scoreUser` and ranking would give, when the family
   * can find them without scoring every item, with each one's estimate (`scoreUser`'s number) in
   * `est`; undefined when it cannot (then every item is scored). `kernels` as for `scoreUser`.
   */
  bestItems?(
    m: ExtendedModel<E>,
    u: number,
    skip: Uint8Array,
    n: number,
    itemRank: Int32Array,
    est: Float64Array,
    kernels?: Kernels,
  ): Int32Array | undefined;
  /**
   * Upper bounds of known user `u`'s estimates (`scoreUser`'s numbers) for every item, into `hi`, and
   * the function giving one item's estimate equal to `scoreUser`'s to the last bit; undefined when the
   * family has no bound worth its cost. A blend bounds such components and estimates only the items
   * whose bound can still enter its list.
   */
  upperBounds?(m: ExtendedModel<E>, u: number, hi: Float64Array): ((i: number) => number) | undefined;
  /** An estimate at time `t` (the timestamps' unit), for families whose estimates depend on time; others ignore t. */
  estimateAt?(m: ExtendedModel<E>, u: number, i: number, t: number): number;
  /** The base's factor estimate ranks items exactly as `estimate`: top-N may take the kernels' fast path. */
  readonly factorTopN?: boolean;
  /** Its estimates are relevance scores, not ratings: never clipped, no RMSE. */
  readonly ranksOnly?: boolean;
  encode(e: E): EncodedExtension;
  /** Rebuilds the extension, refusing (INVALID_ARGUMENT naming the array) arrays that disagree with the base. */
  decode(e: EncodedExtension, base: FactorModel): E;
}
