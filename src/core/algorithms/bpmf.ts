import { byItem, type Trainset } from '../dataset.js';
import { invalid } from '../errors.js';
import type { Kernels, RatingRows } from '../kernels.js';
import { biasedFactorModel, type FactorModel } from '../model.js';
import type { Rng } from '../random.js';
import { sampleGamma, sampleGaussianFromPrecision, sampleWishartFromInverse } from '../sampling.js';
import { parseParams, type ParamSpecs } from './params.js';
import { initFactors } from './svd.js';
import type { Algorithm } from './types.js';

export interface BpmfConfig {
  readonly nFactors: number;
  /** Gibbs sweeps in all, the first `burnIn` of them discarded. */
  readonly nEpochs: number;
  readonly burnIn: number;
  /** Keep every thin-th sweep after the burn-in: neighbouring sweeps are alike, and each kept one costs n_factors stored factors. */
  readonly thin: number;
  /** Precision of the rating noise, fixed (Salakhutdinov & Mnih used 2); 0, the default, samples it each sweep (Gamma(1, 1) prior), which fits better. */
  readonly alpha: number;
  /** β₀ of the Normal-Wishart hyperprior (W₀ = I, ν₀ = n_factors + 1, μ₀ = 0). */
  readonly beta0: number;
  readonly initStdDev: number;
}

const specs: ParamSpecs<BpmfConfig> = {
  nFactors: { type: 'int', min: 1, max: 256, aliases: ['factors', 'k'] },
  nEpochs: { type: 'int', min: 1, max: 10_000, aliases: ['epochs', 'sweeps'] },
  burnIn: { type: 'int', min: 0, max: 10_000, aliases: ['burn'] },
  thin: { type: 'int', min: 1, max: 10_000 },
  alpha: { type: 'number', min: 0 },
  beta0: { type: 'number', min: 1e-6 },
  initStdDev: { type: 'number', min: 0, aliases: ['init_std'] },
};

const defaults: BpmfConfig = { nFactors: 10, nEpochs: 150, burnIn: 20, thin: 2, alpha: 0, beta0: 2, initStdDev: 0.1 };

function parseBpmf(raw: Readonly<Record<string, unknown>>): BpmfConfig {
  const c = parseParams('bpmf', defaults, specs, [], raw);
  if (c.burnIn >= c.nEpochs)
    throw invalid(`parameter burn_in of bpmf (${c.burnIn}) must be below n_epochs (${c.nEpochs}): no sample would be kept`);
  // Every kept sample's factors are stored side by side (see fit).
  if (c.nFactors * keptSweeps(c) > 8192)
    throw invalid(`bpmf keeps n_factors × ⌈(n_epochs − burn_in) / thin⌉ = ${c.nFactors * keptSweeps(c)} factors; at most 8192`);
  return c;
}

const keptSweeps = (c: BpmfConfig): number => Math.ceil((c.nEpochs - c.burnIn) / c.thin);

/**
 * Bayesian probabilistic matrix factorisation by Gibbs sampling (Salakhutdinov & Mnih 2008), with
 * biases: r̂ = μ + b_u + b_i + p_uᵀq_i. Each user's [p_u, b_u] (and each item's [q_i, b_i]) is drawn
 * from its Gaussian posterior given the other side, under a Gaussian prior whose mean and precision
 * are themselves drawn from their Normal-Wishart posterior every sweep, so the regularisation is
 * learnt rather than tuned. The prediction is the posterior mean over the kept sweeps (every thin-th after the burn-in),
 * (1/S)·Σ_s (b_u^s + b_i^s + p_u^sᵀq_i^s): stored as one factor model whose factors are the S
 * samples' side by side, scaled by 1/√S, so serving and top-N are a factor model's.
 */
