import type { Trainset } from '../dataset.js';
import { biasedFactorModel, type FactorModel } from '../model.js';

/**
 * The model of an implicit-feedback algorithm: a biased factor base with μ = 0 and no user biases,
 * so that its factor estimate b_i + p_uᵀq_i is the relevance score, marked by the implicit family
 * as a ranking model (never clipped, no RMSE).
 */
export function implicitModel(
  algorithm: string,
  ts: Trainset,
  k: number,
  userFactors: Float32Array,
  itemFactors: Float32Array,
  itemBias: Float32Array,
): FactorModel {
  const parts = { userBias: new Float32Array(ts.nUsers), itemBias, userFactors, itemFactors, extension: { kind: 'implicit' } as const };
  return biasedFactorModel(algorithm, { ...ts, globalMean: 0 }, k, parts);
}
