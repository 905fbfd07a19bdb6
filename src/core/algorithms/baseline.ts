import { byItem, type Trainset } from '../dataset.js';
import type { FactorModel } from '../model.js';
import { parseParams, type ParamSpecs } from './params.js';
import type { Algorithm } from './types.js';

export interface BaselineConfig {
  readonly method: 'als' | 'sgd';
  /** 0 means the method's default (ALS: 10, SGD: 20), as in Surprise's bsl_options. */
  readonly nEpochs: number;
  readonly regU: number;
  readonly regI: number;
  readonly reg: number;
  readonly learningRate: number;
}

export const baselineSpecs: ParamSpecs<BaselineConfig> = {
  method: { type: 'enum', values: ['als', 'sgd'] },
  nEpochs: { type: 'int', min: 0, max: 100_000, aliases: ['epochs'] },
  regU: { type: 'number', min: 0 },
  regI: { type: 'number', min: 0 },
  reg: { type: 'number', min: 0 },
  learningRate: { type: 'number', min: 0, aliases: ['lr'] },
};

const defaults: BaselineConfig = { method: 'als', nEpochs: 0, regU: 15, regI: 10, reg: 0.02, learningRate: 0.005 };

const epochsOf = (c: BaselineConfig): number => c.nEpochs || (c.method === 'als' ? 10 : 20);

/** BaselineOnly: r̂ = μ + b_u + b_i (Koren 2010, eq. 2), fitted by ALS or SGD exactly as Surprise. */
export const baseline: Algorithm<BaselineConfig> = {
  id: 'baseline',
  displayName: 'BaselineOnly',
  defaults,
  parseConfig(raw) {
    // Surprise nests these under bsl_options; accept both shapes.
    const nested = raw.bsl_options ?? raw.bslOptions;
    const flat = { ...raw, ...(typeof nested === 'object' && nested !== null ? nested : {}) } as Record<string, unknown>;
    delete flat.bsl_options;
    delete flat.bslOptions;
    return parseParams('baseline', defaults, baselineSpecs, [], flat);
  },
  epochs: epochsOf,
  fit(ts, c, ctx): FactorModel {
    const bu = new Float32Array(ts.nUsers);
    const bi = new Float32Array(ts.nItems);
    const n = epochsOf(c);
    if (c.method === 'als') als(ts, bu, bi, c, n, ctx.onEpoch);
    else sgd(ts, bu, bi, c, n, ctx.onEpoch);
    return {
      algorithm: 'baseline',
      biased: true,
      globalMean: ts.globalMean,
      nFactors: 0,
      scale: ts.scale,
      userIds: ts.userIds,
      itemIds: ts.itemIds,
      userBias: bu,
      itemBias: bi,
      userFactors: new Float32Array(0),
      itemFactors: new Float32Array(0),
    };
  },
};

/** Alternating least squares on the biases: b_i = Σ(r − μ − b_u)/(λ_i + |R(i)|), then b_u likewise. */
function als(
  ts: Trainset,
  bu: Float32Array,
  bi: Float32Array,
  c: BaselineConfig,
  n: number,
  onEpoch?: (e: number, rmse: number) => void,
): void {
  const cols = byItem(ts);
  const mu = ts.globalMean;
  for (let epoch = 0; epoch < n; epoch++) {
    for (let i = 0; i < ts.nItems; i++) {
      let dev = 0;
      for (let x = cols.itemPtr[i]; x < cols.itemPtr[i + 1]; x++) dev += cols.ratings[x] - mu - bu[cols.userIdx[x]];
      bi[i] = dev / (c.regI + cols.itemPtr[i + 1] - cols.itemPtr[i]);
    }
    for (let u = 0; u < ts.nUsers; u++) {
      let dev = 0;
      for (let x = ts.userPtr[u]; x < ts.userPtr[u + 1]; x++) dev += ts.ratings[x] - mu - bi[ts.itemIdx[x]];
      bu[u] = dev / (c.regU + ts.userPtr[u + 1] - ts.userPtr[u]);
    }
    onEpoch?.(epoch + 1, trainRmse(ts, bu, bi));
  }
}

/** SGD on the biases: e = r − (μ + b_u + b_i); b ← b + γ(e − λb). */
function sgd(
  ts: Trainset,
  bu: Float32Array,
  bi: Float32Array,
  c: BaselineConfig,
  n: number,
  onEpoch?: (e: number, rmse: number) => void,
): void {
  const mu = ts.globalMean;
  for (let epoch = 0; epoch < n; epoch++) {
    let sse = 0;
    for (let u = 0; u < ts.nUsers; u++) {
      for (let x = ts.userPtr[u]; x < ts.userPtr[u + 1]; x++) {
        const i = ts.itemIdx[x];
        const err = ts.ratings[x] - (mu + bu[u] + bi[i]);
        sse += err * err;
        bu[u] += c.learningRate * (err - c.reg * bu[u]);
        bi[i] += c.learningRate * (err - c.reg * bi[i]);
      }
    }
    onEpoch?.(epoch + 1, Math.sqrt(sse / ts.nRatings));
  }
}

function trainRmse(ts: Trainset, bu: Float32Array, bi: Float32Array): number {
  let sse = 0;
  for (let u = 0; u < ts.nUsers; u++) {
    for (let x = ts.userPtr[u]; x < ts.userPtr[u + 1]; x++) {
      const e = ts.ratings[x] - (ts.globalMean + bu[u] + bi[ts.itemIdx[x]]);
      sse += e * e;
    }
  }
  return Math.sqrt(sse / ts.nRatings);
}
