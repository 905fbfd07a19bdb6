import { byItem, type Trainset } from '../dataset.js';
import { invalid } from '../errors.js';
import { biasedFactorModel, type FactorModel } from '../model.js';
import { solveSpd } from '../cholesky.js';
import { parseParams, type ParamSpecs } from './params.js';
import { initFactors } from './svd.js';
import type { Algorithm } from './types.js';

export interface AlsConfig {
  readonly nFactors: number;
  readonly nEpochs: number;
  readonly initMean: number;
  readonly initStdDev: number;
  /** λ of each row's ridge, scaled by the row's number of ratings (ALS-WR, Zhou et al. 2008). */
  readonly regPu: number;
  readonly regQi: number;
  readonly regBu: number;
  readonly regBi: number;
}

const reg = { type: 'number', min: 0, group: 'reg' } as const;

const specs: ParamSpecs<AlsConfig> = {
  nFactors: { type: 'int', min: 1, max: 1024, aliases: ['factors', 'k'] },
  nEpochs: { type: 'int', min: 0, max: 10_000, aliases: ['epochs', 'iterations'] },
  initMean: { type: 'number' },
  initStdDev: { type: 'number', min: 0, aliases: ['init_std'] },
  regPu: reg,
  regQi: reg,
  regBu: reg,
  regBi: reg,
};

const defaults: AlsConfig = { nFactors: 20, nEpochs: 10, initMean: 0, initStdDev: 0.1, regPu: 0.15, regQi: 0.15, regBu: 0.15, regBi: 0.15 };

/**
 * Biased matrix factorisation, r̂ = μ + b_u + b_i + q_iᵀp_u (SVD's model), fitted by alternating
 * least squares: with the items fixed, each user's [p_u, b_u] is the exact minimiser of
 * Σ_{i∈I(u)} (r_ui − μ − b_i − q_iᵀp_u − b_u)² + |I(u)|·(λ_p|p_u|² + λ_b b_u²) — a (k+1)-sized ridge
 * regression solved by Cholesky — then the same for each item's [q_i, b_i]. Each half-step can only
 * lower the objective; the only randomness is the items' starting factors.
 */
export const als: Algorithm<AlsConfig> = {
  id: 'als',
  displayName: 'ALS',
  defaults,
  parseConfig: (raw) => parseParams('als', defaults, specs, ['reg'], raw),
  epochs: (c) => c.nEpochs,
  fit(ts: Trainset, c: AlsConfig, ctx): FactorModel {
    const k = c.nFactors;
    const bu = new Float32Array(ts.nUsers);
    const bi = new Float32Array(ts.nItems);
    const P = initFactors(ts.nUsers, k, c.initMean, c.initStdDev, ctx.rng);
    const Q = initFactors(ts.nItems, k, c.initMean, c.initStdDev, ctx.rng);
    const cols = byItem(ts);
    // Solved in place: the model is the fit so far after every sweep.
    const model = biasedFactorModel('als', ts, k, { userBias: bu, itemBias: bi, userFactors: P, itemFactors: Q });
    for (let epoch = 0; epoch < c.nEpochs; epoch++) {
      solveRows(ts.nUsers, ts.userPtr, ts.itemIdx, ts.ratings, P, bu, Q, bi, ts.globalMean, k, c.regPu, c.regBu);
      solveRows(ts.nItems, cols.itemPtr, cols.userIdx, cols.ratings, Q, bi, P, bu, ts.globalMean, k, c.regQi, c.regBi);
      if (ctx.onEpoch) ctx.onEpoch(epoch + 1, trainRmse(ts, P, bu, Q, bi, k), () => model);
    }
    return model;
  },
};

/**
 * One half-step: for each row x (user or item) with ratings r_xy against the fixed other side y,
 * [f_x, b_x] = argmin Σ_y (r_xy − μ − b_y − f_yᵀf_x − b_x)² + n_x(λ_f|f_x|² + λ_b b_x²).
 */
function solveRows(
  nRows: number,
  ptr: Int32Array,
  idx: Int32Array,
  ratings: Float32Array,
  F: Float32Array,
  b: Float32Array,
  G: Float32Array,
  c: Float32Array,
  mu: number,
  k: number,
  regF: number,
  regB: number,
): void {
  const n = k + 1;
  const A = new Float64Array(n * n);
  const rhs = new Float64Array(n);
  const x = new Float64Array(n);
  for (let r = 0; r < nRows; r++) {
    const count = ptr[r + 1] - ptr[r];
    if (count === 0) continue;
    A.fill(0);
    rhs.fill(0);
    for (let p = ptr[r]; p < ptr[r + 1]; p++) {
      const y = idx[p];
      const g = y * k;
      for (let f = 0; f < k; f++) x[f] = G[g + f];
      x[k] = 1;
      const target = ratings[p] - mu - c[y];
      // Lower triangle only: Cholesky reads no more.
      for (let i = 0; i < n; i++) {
        const xi = x[i];
        rhs[i] += xi * target;
        const row = i * n;
        for (let j = 0; j <= i; j++) A[row + j] += xi * x[j];
      }
    }
    for (let f = 0; f < k; f++) A[f * n + f] += count * regF;
    A[k * n + k] += count * regB;
    if (!solveSpd(A, rhs, n)) throw invalid(`ALS: row ${r}'s normal equations are singular; give reg > 0`);
    for (let f = 0; f < k; f++) F[r * k + f] = rhs[f];
    b[r] = rhs[k];
  }
}

function trainRmse(ts: Trainset, P: Float32Array, bu: Float32Array, Q: Float32Array, bi: Float32Array, k: number): number {
  let sse = 0;
  for (let u = 0; u < ts.nUsers; u++) {
    for (let x = ts.userPtr[u]; x < ts.userPtr[u + 1]; x++) {
      const i = ts.itemIdx[x];
      let est = ts.globalMean + bu[u] + bi[i];
      for (let f = 0; f < k; f++) est += P[u * k + f] * Q[i * k + f];
      sse += (ts.ratings[x] - est) ** 2;
    }
  }
  return Math.sqrt(sse / ts.nRatings);
}
