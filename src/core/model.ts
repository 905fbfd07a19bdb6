import type { RatingScale, Testset, Trainset } from './dataset.js';
import { estimateAt, extensionEstimate } from './families/dispatch.js';
import type { ModelExtension } from './families/types.js';
import { IdMap, type RawId } from './ids.js';

/**
 * The trained-model shape shared by every algorithm. Its base — ids, scale, μ, biases, factors —
 * is a complete factor model: baseline (nFactors = 0), SVD, and SVD++ (whose implicit-feedback term
 * is folded into the user factors at the end of training). Other families (neighbourhood, EASE,
 * blends) add an `extension` whose family supplies the estimate and the top-N score kernel
 * (families/); ids, clipping, top-N and storage stay shared.
 *
 * Factor estimate (Surprise, biased): r̂ = μ + b_u + b_i + q_iᵀp_u, dropping the terms of an unknown
 * user or item. Unbiased: q_iᵀp_u when both are known, otherwise the global mean.
 */
export interface FactorModel {
  readonly algorithm: string;
  readonly biased: boolean;
  readonly globalMean: number;
  readonly nFactors: number;
  readonly scale: RatingScale;
  readonly userIds: readonly string[];
  readonly itemIds: readonly string[];
  readonly userBias: Float32Array;
  readonly itemBias: Float32Array;
  /** nUsers × nFactors, row-major. */
  readonly userFactors: Float32Array;
  /** nItems × nFactors, row-major. */
  readonly itemFactors: Float32Array;
  /** The family part of a non-factor model (absent for factor models). */
  readonly extension?: ModelExtension;
}

/** Any trained model: a factor model, or a base plus a family extension. */
export type Model = FactorModel;

/**
 * The base of a model whose family holds everything else: μ, the scale and ids of `ts`, no factors,
 * and the given biases (zeros when the family uses none).
 */
export function familyBase(
  algorithm: string,
  ts: Pick<Trainset, 'nUsers' | 'nItems' | 'globalMean' | 'scale' | 'userIds' | 'itemIds'>,
  extension: ModelExtension,
  biases?: { readonly userBias: Float32Array; readonly itemBias: Float32Array },
): FactorModel {
  return {
    algorithm,
    biased: biases !== undefined,
    globalMean: ts.globalMean,
    nFactors: 0,
    scale: ts.scale,
    userIds: ts.userIds,
    itemIds: ts.itemIds,
    userBias: biases?.userBias ?? new Float32Array(ts.nUsers),
    itemBias: biases?.itemBias ?? new Float32Array(ts.nItems),
    userFactors: new Float32Array(0),
    itemFactors: new Float32Array(0),
    extension,
  };
}

/** A biased factor model over the ids and scale of `ts` (what ALS, timeSVD and the implicit models return). */
export function biasedFactorModel(
  algorithm: string,
  ts: Pick<Trainset, 'globalMean' | 'scale' | 'userIds' | 'itemIds'>,
  nFactors: number,
  parts: Pick<FactorModel, 'userBias' | 'itemBias' | 'userFactors' | 'itemFactors' | 'extension'>,
): FactorModel {
  return {
    algorithm,
    biased: true,
    globalMean: ts.globalMean,
    nFactors,
    scale: ts.scale,
    userIds: ts.userIds,
    itemIds: ts.itemIds,
    ...parts,
  };
}

/** Unclipped estimate for inner ids (-1 = unknown), Surprise's `estimate` seam. */
export function estimate(m: FactorModel, u: number, i: number): number {
  return m.extension ? extensionEstimate(m, u, i) : factorEstimate(m, u, i);
}

/** The factor estimate of the model's base (biases and factors only). */
export function factorEstimate(m: FactorModel, u: number, i: number): number {
  const k = m.nFactors;
  if (!m.biased) {
    if (u < 0 || i < 0) return m.globalMean;
    return dot(m.userFactors, u * k, m.itemFactors, i * k, k);
  }
  let est = m.globalMean;
  if (u >= 0) est += m.userBias[u];
  if (i >= 0) est += m.itemBias[i];
  if (u >= 0 && i >= 0) est += dot(m.userFactors, u * k, m.itemFactors, i * k, k);
  return est;
}

/**
 * `factorEstimate` of known user u for every item, into `out`: four items at a time, their sums
 * independent (so they overlap) and each added in `factorEstimate`'s order, so the numbers are the same.
 */
export function factorScores(m: FactorModel, u: number, out: Float64Array): void {
  const k = m.nFactors;
  const P = m.userFactors;
  const Q = m.itemFactors;
  const uo = u * k;
  const base = m.biased ? m.globalMean + m.userBias[u] : 0;
  const end = out.length - (out.length % 4);
  for (let i = 0; i < end; i += 4) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    const o = i * k;
    for (let f = 0; f < k; f++) {
      const p = P[uo + f];
      s0 += p * Q[o + f];
      s1 += p * Q[o + k + f];
      s2 += p * Q[o + 2 * k + f];
      s3 += p * Q[o + 3 * k + f];
    }
    if (m.biased) {
      out[i] = base + m.itemBias[i] + s0;
      out[i + 1] = base + m.itemBias[i + 1] + s1;
      out[i + 2] = base + m.itemBias[i + 2] + s2;
      out[i + 3] = base + m.itemBias[i + 3] + s3;
    } else {
      out[i] = s0;
      out[i + 1] = s1;
      out[i + 2] = s2;
      out[i + 3] = s3;
    }
  }
  for (let i = end; i < out.length; i++) out[i] = factorEstimate(m, u, i);
}

export function clip(x: number, scale: RatingScale): number {
  return x < scale.min ? scale.min : Math.min(x, scale.max);
}

function dot(a: Float32Array, ao: number, b: Float32Array, bo: number, k: number): number {
  let s = 0;
  for (let f = 0; f < k; f++) s += a[ao + f] * b[bo + f];
  return s;
}

/** Clipped predictions for a testset, written into `out`; time-aware models predict each rating at its timestamp. */
export function predictTestset(m: FactorModel, test: Testset, out = new Float64Array(test.size)): Float64Array {
  const t = m.extension ? test.timestamps : undefined;
  for (let k = 0; k < test.size; k++)
    out[k] = clip(t ? estimateAt(m, test.users[k], test.items[k], t[k]) : estimate(m, test.users[k], test.items[k]), m.scale);
  return out;
}

export interface Prediction {
  readonly user: string;
  readonly item: string;
  readonly estimate: number;
  readonly knownUser: boolean;
  readonly knownItem: boolean;
}

/** Raw-id front of a model: normalises ids (1, "1", 1.0 are one user) and answers predictions. */
export class Predictor {
  readonly users: IdMap;
  readonly items: IdMap;

  constructor(readonly model: FactorModel) {
    this.users = IdMap.from(model.userIds);
    this.items = IdMap.from(model.itemIds);
  }

  predict(user: RawId, item: RawId): number {
    return clip(estimate(this.model, this.users.lookup(user), this.items.lookup(item)), this.model.scale);
  }

  explain(user: RawId, item: RawId): Prediction {
    const u = this.users.lookup(user);
    const i = this.items.lookup(item);
    return {
      user: String(user),
      item: String(item),
      estimate: clip(estimate(this.model, u, i), this.model.scale),
      knownUser: u >= 0,
      knownItem: i >= 0,
    };
  }
}
