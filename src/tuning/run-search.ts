import {
  type CandidateEvaluator,
  createRng,
  crossValidate,
  evaluateFold,
  getAlgorithm,
  gridSearchCV,
  type Kernels,
  modelSearch,
  randomizedSearchCV,
  type SearchCvResult,
  type StagedEvaluator,
  type Split,
  summarize,
  type Trial,
  trialOf,
} from '../core/index.js';
import type { ComputePool } from '../compute/index.js';
import type { SearchPlan } from './search-request.js';

export interface SearchRuntime {
  readonly kernels: Kernels;
  /** Milliseconds, monotonic. */
  readonly clock: () => number;
  /** Folds of every trial go to its workers when given, and as many trials run at once as it has workers; otherwise one at a time here. */
  readonly pool?: ComputePool | null;
}

export interface SearchObserver {
  trialStarted?(number: number, algorithm: string, params: Readonly<Record<string, unknown>>): void;
  trialDone?(trial: Trial, best: Trial | null): void;
}

export interface BestTrial {
  readonly algorithm: string;
  readonly params: Readonly<Record<string, unknown>>;
  /** Mean over the folds. */
  readonly rmse: number;
  readonly mae: number;
  readonly trial: number;
}

export interface SearchReport {
  readonly method: SearchPlan['method'];
  readonly measure: SearchPlan['measure'];
  readonly folds: number;
  readonly best: BestTrial | null;
  readonly trials: readonly Trial[];
  readonly elapsedSeconds: number;
  readonly stoppedBy: 'time budget' | 'max trials' | 'all candidates';
  readonly timeBudgetSeconds?: number;
  /** Surprise's cv_results, best_score, best_params and best_index (grid and random searches). */
  readonly surprise?: Pick<SearchCvResult, 'cvResults' | 'bestScore' | 'bestParams' | 'bestIndex'>;
}

/** Cross-validation of one candidate on the given splits, without the ranking figures (a search compares errors). */
export function candidateEvaluator(splits: readonly Split[], seed: number, rt: SearchRuntime): CandidateEvaluator {
  const pool = rt.pool;
  if (pool)
    return async (algorithm, params) =>
      summarize(
        getAlgorithm(algorithm).displayName,
        await Promise.all(splits.map((s, f) => pool.evaluateFold(algorithm, params, s, f + 1, seed, { ranking: false }))),
      );
  return async (algorithm, params) => {
    // Let pending output (progress lines) out before the thread is busy again.
    await new Promise((r) => setImmediate(r));
    const algo = getAlgorithm(algorithm);
    return crossValidate(algo, algo.parseConfig(params), splits, { seed, kernels: rt.kernels, clock: rt.clock, ranking: false });
  };
}

/** The same cross-validation one fold set at a time, so a TPE search can stop a hopeless trial after its first fold. */
export function stagedEvaluator(splits: readonly Split[], seed: number, rt: SearchRuntime): StagedEvaluator {
  const pool = rt.pool;
  return {
    folds: splits.length,
    async run(algorithm, params, which) {
      // Each fold's held-out predictions come back too: the search stacks the best ones into a blend.
      const opts = { ranking: false, predictions: true } as const;
      if (pool) return Promise.all(which.map((f) => pool.evaluateFold(algorithm, params, splits[f], f + 1, seed, opts)));
      await new Promise((r) => setImmediate(r));
      const algo = getAlgorithm(algorithm);
      const config = algo.parseConfig(params);
      const ctx = { seed, kernels: rt.kernels, clock: rt.clock, ranking: false, keepPredictions: true };
      return which.map((f) => evaluateFold(algo, config, splits[f], f + 1, ctx));
    },
  };
}

