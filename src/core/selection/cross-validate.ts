import type { Algorithm } from '../algorithms/types.js';
import { buildTestset, buildTrainset } from '../dataset.js';
import type { Kernels } from '../kernels.js';
import { mae, meanStd, rmse } from '../metrics.js';
import { predictTestset } from '../model.js';
import { createRng } from '../random.js';
import { evaluateRanking, type RankingFigures, type RankingReport } from '../ranking.js';
import type { Split } from './kfold.js';

export interface FoldResult {
  readonly rmse: number;
  readonly mae: number;
  /** Seconds. */
  readonly fitTime: number;
  readonly testTime: number;
  readonly trainRmse: readonly number[];
  /**
   * With `heldOut`: the test part's RMSE after each epoch (the last one is `rmse`, to float rounding).
   * Absent for algorithms whose fit neither scores it in its kernel nor hands its model out mid-fit.
   * `heldOutSeconds`: the time of passes scored here (model handed out), which is not in `fitTime`;
   * a kernel's own passes are in `fitTime`.
   */
  readonly testRmse?: readonly number[];
  readonly heldOutSeconds?: number;
  /** Top-10 ranking figures on the fold's test part, beside the popularity and random baselines. */
  readonly ranking?: RankingReport;
  /** The test part's (clipped) predictions in its row order, when asked for (`keepPredictions`): what a search stacks into a blend. */
  readonly predictions?: Float32Array;
}

export interface CvResult {
  readonly algorithm: string;
  readonly folds: readonly FoldResult[];
  readonly mean: { rmse: number; mae: number; fitTime: number; testTime: number };
  readonly std: { rmse: number; mae: number; fitTime: number; testTime: number };
  /** Mean ranking figures over the folds (users: the mean number ranked per fold). */
  readonly ranking?: RankingReport;
}

/** Length of the top-N lists the cross-validation ranks. */
export const CV_RANKING_K = 10;

export interface EvalContext {
  readonly seed: number;
  readonly kernels: Kernels;
  /** Monotonic clock in milliseconds, injected so the core stays free of I/O. */
  readonly clock: () => number;
  readonly onEpoch?: (fold: number, epoch: number, trainRmse: number, testRmse?: number) => void;
  /** Also score the test part after each epoch (a held-out curve beside the training one). */
  readonly heldOut?: boolean;
  /** Rank each fold's test part against the baselines (default true); a search, which only compares errors, skips it. */
  readonly ranking?: boolean;
  /** Return the test part's predictions with the figures (default false). */
  readonly keepPredictions?: boolean;
}

/** Fits on one split's train part and scores its test part. Each fold restarts from the same seed, as Surprise's random_state does. */
export function evaluateFold<C extends object>(algo: Algorithm<C>, config: C, split: Split, fold: number, ctx: EvalContext): FoldResult {
  // Like Surprise, the split's trainset is built before the fit timer starts.
  const built = buildTrainset(split.train);
  // The held-out curve needs the test part before the fit; its building still counts as test time.
  const tb = ctx.clock();
  const early = ctx.heldOut ? buildTestset(split.test, built) : null;
  const t0 = ctx.clock();
  const trainRmse: number[] = [];
  const testRmse: number[] = [];
  let heldOutMs = 0;
  // A pass here scores exactly as the fold's result below, so the last epoch's figure is the fold's RMSE.
  const scratch = early ? new Float64Array(early.size) : null;
  const model = algo.fit(built.trainset, config, {
    rng: createRng(ctx.seed),
    kernels: ctx.kernels,
    ...(early ? { heldOut: early } : {}),
    onEpoch: (e, r, current, heldOutRmse) => {
      trainRmse.push(r);
      let held = heldOutRmse;
      if (held !== undefined) testRmse.push(held);
      else if (early && scratch && current) {
        const h0 = ctx.clock();
        held = rmse(early, predictTestset(current(), early, scratch));
        testRmse.push(held);
        heldOutMs += ctx.clock() - h0;
      }
      ctx.onEpoch?.(fold, e, r, held);
    },
  });
  const t1 = ctx.clock();
  const test = early ?? buildTestset(split.test, built);
  const pred = predictTestset(model, test);
  const curve = testRmse.length > 0 ? { testRmse, ...(heldOutMs > 0 ? { heldOutSeconds: heldOutMs / 1000 } : {}) } : {};
  const result = { rmse: rmse(test, pred), mae: mae(test, pred), fitTime: (t1 - t0 - heldOutMs) / 1000, testTime: 0, trainRmse, ...curve };
  const testTime = (ctx.clock() - t1 + (t0 - tb)) / 1000;
  const kept = ctx.keepPredictions ? { predictions: Float32Array.from(pred) } : {};
  if (ctx.ranking === false) return { ...result, testTime, ...kept };
  // After the test timer, so the times stay Surprise's. The random baseline's draws are seeded per fold.
  const ranking = evaluateRanking(model, built.trainset, test, { k: CV_RANKING_K, kernels: ctx.kernels, rng: createRng(ctx.seed + fold) });
  return { ...result, testTime, ranking, ...kept };
}