export const bpmf: Algorithm<BpmfConfig> = {
  id: 'bpmf',
  displayName: 'BPMF',
  defaults,
  parseConfig: parseBpmf,
  epochs: (c) => c.nEpochs,
  fit(ts: Trainset, c: BpmfConfig, ctx): FactorModel {
    const k = c.nFactors;
    const d = k + 1;
    const kept = keptSweeps(c);
    const K = k * kept;
    // Latent rows [factors…, bias], d per user and per item.
    const X = initLatent(ts.nUsers, k, c.initStdDev, ctx.rng);
    const Y = initLatent(ts.nItems, k, c.initStdDev, ctx.rng);
    const cols = byItem(ts);
    const mu = ts.globalMean;
    const userFactors = new Float32Array(ts.nUsers * K);
    const itemFactors = new Float32Array(ts.nItems * K);
    const userBias = new Float32Array(ts.nUsers);
    const itemBias = new Float32Array(ts.nItems);
    const hyper = { mean: new Float64Array(d), precision: new Float64Array(d * d) };
    const scale = 1 / Math.sqrt(kept);
    let alpha = c.alpha > 0 ? c.alpha : 2;
    for (let sweep = 0; sweep < c.nEpochs; sweep++) {
      sampleHyper(X, ts.nUsers, d, c.beta0, ctx.rng, hyper);
      sampleRows(
        ctx.kernels,
        { nRows: ts.nUsers, ptr: ts.userPtr, idx: ts.itemIdx, ratings: ts.ratings },
        X,
        Y,
        mu,
        k,
        alpha,
        hyper,
        ctx.rng,
      );
      sampleHyper(Y, ts.nItems, d, c.beta0, ctx.rng, hyper);
      sampleRows(
        ctx.kernels,
        { nRows: ts.nItems, ptr: cols.itemPtr, idx: cols.userIdx, ratings: cols.ratings },
        Y,
        X,
        mu,
        k,
        alpha,
        hyper,
        ctx.rng,
      );
      const sse = ctx.onEpoch || c.alpha === 0 ? trainSse(ts, X, Y, mu, k) : 0;
      if (c.alpha === 0) alpha = sampleGamma(1 + ts.nRatings / 2, ctx.rng) / (1 + sse / 2);
      if (sweep >= c.burnIn && (sweep - c.burnIn) % c.thin === 0) {
        const s = (sweep - c.burnIn) / c.thin;
        keep(X, ts.nUsers, k, s, K, scale, userFactors, userBias, kept);
        keep(Y, ts.nItems, k, s, K, scale, itemFactors, itemBias, kept);
      }
      // Mid-fit: the sweep's own sample (the posterior mean exists only once every kept sample is in).
      ctx.onEpoch?.(sweep + 1, Math.sqrt(sse / ts.nRatings), () => sampleModel(ts, X, Y, k));
    }
    return biasedFactorModel('bpmf', ts, K, { userBias, itemBias, userFactors, itemFactors });
  },
};

/** One sample (latent rows [factors…, bias]) as a biased factor model. */
function sampleModel(ts: Trainset, X: Float64Array, Y: Float64Array, k: number): FactorModel {
  const d = k + 1;
  const factors = (L: Float64Array, n: number) => Float32Array.from({ length: n * k }, (_, x) => L[Math.floor(x / k) * d + (x % k)]);
  const biases = (L: Float64Array, n: number) => Float32Array.from({ length: n }, (_, r) => L[r * d + k]);
  return biasedFactorModel('bpmf', ts, k, {
    userBias: biases(X, ts.nUsers),
    itemBias: biases(Y, ts.nItems),
    userFactors: factors(X, ts.nUsers),
    itemFactors: factors(Y, ts.nItems),
  });
}

function initLatent(n: number, k: number, std: number, rng: Rng): Float64Array {
  const f = initFactors(n, k, 0, std, rng);
  const out = new Float64Array(n * (k + 1));
  for (let r = 0; r < n; r++) for (let x = 0; x < k; x++) out[r * (k + 1) + x] = f[r * k + x];
  return out;
}

/** Adds sample s of the rows' factors (scaled) into its slot and its biases into the running mean. */
function keep(
  L: Float64Array,
  n: number,
  k: number,
  s: number,
  K: number,
  scale: number,
  factors: Float32Array,
  bias: Float32Array,
  kept: number,
): void {
  const d = k + 1;
  for (let r = 0; r < n; r++) {
    for (let x = 0; x < k; x++) factors[r * K + s * k + x] = L[r * d + x] * scale;
    bias[r] += L[r * d + k] / kept;
  }
}

