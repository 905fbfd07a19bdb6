import { getAlgorithm } from '../algorithms/index.js';
import { invalid } from '../errors.js';
import { meanStd } from '../metrics.js';
import type { Rng } from '../random.js';
import type { CvResult } from './cross-validate.js';
import { type Assignment, expandGrid, isGrid, nestParams, type ParamValue, parseSpace, sampleSpace } from './search-space.js';

export type Measure = 'rmse' | 'mae';
export const MEASURES: readonly Measure[] = ['rmse', 'mae'];

/** Cross-validates one candidate; may run it elsewhere (worker threads) and so answers a promise. */
export type CandidateEvaluator = (algorithm: string, params: Readonly<Record<string, unknown>>) => Promise<CvResult>;

export interface SearchCvOptions {
  /** Surprise's `measures` (case-insensitive); default ['rmse', 'mae']. */
  readonly measures?: readonly string[];
  /** Surprise's `refit`: true refits for the first measure, a measure name for that one; default false. */
  readonly refit?: boolean | string;
  /** Candidates cross-validated at once (each one's folds may run in parallel too); default 1. */
  readonly concurrency?: number;
}

/**
 * Surprise's `cv_results` dict, column by column: `split<i>_test_<m>`, `mean_test_<m>`,
 * `std_test_<m>`, `rank_test_<m>`, `mean_fit_time`, `std_fit_time`, `mean_test_time`,
 * `std_test_time`, `params` and `param_<name>` (absent values are null).
 */
export type CvResults = Readonly<Record<string, readonly unknown[]>>;

export interface SearchCvResult {
  readonly algorithm: string;
  readonly measures: readonly Measure[];
  /** Nested parameters of each candidate, in evaluation order. */
  readonly candidates: readonly Record<string, unknown>[];
  readonly cvResults: CvResults;
  readonly bestScore: Readonly<Record<Measure, number>>;
  readonly bestParams: Readonly<Record<Measure, Record<string, unknown>>>;
  readonly bestIndex: Readonly<Record<Measure, number>>;
  /** The measure whose best parameters should be refitted on all the data, or null. */
  readonly refit: Measure | null;
}

/** GridSearchCV: every combination of `paramGrid` (lists of values; `bsl_options` nests one level). */
export async function gridSearchCV(
  algorithm: string,
  paramGrid: unknown,
  evaluate: CandidateEvaluator,
  opts: SearchCvOptions = {},
): Promise<SearchCvResult> {
  const space = parseSpace(paramGrid, 'param_grid');
  return searchCandidates(algorithm, expandGrid(space), evaluate, opts);
}

/**
 * RandomizedSearchCV: `nIter` candidates drawn from `paramDistributions`. As sklearn's
 * ParameterSampler (which Surprise uses): when every parameter is a list, draws without replacement
 * from the grid; otherwise draws each parameter independently.
 */
export async function randomizedSearchCV(
  algorithm: string,
  paramDistributions: unknown,
  evaluate: CandidateEvaluator,
  opts: SearchCvOptions & { readonly nIter?: number; readonly rng: Rng },
): Promise<SearchCvResult> {
  const space = parseSpace(paramDistributions, 'param_distributions');
  const nIter = opts.nIter ?? 10;
  if (!Number.isInteger(nIter) || nIter < 1) throw invalid(`n_iter must be an integer ≥ 1, got ${nIter}`);
  let candidates: Assignment[];
  if (isGrid(space)) {
    const grid = expandGrid(space);
    for (let i = grid.length - 1; i > 0; i--) {
      const j = opts.rng.int(i + 1);
      [grid[i], grid[j]] = [grid[j], grid[i]];
    }
    candidates = grid.slice(0, nIter);
  } else candidates = Array.from({ length: nIter }, () => sampleSpace(space, opts.rng));
  return searchCandidates(algorithm, candidates, evaluate, opts);
}

