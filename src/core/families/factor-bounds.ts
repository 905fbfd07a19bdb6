import { factorEstimate, type FactorModel } from '../model.js';

/** ‖q_i‖ of each item of a factor matrix, worked out once per model. */
const norms = new WeakMap<Float32Array, Float64Array>();

function itemNorms(m: FactorModel): Float64Array {
  let out = norms.get(m.itemFactors);
  if (!out) {
    const k = m.nFactors;
    out = new Float64Array(m.itemIds.length);
    for (let i = 0; i < out.length; i++) {
      let s = 0;
      for (let f = 0; f < k; f++) s += m.itemFactors[i * k + f] ** 2;
      out[i] = Math.sqrt(s);
    }
    norms.set(m.itemFactors, out);
  }
  return out;
}

/**
 * Upper bounds of a factor model's estimates of known user u (μ + b_u + b_i + p_uᵀq_i, or the dot
 * alone unbiased) by Cauchy–Schwarz, p_uᵀq_i ≤ ‖p_u‖·‖q_i‖, widened by 10⁻⁹ of the absolute terms,
 * far more than the float64 roundings of either sum (≈ (k + 3)·2⁻⁵³ of them). Returns the exact
 * estimate of one item, `factorScores`' number.
 */
export function factorUpperBounds(m: FactorModel, u: number, hi: Float64Array): (i: number) => number {
  const k = m.nFactors;
  const qn = itemNorms(m);
  let pn = 0;
  for (let f = 0; f < k; f++) pn += m.userFactors[u * k + f] ** 2;
  pn = Math.sqrt(pn);
  const base = m.biased ? m.globalMean + m.userBias[u] : 0;
  for (let i = 0; i < qn.length; i++) {
    const bias = m.biased ? m.itemBias[i] : 0;
    const dot = pn * qn[i];
    hi[i] = base + bias + dot + 1e-9 * (1 + Math.abs(base) + Math.abs(bias) + dot);
  }
  return (i) => factorEstimate(m, u, i);
}