/**
 * (μ, Λ) of one side's prior from its Normal-Wishart posterior given the rows L (n × d):
 * Λ ~ W(W*, n + ν₀) with W*⁻¹ = I + S + β₀n/(β₀+n)·x̄x̄ᵀ, then μ ~ N(n·x̄/(β₀+n), ((β₀+n)Λ)⁻¹).
 */
function sampleHyper(
  L: Float64Array,
  n: number,
  d: number,
  beta0: number,
  rng: Rng,
  out: { mean: Float64Array; precision: Float64Array },
): void {
  const mean = new Float64Array(d);
  for (let r = 0; r < n; r++) for (let x = 0; x < d; x++) mean[x] += L[r * d + x];
  for (let x = 0; x < d; x++) mean[x] /= n;
  const wInv = new Float64Array(d * d);
  for (let r = 0; r < n; r++)
    for (let a = 0; a < d; a++) {
      const da = L[r * d + a] - mean[a];
      for (let b = 0; b <= a; b++) wInv[a * d + b] += da * (L[r * d + b] - mean[b]);
    }
  const shrink = (beta0 * n) / (beta0 + n);
  for (let a = 0; a < d; a++) {
    for (let b = 0; b <= a; b++) {
      const v = wInv[a * d + b] + shrink * mean[a] * mean[b] + (a === b ? 1 : 0);
      wInv[a * d + b] = v;
      wInv[b * d + a] = v;
    }
  }
  if (!sampleWishartFromInverse(wInv, n + d, d, rng, out.precision)) throw invalid('BPMF: the hyperprior scale is not positive definite');
  const betaN = beta0 + n;
  const P = new Float64Array(d * d);
  const h = new Float64Array(d);
  for (let a = 0; a < d * d; a++) P[a] = betaN * out.precision[a];
  // h = βₙΛ·μ*, with μ* = n·x̄/βₙ: so h = Λ·n·x̄.
  for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) h[a] += out.precision[a * d + b] * n * mean[b];
  if (!sampleGaussianFromPrecision(P, h, d, rng, new Float64Array(d)))
    throw invalid('BPMF: the hyperprior precision is not positive definite');
  out.mean.set(h);
}

/**
 * Each row x's [f_x, b_x] from N(Λ*⁻¹h, Λ*⁻¹): Λ* = Λ + α·Σ_y z_y z_yᵀ and h = Λμ + α·Σ_y z_y(r_xy − μ − b_y),
 * where z_y = [f_y, 1] is the other side's factors and a 1 for x's own bias. The normals are drawn
 * first, d per row in row order (what drawing them row by row gives), then the kernels draw the rows.
 */
function sampleRows(
  kernels: Kernels,
  side: RatingRows,
  F: Float64Array,
  G: Float64Array,
  mu: number,
  k: number,
  alpha: number,
  prior: { mean: Float64Array; precision: Float64Array },
  rng: Rng,
): void {
  const d = k + 1;
  const priorH = new Float64Array(d);
  for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) priorH[a] += prior.precision[a * d + b] * prior.mean[b];
  const normals = new Float64Array(side.nRows * d);
  rng.fillNormal(normals, 0, 1);
  const failed = kernels.bpmfRows(side, F, G, k, mu, alpha, prior.precision, priorH, normals);
  if (failed >= 0) throw invalid(`BPMF: row ${failed}'s posterior precision is not positive definite`);
}

function trainSse(ts: Trainset, X: Float64Array, Y: Float64Array, mu: number, k: number): number {
  const d = k + 1;
  let sse = 0;
  for (let u = 0; u < ts.nUsers; u++) {
    for (let x = ts.userPtr[u]; x < ts.userPtr[u + 1]; x++) {
      const i = ts.itemIdx[x];
      let est = mu + X[u * d + k] + Y[i * d + k];
      for (let f = 0; f < k; f++) est += X[u * d + f] * Y[i * d + f];
      sse += (ts.ratings[x] - est) ** 2;
    }
  }
  return sse;
}