/** Runs a search on predefined or k-fold splits; the caller refits the best on all the data. */
export async function runSearch(
  plan: SearchPlan,
  splits: readonly Split[],
  seed: number,
  rt: SearchRuntime,
  obs: SearchObserver = {},
): Promise<SearchReport> {
  const evaluate = candidateEvaluator(splits, seed, rt);
  const concurrency = rt.pool ? rt.pool.size : 1;
  const bestOf = (t: Trial | null): BestTrial | null =>
    t && { algorithm: t.algorithm, params: t.params, rmse: t.rmse, mae: t.mae, trial: t.number };
  if (plan.method === 'tpe') {
    const r = await modelSearch(stagedEvaluator(splits, seed, rt), {
      spaces: plan.spaces,
      fixed: plan.fixed,
      measure: plan.measure,
      timeBudgetSeconds: plan.timeBudgetSeconds,
      maxTrials: plan.maxTrials,
      concurrency,
      ...(plan.blend >= 2 && splits.length >= 2
        ? { blend: { maxComponents: plan.blend, truth: splits.map((s) => s.test.ratings.slice()), scale: splits[0].train.scale } }
        : {}),
      rng: createRng(seed),
      clock: rt.clock,
      onStart: obs.trialStarted,
      onTrial: obs.trialDone,
    });
    return {
      method: 'tpe',
      measure: plan.measure,
      folds: splits.length,
      best: bestOf(r.best),
      trials: r.trials,
      elapsedSeconds: r.elapsedSeconds,
      stoppedBy: r.stoppedBy,
      timeBudgetSeconds: plan.timeBudgetSeconds,
    };
  }
  const [algorithm] = plan.spaces.keys();
  const t0 = rt.clock();
  let number = 0;
  let best: Trial | null = null;
  const trials: Trial[] = [];
  // Each candidate's trial record is made as it finishes, so progress shows while the search runs.
  const observed: CandidateEvaluator = async (algo, params) => {
    const n = ++number;
    obs.trialStarted?.(n, algo, params);
    const started = rt.clock();
    const cv = await evaluate(algo, params);
    const trial = trialOf(n, algo, params, cv, (rt.clock() - started) / 1000);
    // Candidates start in order, so trial n is candidate n − 1 of Surprise's cv_results.
    trials[n - 1] = trial;
    if (trial.status === 'ok' && (best === null || trial[plan.measure] < best[plan.measure])) best = trial;
    obs.trialDone?.(trial, best);
    return cv;
  };
  const opts = { measures: plan.measures, refit: plan.measure, concurrency };
  const r =
    plan.method === 'grid'
      ? await gridSearchCV(algorithm, plan.candidates, observed, opts)
      : await randomizedSearchCV(algorithm, plan.candidates, observed, { ...opts, nIter: plan.nIter, rng: createRng(seed) });
  const bi = r.bestIndex[plan.measure];
  const bestTrial = trials[bi]?.status === 'ok' ? trials[bi] : null;
  return {
    method: plan.method,
    measure: plan.measure,
    folds: splits.length,
    best: bestOf(bestTrial),
    trials,
    elapsedSeconds: (rt.clock() - t0) / 1000,
    stoppedBy: 'all candidates',
    surprise: { cvResults: r.cvResults, bestScore: r.bestScore, bestParams: r.bestParams, bestIndex: r.bestIndex },
  };
}

/** One line per finished trial, for terminals and job logs. */
export function formatTrial(t: Trial, best: Trial | null, measure: 'rmse' | 'mae'): string {
  const params = Object.entries(t.params)
    .map(([k, v]) => `${k}=${typeof v === 'number' && !Number.isInteger(v) ? v.toPrecision(3) : JSON.stringify(v)}`)
    .join(' ');
  const result =
    t.status === 'ok'
      ? `RMSE ${t.rmse.toFixed(4)} MAE ${t.mae.toFixed(4)}`
      : t.status === 'pruned'
        ? (t.error ?? 'pruned')
        : `failed: ${t.error}`;
  const lead = best ? ` | best ${best[measure].toFixed(4)} (trial ${best.number}, ${best.algorithm})` : '';
  const took = Number.isFinite(t.seconds) ? ` ${t.seconds.toFixed(1)} s` : '';
  return `trial ${String(t.number).padStart(3)} ${t.algorithm.padEnd(8)} ${result}${took}  ${params}${lead}`;
}
