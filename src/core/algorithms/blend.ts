import { invalid } from '../errors.js';
import { buildTestset, buildTrainset, subset, type Dataset, type RatingScale, type Trainset } from '../dataset.js';
import { choleskySolve } from '../fold-in.js';
import { IdMap } from '../ids.js';
import { clip, familyBase, predictTestset, type FactorModel } from '../model.js';
import { shuffleInPlace } from '../random.js';
import { getAlgorithm, readsTimestamps } from './index.js';
import type { Algorithm, FitContext } from './types.js';

export interface BlendComponent {
  readonly algorithm: string;
  /** The component's full config (its algorithm's parseConfig output). */
  readonly params: Record<string, unknown>;
}

export interface BlendConfig {
  readonly components: readonly BlendComponent[];
  /** Inner folds whose held-out predictions the blend weights are fitted on. */
  readonly folds: number;
  /** Ridge penalty on the weights (not the intercept), per held-out rating. */
  readonly reg: number;
  /**
   * Weights found elsewhere (a search stacks its trials' held-out predictions): the fit then only
   * refits the components, without inner folds.
   */
  readonly fixedWeights?: { readonly weights: readonly number[]; readonly intercept: number };
}

const DEFAULT_COMPONENTS = ['svd', 'knnbaseline', 'knnbaseline:item'];

/** Shorthands for components in a list: `knnbaseline:item` is item-based KNNBaseline with pearson_baseline (Koren's). */
function component(raw: unknown, at: string): BlendComponent {
  let name: string;
  let params: Record<string, unknown> = {};
  if (typeof raw === 'string') name = raw;
  else if (typeof raw === 'object' && raw !== null && typeof (raw as { algorithm?: unknown }).algorithm === 'string') {
    name = (raw as { algorithm: string }).algorithm;
    const p = (raw as { params?: unknown }).params;
    if (p !== undefined && (typeof p !== 'object' || p === null || Array.isArray(p))) throw invalid(`${at}.params must be an object`);
    params = (p ?? {}) as Record<string, unknown>;
  } else throw invalid(`${at} must be an algorithm name or {"algorithm": …, "params": {…}}, got ${JSON.stringify(raw)}`);
  if (name.endsWith(':item')) {
    name = name.slice(0, -':item'.length);
    params = { user_based: false, name: 'pearson_baseline', ...params };
  }
  const algo = getAlgorithm(name);
  if (algo.id === 'blend' || algo.id === 'ease')
    throw invalid(`${at}: a blend stacks rating predictions; ${algo.displayName} cannot be a component`);
  return { algorithm: algo.id, params: { ...algo.parseConfig(params) } };
}

function parseBlend(raw: Readonly<Record<string, unknown>>): BlendConfig {
  let components: unknown = DEFAULT_COMPONENTS;
  let folds = 3;
  let reg = 0.001;
  let weights: unknown;
  let intercept: unknown;
  for (const [key, value] of Object.entries(raw)) {
    const k = key.toLowerCase();
    if (k === 'weights') weights = value;
    // A parsed config given back (a stored job's) carries them as one field.
    else if (k === 'fixedweights' && typeof value === 'object' && value !== null)
      ({ weights, intercept } = value as Record<string, unknown>);
    else if (k === 'intercept') intercept = value;
    else if (k === 'components' || k === 'algorithms' || k === 'algos') components = typeof value === 'string' ? value.split(',') : value;
    else if (k === 'folds' || k === 'n_folds' || k === 'cv') folds = Number(value);
    else if (k === 'reg') reg = typeof value === 'number' ? value : Number(value);
    else
      throw invalid(`unknown parameter '${key}' for algorithm blend; known: components, folds, reg, weights, intercept`, {
        parameter: key,
      });
  }
  if (!Number.isInteger(folds) || folds < 2 || folds > 20)
    throw invalid(`parameter folds of blend must be an integer 2–20, got ${JSON.stringify(raw.folds)}`);
  if (!(reg >= 0) || !Number.isFinite(reg)) throw invalid(`parameter reg of blend must be a number ≥ 0, got ${JSON.stringify(raw.reg)}`);
  if (!Array.isArray(components) || components.length === 0)
    throw invalid('parameter components of blend must be a non-empty list of algorithms');
  const parsed = components.map((c, x) => component(typeof c === 'string' ? c.trim() : c, `components[${x}]`));
  if (weights === undefined && intercept === undefined) return { components: parsed, folds, reg };
  if (!Array.isArray(weights) || weights.length !== parsed.length || !weights.every((w) => typeof w === 'number' && Number.isFinite(w)))
    throw invalid(`parameter weights of blend must be ${parsed.length} finite numbers, one per component, got ${JSON.stringify(weights)}`);
  if (typeof intercept !== 'number' || !Number.isFinite(intercept))
    throw invalid(`parameter intercept of blend must be a finite number when weights are given, got ${JSON.stringify(intercept)}`);
  return { components: parsed, folds, reg, fixedWeights: { weights: [...weights], intercept } };
}

