import { stackWeights } from '../algorithms/blend.js';
import type { RatingScale } from '../dataset.js';
import { mae, rmse } from '../metrics.js';
import { clip } from '../model.js';
import type { Measure } from './search-cv.js';
import type { Trial } from './model-search.js';

/** A finished trial with its held-out predictions, fold by fold (each fold's test rows in order). */
export interface HeldOut {
  readonly trial: Trial;
  readonly predictions: readonly Float32Array[];
}

export interface SearchBlendOptions {
  /** At most this many components. */
  readonly maxComponents: number;
  /** Each fold's held-out ratings, in the order of the predictions. */
  readonly truth: readonly Float32Array[];
  readonly scale: RatingScale;
  readonly measure: Measure;
  /** Ridge penalty on the weights (the blend algorithm's `reg`). */
  readonly reg?: number;
}

export interface SearchBlend {
  /** Component trials, in the order chosen (the best trial first), which is the weights' order. */
  readonly components: readonly Trial[];
  /** Fitted on every fold's held-out predictions: the deployed blend's. */
  readonly weights: readonly number[];
  readonly intercept: number;
  /** Each fold scored by weights fitted on the other folds' held-out predictions only. */
  readonly folds: readonly { readonly rmse: number; readonly mae: number }[];
}

/**
 * Stacks trials into a linear blend from the held-out predictions their cross-validation already made
 * (no refits), choosing the components by forward selection (Caruana et al. 2004): start from the
 * best trial, then add whichever trial lowers the blend's nested error most, until none lowers it by
 * 0.0001 or `maxComponents` are in. A trial counts for what it adds, not its own error, so a weaker but
 * different model (a neighbourhood or time-aware one) can join. The figure is nested: fold f's
 * predictions are blended with weights fitted on the other folds' held-out predictions, so the
 * weights never see the ratings they are scored on (choosing the components by that same figure is
 * the selection any search makes of its best trial). Null when no second component helps.
 */
export function blendHeldOut(candidates: readonly HeldOut[], opts: SearchBlendOptions): SearchBlend | null {
  const pool = candidates.filter((c) => c.trial.status === 'ok' && c.predictions.length === opts.truth.length);
  if (pool.length < 2 || opts.truth.length < 2) return null;
  const reg = opts.reg ?? 0.001;
  const score = (set: readonly HeldOut[]) => nestedFolds(set, opts, reg);
  const meanOf = (folds: readonly { rmse: number; mae: number }[]) => folds.reduce((a, f) => a + f[opts.measure], 0) / folds.length;
  const chosen = [pool.reduce((a, b) => (b.trial[opts.measure] < a.trial[opts.measure] ? b : a))];
  let current = chosen[0].trial[opts.measure];
  let folds: { rmse: number; mae: number }[] = [];
  while (chosen.length < opts.maxComponents) {
    let pick: { c: HeldOut; folds: { rmse: number; mae: number }[]; mean: number } | null = null;
    for (const c of pool) {
      // The same model twice only halves the ridge penalty: distinct models only.
      if (chosen.some((x) => sameModel(x.trial, c.trial))) continue;
      const f = score([...chosen, c]);
      const mean = meanOf(f);
      if (!pick || mean < pick.mean) pick = { c, folds: f, mean };
    }
    if (!pick || pick.mean > current - 1e-4) break;
    chosen.push(pick.c);
    current = pick.mean;
    folds = pick.folds;
  }
  if (chosen.length < 2) return null;
  const all = opts.truth.map((_, g) => g);
  const full = stackWeights(
    chosen.map((c) => concat(all.map((g) => c.predictions[g]))),
    concat(all.map((g) => opts.truth[g])),
    opts.scale,
    reg,
  );
  return { components: chosen.map((c) => c.trial), ...full, folds };
}

const sameModel = (a: Trial, b: Trial): boolean => a.algorithm === b.algorithm && JSON.stringify(a.params) === JSON.stringify(b.params);

/** Each fold blended with weights fitted on the other folds' held-out predictions. */
function nestedFolds(chosen: readonly HeldOut[], opts: SearchBlendOptions, reg: number): { rmse: number; mae: number }[] {
  return opts.truth.map((truth, f) => {
    const others = opts.truth.map((_, g) => g).filter((g) => g !== f);
    const w = stackWeights(
      chosen.map((c) => concat(others.map((g) => c.predictions[g]))),
      concat(others.map((g) => opts.truth[g])),
      opts.scale,
      reg,
    );
    const blended = blendPredictions(
      chosen.map((c) => c.predictions[f]),
      w,
      opts.scale,
    );
    const test = { ratings: truth, size: truth.length };
    return { rmse: rmse(test, blended), mae: mae(test, blended) };
  });
}

function blendPredictions(
  preds: readonly Float32Array[],
  w: { readonly weights: readonly number[]; readonly intercept: number },
  scale: RatingScale,
): Float64Array {
  const out = new Float64Array(preds[0].length);
  for (let k = 0; k < out.length; k++) {
    let s = w.intercept;
    for (let c = 0; c < preds.length; c++) s += w.weights[c] * clip(preds[c][k], scale);
    out[k] = clip(s, scale);
  }
  return out;
}

function concat(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
