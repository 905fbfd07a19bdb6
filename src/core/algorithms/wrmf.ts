import { byItem, type Trainset } from '../dataset.js';
import { invalid } from '../errors.js';
import type { FactorModel } from '../model.js';
import type { Kernels, RatingRows } from '../kernels.js';
import { implicitModel } from './implicit-model.js';
import { parseParams, type ParamSpecs } from './params.js';
import { initFactors } from './svd.js';
import type { Algorithm } from './types.js';

export interface WrmfConfig {
  readonly nFactors: number;
  readonly nEpochs: number;
  /** λ of the ridge on every user and item factor vector. */
  readonly reg: number;
  /** α of the confidence c_ui = 1 + α·r_ui of an observed pair (unobserved pairs: c = 1, preference 0). */
  readonly alpha: number;
  readonly initStdDev: number;
}

const specs: ParamSpecs<WrmfConfig> = {
  nFactors: { type: 'int', min: 1, max: 1024, aliases: ['factors', 'k'] },
  nEpochs: { type: 'int', min: 0, max: 10_000, aliases: ['epochs', 'iterations'] },
  reg: { type: 'number', min: 0, aliases: ['regularization', 'reg_all'] },
  alpha: { type: 'number', min: 0 },
  initStdDev: { type: 'number', min: 0, aliases: ['init_std'] },
};

const defaults: WrmfConfig = { nFactors: 32, nEpochs: 10, reg: 2, alpha: 0.5, initStdDev: 0.01 };

/**
 * Weighted regularised MF for implicit feedback (Hu, Koren & Volinsky 2008): every (user, item) pair
 * has preference p_ui = 1 if rated, else 0, and confidence c_ui = 1 + α·r_ui if rated, else 1;
 * minimise Σ_ui c_ui(p_ui − x_uᵀy_i)² + λ(Σ|x_u|² + Σ|y_i|²) by alternating least squares. Each
 * user's x_u = (YᵀY + Yᵀ(C_u − I)Y + λI)⁻¹ YᵀC_u p(u) (eq. 4) costs O(|I(u)|k² + k³) thanks to
 * the shared YᵀY; solved by Cholesky. A ranking model: scores x_uᵀy_i are relevance, not ratings.
 */
export const wrmf: Algorithm<WrmfConfig> = {
  id: 'wrmf',
  displayName: 'WRMF',
  ranksOnly: true,
  defaults,
  parseConfig: (raw) => parseParams('wrmf', defaults, specs, [], raw),
  epochs: (c) => c.nEpochs,
  fit(ts: Trainset, c: WrmfConfig, ctx): FactorModel {
    const k = c.nFactors;
    const X = initFactors(ts.nUsers, k, 0, c.initStdDev, ctx.rng);
    const Y = initFactors(ts.nItems, k, 0, c.initStdDev, ctx.rng);
    const cols = byItem(ts);
    for (let epoch = 0; epoch < c.nEpochs; epoch++) {
      solve(ctx.kernels, { nRows: ts.nUsers, ptr: ts.userPtr, idx: ts.itemIdx, ratings: ts.ratings }, X, Y, ts.nItems, k, c);
      solve(ctx.kernels, { nRows: ts.nItems, ptr: cols.itemPtr, idx: cols.userIdx, ratings: cols.ratings }, Y, X, ts.nUsers, k, c);
      ctx.onEpoch?.(epoch + 1, Math.sqrt(objective(ts, X, Y, k, c) / (ts.nUsers * ts.nItems)));
    }
    return implicitModel('wrmf', ts, k, X, Y, new Float32Array(ts.nItems));
  },
};

/** Gram matrix FᵀF of n rows of k factors (k × k, full). */
function gram(F: Float32Array, n: number, k: number): Float64Array {
  const G = new Float64Array(k * k);
  for (let r = 0; r < n; r++) {
    const o = r * k;
    for (let a = 0; a < k; a++) {
      const fa = F[o + a];
      for (let b = 0; b <= a; b++) G[a * k + b] += fa * F[o + b];
    }
  }
  for (let a = 0; a < k; a++) for (let b = 0; b < a; b++) G[b * k + a] = G[a * k + b];
  return G;
}

/** Solves every row of F (users or items) against the fixed other side H (nOther rows). */
function solve(kernels: Kernels, side: RatingRows, F: Float32Array, H: Float32Array, nOther: number, k: number, c: WrmfConfig): void {
  const failed = kernels.wrmfSide(side, F, H, gram(H, nOther, k), k, c.reg, c.alpha);
  if (failed >= 0) throw invalid(`WRMF: row ${failed}'s normal equations are singular; give reg > 0`);
}

/**
 * The full objective over all nUsers × nItems pairs without visiting them: Σ_all (x_uᵀy_i)² is
 * Σ_ab (XᵀX)_ab(YᵀY)_ab, and each observed pair replaces its (xᵀy)² by c(1 − xᵀy)².
 */
function objective(ts: Trainset, X: Float32Array, Y: Float32Array, k: number, c: WrmfConfig): number {
  const GX = gram(X, ts.nUsers, k);
  const GY = gram(Y, ts.nItems, k);
  let loss = 0;
  for (let a = 0; a < k * k; a++) loss += GX[a] * GY[a];
  for (let u = 0; u < ts.nUsers; u++) {
    for (let x = ts.userPtr[u]; x < ts.userPtr[u + 1]; x++) {
      const i = ts.itemIdx[x];
      let s = 0;
      for (let f = 0; f < k; f++) s += X[u * k + f] * Y[i * k + f];
      loss += (1 + c.alpha * ts.ratings[x]) * (1 - s) ** 2 - s * s;
    }
  }
  let norms = 0;
  for (const v of X) norms += v * v;
  for (const v of Y) norms += v * v;
  return loss + c.reg * norms;
}