/**
 * Stacked linear blending (Wolpert 1992; the Netflix Prize blends): each component is fitted on
 * `folds` − 1 inner folds of the training data and predicts the held-out one, the blend weights are
 * the ridge regression of the ratings on those out-of-fold predictions, and the components are then
 * refitted on all of it. Cross-validating a blend is therefore nested: its weights never see the
 * outer test fold.
 */
export const blend: Algorithm<BlendConfig> = {
  id: 'blend',
  displayName: 'Blend',
  get defaults() {
    return parseBlend({});
  },
  parseConfig: parseBlend,
  usesTimestamps: (c) => c.components.some((x) => readsTimestamps(x.algorithm, x.params)),
  epochs: () => 0,
  fit(ts, c, ctx): FactorModel {
    const nC = c.components.length;
    const algos = c.components.map((x) => getAlgorithm(x.algorithm));
    const configs = c.components.map((x, n) => algos[n].parseConfig(x.params));
    const quiet: FitContext = { rng: ctx.rng, kernels: ctx.kernels };
    if (c.fixedWeights) {
      const components = algos.map((a, n) => a.fit(ts, configs[n], quiet));
      return familyBase('blend', ts, { kind: 'blend', components, ...c.fixedWeights });
    }
    const ds = asDataset(ts);
    const order = shuffleInPlace(
      Int32Array.from({ length: ds.size }, (_, k) => k),
      ctx.rng,
    );
    const oof = Array.from({ length: nC }, () => new Float64Array(ds.size));
    for (let f = 0; f < c.folds; f++) {
      const lo = Math.floor((f * ds.size) / c.folds);
      const hi = Math.floor(((f + 1) * ds.size) / c.folds);
      const testRows = order.slice(lo, hi);
      const trainRows = Int32Array.from([...order.subarray(0, lo), ...order.subarray(hi)]).sort();
      const built = buildTrainset(subset(ds, trainRows));
      const test = buildTestset(subset(ds, testRows), built);
      algos.forEach((a, n) => {
        const pred = predictTestset(a.fit(built.trainset, configs[n], quiet), test);
        testRows.forEach((row, k) => (oof[n][row] = pred[k]));
      });
    }
    const { weights, intercept } = stackWeights(oof, ds.ratings, ts.scale, c.reg);
    const components = algos.map((a, n) => a.fit(ts, configs[n], quiet));
    return familyBase('blend', ts, { kind: 'blend', components, weights, intercept });
  },
};

/** The trainset as a dataset in its own inner ids, so folds of it keep the same vocabularies. */
function asDataset(ts: Trainset): Dataset {
  const users = new Int32Array(ts.nRatings);
  for (let u = 0; u < ts.nUsers; u++) users.fill(u, ts.userPtr[u], ts.userPtr[u + 1]);
  return {
    size: ts.nRatings,
    users,
    items: ts.itemIdx,
    ratings: ts.ratings,
    userIds: IdMap.from(ts.userIds),
    itemIds: IdMap.from(ts.itemIds),
    scale: ts.scale,
    ...(ts.timestamps ? { timestamps: ts.timestamps } : {}),
  };
}

/**
 * min_w Σ (r − w₀ − Σ w_c clip(p_c))² + reg·n·Σ w_c², by the normal equations: the blend's weights
 * from its components' held-out predictions `preds[c][k]` of ratings[k].
 */
export function stackWeights(
  preds: readonly ArrayLike<number>[],
  ratings: ArrayLike<number>,
  scale: RatingScale,
  reg: number,
): { weights: number[]; intercept: number } {
  const d = preds.length + 1;
  const A = new Float64Array(d * d);
  const y = new Float64Array(d);
  const z = new Float64Array(d);
  for (let k = 0; k < ratings.length; k++) {
    z[0] = 1;
    for (let c = 0; c < preds.length; c++) z[c + 1] = clip(preds[c][k], scale);
    for (let r = 0; r < d; r++) {
      y[r] += z[r] * ratings[k];
      for (let col = 0; col <= r; col++) A[r * d + col] += z[r] * z[col];
    }
  }
  // A tiny ridge on the intercept too keeps the system positive definite when a component is constant.
  for (let r = 0; r < d; r++) A[r * d + r] += (r === 0 ? 1e-9 : reg) * ratings.length + 1e-9;
  choleskySolve(A, y, d);
  return { intercept: y[0], weights: Array.from(y.subarray(1)) };
}