export function parseMeasures(raw: readonly string[] | undefined): Measure[] {
  const list = (raw ?? MEASURES).map((m) => String(m).toLowerCase());
  if (list.length === 0) throw invalid('measures must name at least one of rmse, mae');
  for (const m of list)
    if (!(MEASURES as readonly string[]).includes(m)) throw invalid(`unknown measure '${m}'; known: ${MEASURES.join(', ')}`);
  return list as Measure[];
}

/** Surprise's rule: refit=true needs one measure or takes the first; a name must be one of the measures. */
export function parseRefit(refit: boolean | string | undefined, measures: readonly Measure[]): Measure | null {
  if (refit === undefined || refit === false) return null;
  if (refit === true) return measures[0];
  const m = refit.toLowerCase();
  if (!(measures as readonly string[]).includes(m))
    throw invalid(`refit names '${refit}', which is not one of the measures (${measures.join(', ')})`);
  return m as Measure;
}

async function searchCandidates(
  algorithm: string,
  assignments: readonly Assignment[],
  evaluate: CandidateEvaluator,
  opts: SearchCvOptions,
): Promise<SearchCvResult> {
  const algo = getAlgorithm(algorithm);
  const measures = parseMeasures(opts.measures);
  const refit = parseRefit(opts.refit, measures);
  const candidates = assignments.map(nestParams);
  // Every candidate is checked before any is run, so a bad value fails at once and names itself.
  for (const c of candidates) algo.parseConfig(c);
  const results = await mapLimit(candidates, opts.concurrency ?? 1, (c) => evaluate(algo.id, c));
  const cvResults = tabulate(assignments, candidates, results, measures);
  const bestIndex = {} as Record<Measure, number>;
  const bestScore = {} as Record<Measure, number>;
  const bestParams = {} as Record<Measure, Record<string, unknown>>;
  for (const m of measures) {
    const means = cvResults[`mean_test_${m}`] as number[];
    bestIndex[m] = argmin(means);
    bestScore[m] = means[bestIndex[m]];
    bestParams[m] = candidates[bestIndex[m]];
  }
  return { algorithm: algo.id, measures, candidates, cvResults, bestScore, bestParams, bestIndex, refit };
}

function tabulate(
  assignments: readonly Assignment[],
  candidates: readonly Record<string, unknown>[],
  results: readonly CvResult[],
  measures: readonly Measure[],
): CvResults {
  const out: Record<string, unknown[]> = {};
  const folds = results[0]?.folds.length ?? 0;
  for (const m of measures) {
    for (let f = 0; f < folds; f++) out[`split${f}_test_${m}`] = results.map((r) => r.folds[f][m]);
    const stats = results.map((r) => meanStd(r.folds.map((x) => x[m])));
    out[`mean_test_${m}`] = stats.map((s) => s.mean);
    out[`std_test_${m}`] = stats.map((s) => s.std);
    out[`rank_test_${m}`] = ranks(stats.map((s) => s.mean));
  }
  out.mean_fit_time = results.map((r) => r.mean.fitTime);
  out.std_fit_time = results.map((r) => r.std.fitTime);
  out.mean_test_time = results.map((r) => r.mean.testTime);
  out.std_test_time = results.map((r) => r.std.testTime);
  out.params = [...candidates];
  const names = [...new Set(assignments.flatMap((a) => Object.keys(a)))];
  for (const n of names) out[`param_${n}`] = assignments.map((a): ParamValue | null => a[n] ?? null);
  return out;
}

/** Ranks from 1 for the lowest error; NaN (a diverged fit) ranks last. */
function ranks(values: readonly number[]): number[] {
  const order = values.map((_, i) => i).sort((a, b) => key(values[a]) - key(values[b]) || a - b);
  const out = new Array<number>(values.length);
  order.forEach((i, r) => (out[i] = r + 1));
  return out;
}

const key = (v: number): number => (Number.isNaN(v) ? Infinity : v);

function argmin(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (key(values[i]) < key(values[best])) best = i;
  return best;
}

/** Runs `fn` over `items` with at most `limit` at once, results in item order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  if (!Number.isInteger(limit) || limit < 1) throw invalid(`concurrency must be an integer ≥ 1, got ${limit}`);
  const out = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return out;
}
