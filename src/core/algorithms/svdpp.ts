import type { Trainset } from '../dataset.js';
import type { FactorModel } from '../model.js';
import { parseParams, type ParamSpecs } from './params.js';
import { initFactors } from './svd.js';
import type { Algorithm } from './types.js';

export interface SvdppConfig {
  readonly nFactors: number;
  readonly nEpochs: number;
  readonly initMean: number;
  readonly initStdDev: number;
  readonly lrBu: number;
  readonly lrBi: number;
  readonly lrPu: number;
  readonly lrQi: number;
  readonly lrYj: number;
  readonly regBu: number;
  readonly regBi: number;
  readonly regPu: number;
  readonly regQi: number;
  readonly regYj: number;
}

const lr = { type: 'number', min: 0, group: 'lr' } as const;
const reg = { type: 'number', min: 0, group: 'reg' } as const;

const specs: ParamSpecs<SvdppConfig> = {
  nFactors: { type: 'int', min: 1, max: 4096, aliases: ['factors', 'k'] },
  nEpochs: { type: 'int', min: 0, max: 100_000, aliases: ['epochs'] },
  initMean: { type: 'number' },
  initStdDev: { type: 'number', min: 0, aliases: ['init_std'] },
  lrBu: lr,
  lrBi: lr,
  lrPu: lr,
  lrQi: lr,
  lrYj: lr,
  regBu: reg,
  regBi: reg,
  regPu: reg,
  regQi: reg,
  regYj: reg,
};

/** Surprise's SVDpp() defaults. */
const defaults: SvdppConfig = {
  nFactors: 20,
  nEpochs: 20,
  initMean: 0,
  initStdDev: 0.1,
  lrBu: 0.007,
  lrBi: 0.007,
  lrPu: 0.007,
  lrQi: 0.007,
  lrYj: 0.007,
  regBu: 0.02,
  regBi: 0.02,
  regPu: 0.02,
  regQi: 0.02,
  regYj: 0.02,
};

/**
 * SVD++ (Koren 2008, eq. 15): r̂ = μ + b_u + b_i + q_iᵀ(p_u + |N(u)|^-½ Σ_{j∈N(u)} y_j).
 *
 * Surprise updates every y_j of the user after each rating, O(|N(u)|·k) per rating. Within one
 * user's block all those y_j receive the same affine map y ← a·y + c (a = 1 − γ_y λ_y,
 * c = γ_y e q_i / √|N(u)|), so we compose the maps, keep Σ y_j exact in O(k) per rating, and apply
 * the composite once per block: Surprise's exact updates in O(|R|·k) per epoch instead of
 * O(Σ_u |N(u)|²·k). Assumes no duplicate (user, item) pair, which the loaders guarantee.
 */
export const svdpp: Algorithm<SvdppConfig> = {
  id: 'svdpp',
  displayName: 'SVDpp',
  defaults,
  parseConfig: (raw) => parseParams('svdpp', defaults, specs, ['lr', 'reg'], raw),
  epochs: (c) => c.nEpochs,
  fit(ts, c, ctx): FactorModel {
    const k = c.nFactors;
    const bu = new Float32Array(ts.nUsers);
    const bi = new Float32Array(ts.nItems);
    const P = initFactors(ts.nUsers, k, c.initMean, c.initStdDev, ctx.rng);
    const Q = initFactors(ts.nItems, k, c.initMean, c.initStdDev, ctx.rng);
    const Y = initFactors(ts.nItems, k, c.initMean, c.initStdDev, ctx.rng);
    const sum = new Float64Array(k);
    const shift = new Float64Array(k);
    const a = 1 - c.lrYj * c.regYj;
    const model: FactorModel = {
      algorithm: 'svdpp',
      biased: true,
      globalMean: ts.globalMean,
      nFactors: k,
      scale: ts.scale,
      userIds: ts.userIds,
      itemIds: ts.itemIds,
      userBias: bu,
      itemBias: bi,
      userFactors: P,
      itemFactors: Q,
    };
    let folded: Float32Array | undefined;
    // Locals, not property loads in the loop: V8 does not hoist them (see timesvd.ts).
    const { lrBu, regBu, lrBi, regBi, lrPu, regPu, lrQi, regQi, lrYj } = c;
    const { ratings, itemIdx, userPtr, globalMean } = ts;
    for (let epoch = 0; epoch < c.nEpochs; epoch++) {
      let sse = 0;
      for (let u = 0; u < ts.nUsers; u++) {
        const start = userPtr[u];
        const end = userPtr[u + 1];
        const nu = end - start;
        const norm = 1 / Math.sqrt(nu);
        implicitSum(ts, Y, k, u, sum);
        shift.fill(0);
        let scale = 1;
        for (let x = start; x < end; x++) {
          const i = itemIdx[x];
          let dot = 0;
          for (let f = 0; f < k; f++) dot += Q[i * k + f] * (P[u * k + f] + sum[f] * norm);
          const err = ratings[x] - (globalMean + bu[u] + bi[i] + dot);
          sse += err * err;
          bu[u] += lrBu * (err - regBu * bu[u]);
          bi[i] += lrBi * (err - regBi * bi[i]);
          for (let f = 0; f < k; f++) {
            const puf = P[u * k + f];
            const qif = Q[i * k + f];
            P[u * k + f] = puf + lrPu * (err * qif - regPu * puf);
            Q[i * k + f] = qif + lrQi * (err * (puf + sum[f] * norm) - regQi * qif);
            const cf = lrYj * err * qif * norm;
            sum[f] = a * sum[f] + nu * cf;
            shift[f] = a * shift[f] + cf;
          }
          scale *= a;
        }
        for (let x = start; x < end; x++) {
          const j = itemIdx[x] * k;
          for (let f = 0; f < k; f++) Y[j + f] = scale * Y[j + f] + shift[f];
        }
      }
      // Mid-fit the model is p_u with the implicit term folded into a copy (made only when asked).
      ctx.onEpoch?.(epoch + 1, Math.sqrt(sse / ts.nRatings), () => {
        folded ??= new Float32Array(P.length);
        folded.set(P);
        foldImplicit(ts, Y, k, sum, folded);
        return { ...model, userFactors: folded };
      });
    }
    foldImplicit(ts, Y, k, sum, P);
    return model;
  },
};

/** Folds the implicit term into p_u (`P` in place): serving and top-N then treat SVD++ like SVD. */
function foldImplicit(ts: Trainset, Y: Float32Array, k: number, sum: Float64Array, P: Float32Array): void {
  for (let u = 0; u < ts.nUsers; u++) {
    implicitSum(ts, Y, k, u, sum);
    const norm = 1 / Math.sqrt(ts.userPtr[u + 1] - ts.userPtr[u]);
    for (let f = 0; f < k; f++) P[u * k + f] += sum[f] * norm;
  }
}

function implicitSum(ts: Trainset, Y: Float32Array, k: number, u: number, out: Float64Array): void {
  out.fill(0);
  for (let x = ts.userPtr[u]; x < ts.userPtr[u + 1]; x++) {
    const j = ts.itemIdx[x] * k;
    for (let f = 0; f < k; f++) out[f] += Y[j + f];
  }
}
