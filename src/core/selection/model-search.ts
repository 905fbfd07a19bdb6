import { getAlgorithm } from '../algorithms/index.js';
import { invalid, isRecpipeError } from '../errors.js';
import type { Rng } from '../random.js';
import { type CvResult, type FoldResult, summarize } from './cross-validate.js';
import type { RatingScale } from '../dataset.js';
import { meanStd } from '../metrics.js';
import { blendHeldOut, type HeldOut } from './search-blend.js';
import type { CandidateEvaluator, Measure } from './search-cv.js';
import { nestParams, sampleSpace, type SearchSpace } from './search-space.js';
import { type Observation, suggestTpe, type TpeOptions } from './tpe.js';

export interface Trial {
  /** 1-based, in the order trials were started. */
  readonly number: number;
  readonly algorithm: string;
  /** Nested, in Surprise's names, as given to the algorithm (fixed parameters included). */
  readonly params: Readonly<Record<string, unknown>>;
  /** `pruned`: stopped after its first fold, too far behind the best trial on that fold (its figures are that fold's). */
  readonly status: 'ok' | 'failed' | 'pruned';
  /** Mean over the folds (NaN when failed). */
  readonly rmse: number;
  readonly mae: number;
  readonly rmseStd: number;
  readonly folds: readonly { readonly rmse: number; readonly mae: number; readonly fitTime: number; readonly testTime: number }[];
  readonly fitSeconds: number;
  /** Wall time of the whole trial, queueing included. */
  readonly seconds: number;
  readonly error?: string;
}

/**
 * Cross-validation one fold set at a time, so that a search can stop a hopeless trial after its
 * first fold (successive halving over folds): `run` evaluates the folds numbered (0-based) in `which`.
 */
export interface StagedEvaluator {
  readonly folds: number;
  run(algorithm: string, params: Readonly<Record<string, unknown>>, which: readonly number[]): Promise<FoldResult[]>;
}

export interface ModelSearchOptions {
  /** Algorithm id → its space. */
  readonly spaces: ReadonlyMap<string, SearchSpace>;
  /** Algorithm id → parameters set on every trial of it (not searched). */
  readonly fixed?: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
  /** What the search minimises; default rmse. */
  readonly measure?: Measure;
  /** No trial starts after this many seconds; the running ones finish. */
  readonly timeBudgetSeconds: number;
  readonly maxTrials?: number;
  /** Trials in flight at once (each one's folds may run in parallel too); default 1. */
  readonly concurrency?: number;
  readonly rng: Rng;
  /** Milliseconds, monotonic; injected so the core stays free of I/O. */
  readonly clock: () => number;
  readonly tpe?: TpeOptions;
  /**
   * With a staged evaluator: a trial whose first-fold error exceeds the best trial's on that same fold
   * by more than this stops there (default 0.005; Infinity never prunes).
   */
  readonly pruneMargin?: number;
  /**
   * With a staged evaluator whose folds return their predictions: once the trials are done, stack up
   * to `maxComponents` of the best few complete trials of each algorithm into a blend (see
   * blendHeldOut) and report it as one more trial, which may be the best. `truth` holds each fold's
   * held-out ratings.
   */
  readonly blend?: { readonly maxComponents: number; readonly truth: readonly Float32Array[]; readonly scale: RatingScale };
  readonly onStart?: (number: number, algorithm: string, params: Readonly<Record<string, unknown>>) => void;
  readonly onTrial?: (trial: Trial, best: Trial | null) => void;
}

/** Complete trials of each algorithm whose held-out predictions are kept as blend candidates (two differently sized BPMFs blend well). */
const HELD_PER_ALGORITHM = 3;

export interface ModelSearchResult {
  readonly trials: readonly Trial[];
  readonly best: Trial | null;
  readonly measure: Measure;
  readonly elapsedSeconds: number;
  readonly stoppedBy: 'time budget' | 'max trials';
}

/**
 * Sequential model-based search: a TPE sampler proposes an algorithm and its parameters, the
 * evaluator cross-validates them, and the result feeds the next proposal, until the time budget or
 * the trial count runs out. With concurrency > 1 the next proposal is made while trials still run
 * (it sees only the finished ones). A trial whose parameters the algorithm refuses, or whose fit
 * diverges (NaN), is recorded as failed and steers the sampler away; any other error ends the search.
 */
