import type { Trainset } from '../dataset.js';
import { prepareViews } from '../families/neighbours.js';
import { neighbourLists, sortedViews, type SimilarityName } from '../families/similarity.js';
import type { NeighbourExtension } from '../families/types.js';
import { familyBase, type FactorModel } from '../model.js';
import { baseline, baselineSpecs, type BaselineConfig } from './baseline.js';
import { parseParams, type ParamSpecs } from './params.js';
import type { Algorithm, FitContext } from './types.js';

/** Surprise's KNN parameters, with sim_options and bsl_options flattened (both shapes are accepted). */
export interface KnnConfig extends BaselineConfig {
  readonly k: number;
  readonly minK: number;
  readonly name: SimilarityName;
  readonly userBased: boolean;
  readonly minSupport: number;
  readonly shrinkage: number;
  /**
   * Neighbours kept per user (or item) at fit, best first; 0 keeps every neighbour with a positive
   * similarity, which reproduces Surprise's estimates exactly. Not a Surprise parameter: a smaller
   * list trades a little accuracy for a smaller, faster model.
   */
  readonly listSize: number;
}

const specs: ParamSpecs<KnnConfig> = {
  k: { type: 'int', min: 1, max: 1_000_000 },
  minK: { type: 'int', min: 0, max: 1_000_000 },
  name: { type: 'enum', values: ['cosine', 'msd', 'pearson', 'pearson_baseline'], aliases: ['similarity'] },
  userBased: { type: 'boolean' },
  minSupport: { type: 'int', min: 0 },
  shrinkage: { type: 'number', min: 0 },
  listSize: { type: 'int', min: 0, aliases: ['neighbours_kept'] },
  ...baselineSpecs,
};

/** Surprise's defaults: k=40, min_k=1, sim_options {name: msd, user_based: true, min_support: 1, shrinkage: 100}, ALS baselines. */
const defaults: KnnConfig = {
  ...baseline.defaults,
  k: 40,
  minK: 1,
  name: 'msd',
  userBased: true,
  minSupport: 1,
  shrinkage: 100,
  listSize: 0,
};

const SIM_KEYS = ['sim_options', 'simOptions'];
const BSL_KEYS = ['bsl_options', 'bslOptions'];

/** Lifts Surprise's nested sim_options and bsl_options into the flat config. */
function flatten(raw: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if ([...SIM_KEYS, ...BSL_KEYS].includes(key) && typeof value === 'object' && value !== null) Object.assign(out, value);
    else out[key] = value;
  }
  return out;
}

const needsBaselines = (c: KnnConfig, variant: NeighbourExtension['variant']) => variant === 'baseline' || c.name === 'pearson_baseline';

function knnAlgorithm(id: string, displayName: string, variant: NeighbourExtension['variant']): Algorithm<KnnConfig> {
  return {
    id,
    displayName,
    defaults,
    parseConfig: (raw) => parseParams(id, defaults, specs, [], flatten(raw)),
    epochs: (c) => (needsBaselines(c, variant) ? baseline.epochs(c) : 0),
    fit: (ts, c, ctx) => fitKnn(id, variant, ts, c, ctx),
  };
}

/**
 * Surprise's KNN family (prediction_algorithms/knns.py): similarities over users or items, and at
 * prediction the k most similar neighbours that rated the target. Neighbour lists are computed once
 * here, so a model holds lists, never an n × n matrix.
 */
function fitKnn(id: string, variant: NeighbourExtension['variant'], ts: Trainset, c: KnnConfig, ctx: FitContext): FactorModel {
  const base = needsBaselines(c, variant)
    ? baseline.fit(ts, c, ctx)
    : { userBias: new Float32Array(ts.nUsers), itemBias: new Float32Array(ts.nItems) };
  const { byUser, byItem } = sortedViews(ts);
  const [xs, ys] = c.userBased ? [byUser, byItem] : [byItem, byUser];
  const [bx, by] = c.userBased ? [base.userBias, base.itemBias] : [base.itemBias, base.userBias];
  const lists = neighbourLists(xs, ys, c, c.listSize || Number.MAX_SAFE_INTEGER, ts.globalMean, bx, by);
  const nX = xs.ptr.length - 1;
  const xMeans = new Float32Array(nX);
  for (let x = 0; x < nX; x++) {
    let s = 0;
    for (let q = xs.ptr[x]; q < xs.ptr[x + 1]; q++) s += xs.r[q];
    xMeans[x] = xs.ptr[x + 1] > xs.ptr[x] ? s / (xs.ptr[x + 1] - xs.ptr[x]) : ts.globalMean;
  }
  const extension: NeighbourExtension = {
    kind: 'knn',
    variant,
    userBased: c.userBased,
    k: c.k,
    minK: c.minK,
    nbrPtr: lists.ptr,
    nbrIdx: lists.idx,
    nbrSim: lists.sim,
    xPtr: xs.ptr,
    yIdx: xs.idx,
    xRatings: xs.r,
    xMeans,
  };
  // Only KNNBaseline's estimate uses the baselines; the others' fallback is μ alone, as in Surprise.
  const model = familyBase(id, ts, extension, variant === 'baseline' ? base : undefined);
  prepareViews(model, ys);
  return model;
}

export const knnBasic = knnAlgorithm('knnbasic', 'KNNBasic', 'basic');
export const knnWithMeans = knnAlgorithm('knnwithmeans', 'KNNWithMeans', 'means');
export const knnBaseline = knnAlgorithm('knnbaseline', 'KNNBaseline', 'baseline');
