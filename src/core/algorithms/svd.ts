import type { Trainset } from '../dataset.js';
import type { SvdRates } from '../kernels.js';
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
export function initFactors(n: number, k: number, mean: number, std: number, rng: Rng): Float32Array {
  const a = new Float32Array(n * k);
  rng.fillNormal(a, mean, std);
  return a;
}

export const svd: Algorithm<SvdConfig> = {
  id: 'svd',
  displayName: 'SVD',
  defaults: svdDefaults,
  parseConfig: (raw) => parseParams('svd', svdDefaults, svdSpecs, ['lr', 'reg'], raw),
  epochs: (c) => c.nEpochs,
  fit(ts: Trainset, c: SvdConfig, ctx): FactorModel {
    const state = {
      nFactors: c.nFactors,
      biased: c.biased,
      userBias: new Float32Array(ts.nUsers),
      itemBias: new Float32Array(ts.nItems),
      userFactors: initFactors(ts.nUsers, c.nFactors, c.initMean, c.initStdDev, ctx.rng),
      itemFactors: initFactors(ts.nItems, c.nFactors, c.initMean, c.initStdDev, ctx.rng),
    };
    // The model holds the state's arrays: once the kernel has synced them, it is the fit so far.
    const model: FactorModel = {
      algorithm: 'svd',
      globalMean: ts.globalMean,
      scale: ts.scale,
      userIds: ts.userIds,
      itemIds: ts.itemIds,
      ...state,
    };
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