export function summarize(algorithm: string, folds: readonly FoldResult[]): CvResult {
  const stat = (pick: (f: FoldResult) => number) => meanStd(folds.map(pick));
  const s = { rmse: stat((f) => f.rmse), mae: stat((f) => f.mae), fit: stat((f) => f.fitTime), test: stat((f) => f.testTime) };
  const ranked = folds.flatMap((f) => (f.ranking ? [f.ranking] : []));
  return {
    algorithm,
    folds,
    mean: { rmse: s.rmse.mean, mae: s.mae.mean, fitTime: s.fit.mean, testTime: s.test.mean },
    std: { rmse: s.rmse.std, mae: s.mae.std, fitTime: s.fit.std, testTime: s.test.std },
    ...(ranked.length === folds.length && ranked.length > 0 ? { ranking: meanRanking(ranked) } : {}),
  };
}

function meanRanking(reports: readonly RankingReport[]): RankingReport {
  const mean = (pick: (r: RankingReport) => number) => meanStd(reports.map(pick)).mean;
  const figures = (of: (r: RankingReport) => RankingFigures): RankingFigures => ({
    precision: mean((r) => of(r).precision),
    recall: mean((r) => of(r).recall),
    ndcg: mean((r) => of(r).ndcg),
    map: mean((r) => of(r).map),
    coverage: mean((r) => of(r).coverage),
    novelty: mean((r) => of(r).novelty),
  });
  return {
    k: reports[0].k,
    threshold: reports[0].threshold,
    users: mean((r) => r.users),
    model: figures((r) => r.model),
    popularity: figures((r) => r.popularity),
    random: figures((r) => r.random),
  };
}

export function crossValidate<C extends object>(algo: Algorithm<C>, config: C, splits: readonly Split[], ctx: EvalContext): CvResult {
  return summarize(
    algo.displayName,
    splits.map((s, f) => evaluateFold(algo, config, s, f + 1, ctx)),
  );
}

/** Surprise's print_summary table, character for character. */
export function formatCvTable(cv: CvResult): string {
  const n = cv.folds.length;
  const row = (label: string, cells: string[]) => label.padEnd(18) + cells.map((c) => c.padEnd(8)).join('');
  const values = (pick: (f: FoldResult) => number, digits: number, m: number, s: number) =>
    [...cv.folds.map(pick), m, s].map((v) => v.toFixed(digits));
  return [
    `Evaluating RMSE, MAE of algorithm ${cv.algorithm} on ${n} split(s).`,
    '',
    row('', [...cv.folds.map((_, i) => `Fold ${i + 1}`), 'Mean', 'Std']),
    row(
      'RMSE (testset)',
      values((f) => f.rmse, 4, cv.mean.rmse, cv.std.rmse),
    ),
    row(
      'MAE (testset)',
      values((f) => f.mae, 4, cv.mean.mae, cv.std.mae),
    ),
    row(
      'Fit time',
      values((f) => f.fitTime, 2, cv.mean.fitTime, cv.std.fitTime),
    ),
    row(
      'Test time',
      values((f) => f.testTime, 2, cv.mean.testTime, cv.std.testTime),
    ),
  ].join('\n');
}