export async function modelSearch(evaluator: CandidateEvaluator | StagedEvaluator, opts: ModelSearchOptions): Promise<ModelSearchResult> {
  const measure = opts.measure ?? 'rmse';
  const maxTrials = opts.maxTrials ?? Number.POSITIVE_INFINITY;
  const concurrency = opts.concurrency ?? 1;
  if (!(opts.timeBudgetSeconds > 0)) throw invalid(`the time budget must be a positive number of seconds, got ${opts.timeBudgetSeconds}`);
  if (!(maxTrials >= 1)) throw invalid(`max_trials must be at least 1, got ${maxTrials}`);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw invalid(`concurrency must be an integer ≥ 1, got ${concurrency}`);
  const paramsOf = (algorithm: string, assignment: Readonly<Record<string, unknown>>) => ({
    ...opts.fixed?.get(algorithm),
    ...nestParams(assignment as Record<string, never>),
  });
  // A misspelt parameter in a space fails here, before the budget starts running.
  for (const [id, space] of opts.spaces) getAlgorithm(id).parseConfig(paramsOf(id, sampleSpace(space, opts.rng)));
  const t0 = opts.clock();
  const elapsed = () => (opts.clock() - t0) / 1000;
  const trials: Trial[] = [];
  const history: Observation[] = [];
  let best: Trial | null = null;
  let started = 0;
  // Per algorithm, its best complete trials' held-out predictions: the blend's candidates.
  const heldOut = new Map<string, HeldOut[]>();
  const firstTried = new Set<string>();
  const lane = async () => {
    while (started < maxTrials && elapsed() < opts.timeBudgetSeconds) {
      const number = ++started;
      const s = suggestTpe(opts.spaces, history, number - 1, opts.rng, opts.tpe);
      const params = paramsOf(s.algorithm, s.params);
      // Building a blend, each algorithm's first trial (its space's centre) runs every fold, so each can be a component.
      const prunable = !opts.blend || firstTried.has(s.algorithm);
      firstTried.add(s.algorithm);
      opts.onStart?.(number, s.algorithm, params);
      const tStart = opts.clock();
      let trial: Trial;
      let predictions: Float32Array[] | undefined;
      try {
        if (typeof evaluator === 'function')
          trial = trialOf(number, s.algorithm, params, await evaluator(s.algorithm, params), (opts.clock() - tStart) / 1000);
        else
          ({ trial, predictions } = await stagedTrial(
            evaluator,
            number,
            s.algorithm,
            params,
            prunable ? best : null,
            measure,
            opts.pruneMargin ?? 0.005,
            () => (opts.clock() - tStart) / 1000,
          ));
      } catch (e) {
        if (!isRecpipeError(e) || e.code !== 'INVALID_ARGUMENT') throw e;
        trial = failedTrial(number, s.algorithm, params, e.message, (opts.clock() - tStart) / 1000);
      }
      trials.push(trial);
      // A pruned trial counts with its first fold's error: worse than the best, so among the bad.
      const loss = trial.status === 'failed' ? Number.POSITIVE_INFINITY : trial[measure];
      const perFold = trial.folds.length ? trial.seconds / trial.folds.length : trial.seconds;
      history.push({ algorithm: s.algorithm, params: s.params, loss, seconds: perFold });
      // Ties go to the lower trial number, as the trial tables rank them: lanes finish out of order.
      if (trial.status === 'ok' && (best === null || loss < best[measure] || (loss === best[measure] && trial.number < best.number)))
        best = trial;
      if (predictions && trial.status === 'ok') {
        const kept = [...(heldOut.get(s.algorithm) ?? []), { trial, predictions }];
        heldOut.set(s.algorithm, kept.sort((a, b) => a.trial[measure] - b.trial[measure]).slice(0, HELD_PER_ALGORITHM));
      }
      opts.onTrial?.(trial, best);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  if (opts.blend && opts.blend.maxComponents >= 2) {
    const tStart = opts.clock();
    const b = blendHeldOut([...heldOut.values()].flat(), { ...opts.blend, measure });
    if (b) {
      const trial = blendTrial(trials.length + 1, b, (opts.clock() - tStart) / 1000);
      trials.push(trial);
      if (best === null || trial[measure] < best[measure]) best = trial;
      opts.onTrial?.(trial, best);
    }
  }
  trials.sort((a, b) => a.number - b.number);
  return { trials, best, measure, elapsedSeconds: elapsed(), stoppedBy: started >= maxTrials ? 'max trials' : 'time budget' };
}

/** Fold 1 first; the rest only when it is within `margin` of the best trial's fold 1. */
async function stagedTrial(
  ev: StagedEvaluator,
  number: number,
  algorithm: string,
  params: Readonly<Record<string, unknown>>,
  best: Trial | null,
  measure: Measure,
  margin: number,
  seconds: () => number,
): Promise<{ trial: Trial; predictions?: Float32Array[] }> {
  const [first] = await ev.run(algorithm, params, [0]);
  const bar = best?.folds[0]?.[measure];
  if (ev.folds > 1 && bar !== undefined && Number.isFinite(first[measure]) && first[measure] > bar + margin) {
    const f = { rmse: first.rmse, mae: first.mae, fitTime: first.fitTime, testTime: first.testTime };
    const error = `pruned after fold 1: ${measure.toUpperCase()} ${first[measure].toFixed(4)} vs the best's ${bar.toFixed(4)} on that fold`;
    return {
      trial: {
        number,
        algorithm,
        params,
        status: 'pruned',
        ...f,
        rmseStd: 0,
        folds: [f],
        fitSeconds: f.fitTime,
        seconds: seconds(),
        error,
      },
    };
  }
  const rest =
    ev.folds > 1
      ? await ev.run(
          algorithm,
          params,
          Array.from({ length: ev.folds - 1 }, (_, f) => f + 1),
        )
      : [];
  const all = [first, ...rest];
  const trial = trialOf(number, algorithm, params, summarize(getAlgorithm(algorithm).displayName, all), seconds());
  const predictions = all.flatMap((f) => (f.predictions ? [f.predictions] : []));
  return predictions.length === all.length ? { trial, predictions } : { trial };
}

/**
 * The stacked blend as a trial: its parameters are the blend algorithm's (components with their
 * parameters, and the weights, so refitting it refits the components only); its fold figures are the
 * nested ones, its fit time the components'.
 */
function blendTrial(number: number, b: NonNullable<ReturnType<typeof blendHeldOut>>, seconds: number): Trial {
  const folds = b.folds.map((f, x) => ({
    rmse: f.rmse,
    mae: f.mae,
    fitTime: b.components.reduce((t, c) => t + (c.folds[x]?.fitTime ?? 0), 0),
    testTime: b.components.reduce((t, c) => t + (c.folds[x]?.testTime ?? 0), 0),
  }));
  const stat = (pick: (f: { rmse: number; mae: number }) => number) => meanStd(folds.map(pick));
  return {
    number,
    algorithm: 'blend',
    params: {
      components: b.components.map((c) => ({ algorithm: c.algorithm, params: c.params })),
      weights: [...b.weights],
      intercept: b.intercept,
    },
    status: 'ok',
    rmse: stat((f) => f.rmse).mean,
    mae: stat((f) => f.mae).mean,
    rmseStd: stat((f) => f.rmse).std,
    folds,
    fitSeconds: folds.reduce((t, f) => t + f.fitTime, 0),
    seconds,
  };
}

/** A trial record from its cross-validation; a diverged fit (non-finite RMSE) is a failed trial. */
export function trialOf(
  number: number,
  algorithm: string,
  params: Readonly<Record<string, unknown>>,
  cv: CvResult,
  seconds: number,
): Trial {
  if (!Number.isFinite(cv.mean.rmse)) return failedTrial(number, algorithm, params, 'the fit diverged (non-finite predictions)', seconds);
  return {
    number,
    algorithm,
    params,
    status: 'ok',
    rmse: cv.mean.rmse,
    mae: cv.mean.mae,
    rmseStd: cv.std.rmse,
    folds: cv.folds.map((f) => ({ rmse: f.rmse, mae: f.mae, fitTime: f.fitTime, testTime: f.testTime })),
    fitSeconds: cv.folds.reduce((a, f) => a + f.fitTime, 0),
    seconds,
  };
}

function failedTrial(number: number, algorithm: string, params: Readonly<Record<string, unknown>>, error: string, seconds: number): Trial {
  const nan = Number.NaN;
  return { number, algorithm, params, status: 'failed', rmse: nan, mae: nan, rmseStd: nan, folds: [], fitSeconds: 0, seconds, error };
}
