import type { Trainset } from '../dataset.js';
import type { SvdRates, SvdState } from '../kernels.js';
import type { FactorModel } from '../model.js';
import type { Rng } from '../random.js';
import { parseParams, type ParamSpecs } from './params.js';
import type { Algorithm } from './types.js';

export interface SvdConfig extends SvdRates {
  readonly nFactors: number;
  readonly nEpochs: number;
  readonly biased: boolean;
  readonly initMean: number;
  readonly initStdDev: number;
}

const rate = (group: 'lr' | 'reg') => ({ type: 'number', min: 0, group }) as const;

export const svdSpecs: ParamSpecs<SvdConfig> = {
  nFactors: { type: 'int', min: 1, max: 4096, aliases: ['factors', 'k'] },
  nEpochs: { type: 'int', min: 0, max: 100_000, aliases: ['epochs'] },
  biased: { type: 'boolean' },
  initMean: { type: 'number' },
  initStdDev: { type: 'number', min: 0, aliases: ['init_std'] },
  lrBu: rate('lr'),
  lrBi: rate('lr'),
  lrPu: rate('lr'),
  lrQi: rate('lr'),
  regBu: rate('reg'),
  regBi: rate('reg'),
  regPu: rate('reg'),
  regQi: rate('reg'),
};

/** Surprise's SVD() defaults. */
export const svdDefaults: SvdConfig = {
  nFactors: 100,
  nEpochs: 20,
  biased: true,
  initMean: 0,
  initStdDev: 0.1,
  lrBu: 0.005,
  lrBi: 0.005,
  lrPu: 0.005,
  lrQi: 0.005,
  regBu: 0.02,
  regBi: 0.02,
  regPu: 0.02,
  regQi: 0.02,
};

/** Factors drawn from N(initMean, initStdDev²): users first, then items, as Surprise does. */
export function initFactors(
  n: number,
  k: number,
  mean: number,
  std: number,
  rng: Rng,
  a: Float32Array = new Float32Array(n * k),
): Float32Array {
  rng.fillNormal(a, mean, std);
  return a;
}

/** How the full fit runs: `none`, Surprise's sequential SGD; `dsgd`, stratified SGD on the compute pool's workers (svd-strata.ts). */
export const svdParallelModes = ['none', 'dsgd'] as const;

export interface SvdFitConfig extends SvdConfig {
  readonly parallel: (typeof svdParallelModes)[number];
}

const svdFitSpecs: ParamSpecs<SvdFitConfig> = { ...svdSpecs, parallel: { type: 'enum', values: svdParallelModes } };
const svdFitDefaults: SvdFitConfig = { ...svdDefaults, parallel: 'none' };

/**
 * A fit's starting point: zero biases, factors drawn users first, then items, as Surprise does.
 * `shared`: the arrays in shared memory, which threads of a parallel fit then update in place
 * instead of each working on a copy.
 */
export function svdInitialState(ts: Trainset, c: SvdConfig, rng: Rng, opts: { readonly shared?: boolean } = {}): SvdState {
  const array = (n: number): Float32Array => (opts.shared ? new Float32Array(new SharedArrayBuffer(n * 4)) : new Float32Array(n));
  return {
    nFactors: c.nFactors,
    biased: c.biased,
    userBias: array(ts.nUsers),
    itemBias: array(ts.nItems),
    userFactors: initFactors(ts.nUsers, c.nFactors, c.initMean, c.initStdDev, rng, array(ts.nUsers * c.nFactors)),
    itemFactors: initFactors(ts.nItems, c.nFactors, c.initMean, c.initStdDev, rng, array(ts.nItems * c.nFactors)),
  };
}

/** The model that holds the state's arrays: once the kernel has synced them, it is the fit so far. */
export function svdModelOf(ts: Trainset, state: SvdState): FactorModel {
  return { algorithm: 'svd', globalMean: ts.globalMean, scale: ts.scale, userIds: ts.userIds, itemIds: ts.itemIds, ...state };
}

/**
 * `parallel` only chooses how a caller with a worker pool runs the full fit (training/pipeline.ts);
 * `fit` itself, which cross-validation folds use, is always the sequential SGD.
 */
export const svd: Algorithm<SvdFitConfig> = {
  id: 'svd',
  displayName: 'SVD',
  defaults: svdFitDefaults,
  parseConfig: (raw) => parseParams('svd', svdFitDefaults, svdFitSpecs, ['lr', 'reg'], raw),
  epochs: (c) => c.nEpochs,
  fit(ts: Trainset, c: SvdFitConfig, ctx): FactorModel {
    const state = svdInitialState(ts, c, ctx.rng);
    const model = svdModelOf(ts, state);
    const onEpoch = ctx.onEpoch;
    ctx.kernels.svdSgd(
      ts,
      state,
      c,
      c.nEpochs,
      onEpoch &&
        ((epoch, rmse, sync, heldOutRmse) =>
          onEpoch(
            epoch,
            rmse,
            () => {
              sync();
              return model;
            },
            heldOutRmse,
          )),
      onEpoch && ctx.heldOut,
    );
    return model;
  },
};
