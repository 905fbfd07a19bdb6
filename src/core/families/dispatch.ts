import { invalid } from '../errors.js';
import { bestOf } from '../fold-in.js';
import type { Exclusions, Kernels, TopNResult } from '../kernels.js';
import { clip, factorEstimate, factorScores, type FactorModel } from '../model.js';
import { blendFamily } from './blend.js';
import { easeFamily } from './ease.js';
import { factorUpperBounds } from './factor-bounds.js';
import { implicitFamily } from './implicit.js';
import { neighbourFamily } from './neighbours.js';
import { timeFamily } from './time.js';
import type { EncodedExtension, ExtendedModel, Family, ModelExtension } from './types.js';

let families: ReadonlyMap<string, Family<ModelExtension>> | undefined;

/** Built on first use: the family modules import this one (blends hold models of any family). */
const registered = (): ReadonlyMap<string, Family<ModelExtension>> =>
  (families ??= new Map(
    ([neighbourFamily, easeFamily, blendFamily, implicitFamily, timeFamily] as Family<ModelExtension>[]).map((f) => [f.kind, f]),
  ));

/** The family of an extension kind ("factor" is the base itself and has none). */
export function familyOf(kind: string): Family<ModelExtension> {
  const f = registered().get(kind);
  if (!f) throw invalid(`unknown model family '${kind}'; known: ${familyNames().join(', ')}`, { family: kind });
  return f;
}

/** Family names, "factor" first: what an artifact's manifest may name. */
export const familyNames = (): string[] => ['factor', ...registered().keys()];

export const familyName = (m: FactorModel): string => m.extension?.kind ?? 'factor';

export function extensionEstimate(m: FactorModel, u: number, i: number): number {
  const e = m.extension as ModelExtension;
  return familyOf(e.kind).estimate(m as ExtendedModel<ModelExtension>, u, i);
}

/** Unclipped estimate at time `t` (the timestamps' unit): the family's own for time-aware families, else `estimate`'s. */
export function estimateAt(m: FactorModel, u: number, i: number, t: number): number {
  const f = m.extension ? familyOf(m.extension.kind) : undefined;
  if (f?.estimateAt) return f.estimateAt(m as ExtendedModel<ModelExtension>, u, i, t);
  return m.extension ? extensionEstimate(m, u, i) : factorEstimate(m, u, i);
}

/** Unclipped estimates of known user `u` for every item into `out`: the family's score kernel (or the factor dot products). */
export function scoreUser(m: FactorModel, u: number, out: Float64Array, kernels?: Kernels): void {
  if (m.extension) familyOf(m.extension.kind).scoreUser(m as ExtendedModel<ModelExtension>, u, out, kernels);
  else factorScores(m, u, out);
}

/** The family's `upperBounds` (factor models: Cauchy–Schwarz on the factors), or undefined. */
export function upperBounds(m: FactorModel, u: number, hi: Float64Array): ((i: number) => number) | undefined {
  if (!m.extension) return factorUpperBounds(m, u, hi);
  return familyOf(m.extension.kind).upperBounds?.(m as ExtendedModel<ModelExtension>, u, hi);
}

/**
 * Top-n unrated items of each listed user, for every family: factor models go to the kernels' fast
 * path (WebAssembly SIMD where available); the others score each user with their family's kernel,
 * then share the same ranking (unclipped estimate descending, ties by `itemRank`) and clipped scores.
 */
export function topNFor(
  model: FactorModel,
  users: Int32Array,
  exclude: Exclusions,
  n: number,
  itemRank: Int32Array,
  kernels: Kernels,
): TopNResult {
  if (!model.extension) return kernels.topN(model, users, exclude, n, itemRank);
  if (familyOf(model.extension.kind).factorTopN) {
    const r = kernels.topN(model, users, exclude, n, itemRank);
    // The kernels clip their scores to the rating scale; a relevance score is given as it is.
    if (predictsRatings(model)) return r;
    const scores = Float32Array.from(r.items, (i, x) => (i < 0 ? 0 : factorEstimate(model, users[Math.floor(x / n)], i)));
    return { items: r.items, scores };
  }
  const nItems = model.itemIds.length;
  const items = new Int32Array(users.length * n).fill(-1);
  const scores = new Float32Array(users.length * n);
  const est = new Float64Array(nItems);
  const skip = new Uint8Array(nItems);
  const family = familyOf(model.extension.kind);
  const ext = model as ExtendedModel<ModelExtension>;
  users.forEach((u, x) => {
    for (let p = exclude.userPtr[u]; p < exclude.userPtr[u + 1]; p++) skip[exclude.itemIdx[p]] = 1;
    let best = family.bestItems?.(ext, u, skip, n, itemRank, est, kernels);
    if (!best) {
      family.scoreUser(ext, u, est, kernels);
      best = bestOf(est, skip, n, itemRank);
    }
    for (let p = exclude.userPtr[u]; p < exclude.userPtr[u + 1]; p++) skip[exclude.itemIdx[p]] = 0;
    for (let r = 0; r < best.length; r++) {
      items[x * n + r] = best[r];
      scores[x * n + r] = clipScore(model, est[best[r]]);
    }
  });
  return { items, scores };
}

/** Whether a model's estimates are ratings (false for ranking models such as EASE, whose scores are relevance). */
export const predictsRatings = (m: FactorModel): boolean => !(m.extension && familyOf(m.extension.kind).ranksOnly);

/** Ratings are clipped to the scale; relevance scores are returned as they are. */
export const clipScore = (m: FactorModel, v: number): number => (predictsRatings(m) ? clip(v, m.scale) : v);

/** A model's extension as JSON parameters and named arrays (for artifacts), and back. */
export const encodeExtension = (e: ModelExtension): EncodedExtension => familyOf(e.kind).encode(e);
export const decodeExtension = (kind: string, enc: EncodedExtension, base: FactorModel): ModelExtension => familyOf(kind).decode(enc, base);
