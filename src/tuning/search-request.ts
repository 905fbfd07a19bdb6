import {
  createRng,
  expandGrid,
  getAlgorithm,
  invalid,
  readsTimestamps,
  isGrid,
  type Measure,
  nestParams,
  parseMeasures,
  parseRefit,
  sampleSpace,
  searchableAlgorithmIds,
  searchSpaceOf,
  type SearchSpace,
} from '../core/index.js';

/**
 * A search as a caller writes it (the CLI's --search, SQL's `parse_json('{"search": …}')`), keys in
 * Surprise's snake_case or camelCase:
 * - `method`: `tpe` (sequential model-based, over `algorithms` with a `time_budget`), `grid`
 *   (GridSearchCV over `param_grid`) or `random` (RandomizedSearchCV over `param_distributions`,
 *   `n_iter`); inferred from which of those is given.
 * - `algorithm` (grid, random), `algorithms` (tpe; default every algorithm with a search space),
 *   `space: {algo: {...}}` and `fixed: {algo: {...}}` (tpe), `measures`, `refit`, `max_trials`.
 * - `blend` (tpe): once the trials are done, stack up to N of them (default 6; 0 or false: no blend),
 *   chosen by forward selection, into a blend candidate.
 */
export interface SearchPlan {
  readonly method: 'tpe' | 'grid' | 'random';
  /** Algorithm id → space (one entry for grid and random). */
  readonly spaces: ReadonlyMap<string, SearchSpace>;
  readonly fixed: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
  /** The JSON grid or distributions of a grid or random search, as given. */
  readonly candidates?: unknown;
  readonly nIter: number;
  readonly measures: readonly Measure[];
  /** The measure the best trial is chosen (and refitted) by. */
  readonly measure: Measure;
  readonly timeBudgetSeconds: number;
  readonly maxTrials?: number;
  /** At most this many components in the blend a tpe search builds from its trials; 0: none. */
  readonly blend: number;
}

const KEYS = ['method', 'algorithm', 'algorithms', 'space', 'fixed', 'paramgrid', 'paramdistributions', 'niter', 'measures', 'refit'];
const MORE_KEYS = ['timebudget', 'maxtrials', 'blend'];
export const DEFAULT_BLEND_COMPONENTS = 6;
const norm = (k: string): string => k.toLowerCase().replace(/_/g, '');

export const DEFAULT_TIME_BUDGET_SECONDS = 600;
const MAX_TIME_BUDGET_SECONDS = 7 * 24 * 3600;

/** Validates a search request, naming the offending field. `defaults` come from the surrounding command or job. */
export function parseSearchRequest(
  raw: unknown,
  defaults: {
    readonly algorithm?: string;
    readonly timeBudgetSeconds?: number;
    /** false: the ratings have no timestamps, so time-aware algorithms are left out by default and refused when named. */
    readonly timestamps?: boolean;
  } = {},
): SearchPlan {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalid(`search must be an object, got ${JSON.stringify(raw)}`);
  const r: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    const n = norm(k);
    if (![...KEYS, ...MORE_KEYS].includes(n))
      throw invalid(
        `unknown search field '${k}'; known: method, algorithm, algorithms, space, fixed, param_grid, param_distributions, n_iter, measures, refit, time_budget, max_trials, blend`,
      );
    r[n] = v;
  }
  const method = String(
    r.method ?? (r.paramgrid !== undefined ? 'grid' : r.paramdistributions !== undefined ? 'random' : 'tpe'),
  ).toLowerCase();
  if (method !== 'tpe' && method !== 'grid' && method !== 'random')
    throw invalid(`search method must be tpe, grid or random, got '${method}'`);
  const measures = parseMeasures(r.measures === undefined ? undefined : stringList(r.measures, 'measures'));
  const measure = parseRefit(r.refit === undefined || r.refit === false ? true : (r.refit as boolean | string), measures) ?? measures[0];
  const timeBudgetSeconds = positive(
    r.timebudget ?? defaults.timeBudgetSeconds ?? DEFAULT_TIME_BUDGET_SECONDS,
    'time_budget',
    MAX_TIME_BUDGET_SECONDS,
  );
  const maxTrials = r.maxtrials === undefined ? undefined : integer(r.maxtrials, 'max_trials');
  const fixedRaw = objectOf(r.fixed, 'fixed');
  const spaceRaw = objectOf(r.space, 'space');
  const common = { measures, measure, timeBudgetSeconds, ...(maxTrials ? { maxTrials } : {}), blend: 0 };
  if (method === 'tpe') {
    for (const k of ['paramgrid', 'paramdistributions', 'niter', 'algorithm'])
      if (r[k] !== undefined)
        throw invalid(`search field ${k} is for grid or random searches; a tpe search takes algorithms, space and fixed`);
    const names =
      r.algorithms === undefined
        ? defaults.algorithm
          ? [defaults.algorithm]
          : searchableAlgorithmIds(defaults.timestamps !== false)
        : stringList(r.algorithms, 'algorithms');
    const algos = [...new Set(names.map((n) => getAlgorithm(n).id))];
    for (const a of algos) needsNoTime(a, defaults.timestamps);
    for (const k of [...Object.keys(spaceRaw), ...Object.keys(fixedRaw)])
      if (!algos.includes(getAlgorithm(k).id))
        throw invalid(`search space or fixed parameters for ${k}, which is not among the searched algorithms (${algos.join(', ')})`);
    const byId = (o: Record<string, unknown>) => new Map(Object.entries(o).map(([k, v]) => [getAlgorithm(k).id, v]));
    const spaces = byId(spaceRaw);
    const fixed = byId(fixedRaw);
    const plan: SearchPlan = {
      method,
      spaces: new Map(algos.map((a) => [a, searchSpaceOf(getAlgorithm(a), spaces.get(a))])),
      fixed: new Map(algos.flatMap((a) => (fixed.has(a) ? [[a, objectOf(fixed.get(a), `fixed.${a}`)]] : []))),
      nIter: 0,
      ...common,
      blend: blendComponents(r.blend),
    };
    for (const [a, space] of plan.spaces) checkSpace(a, space, plan.fixed.get(a));
    return plan;
  }
  for (const k of ['algorithms', 'space', 'fixed', 'timebudget', 'maxtrials', 'blend'])
    if (r[k] !== undefined)
      throw invalid(
        `search field ${k} is for tpe searches; a ${method} search takes algorithm, ${method === 'grid' ? 'param_grid' : 'param_distributions and n_iter'}`,
      );
  const algo = getAlgorithm(text(r.algorithm ?? defaults.algorithm ?? 'svd', 'algorithm'));
  needsNoTime(algo.id, defaults.timestamps);
  const candidates = method === 'grid' ? r.paramgrid : r.paramdistributions;
  if (candidates === undefined) throw invalid(`a ${method} search needs ${method === 'grid' ? 'param_grid' : 'param_distributions'}`);
  if (method === 'grid' && r.niter !== undefined) throw invalid('n_iter is for random searches; a grid search tries every combination');
  const nIter = r.niter === undefined ? 10 : integer(r.niter, 'n_iter');
  const space = searchSpaceOf(algo, candidates);
  checkSpace(algo.id, space);
  return { method, spaces: new Map([[algo.id, space]]), fixed: new Map(), candidates, nIter, ...common };
}

function blendComponents(v: unknown): number {
  if (v === undefined || v === true) return DEFAULT_BLEND_COMPONENTS;
  if (v === false || v === 0) return 0;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 2 || v > 20)
    throw invalid(`search field blend must be false, 0, or a number of components 2–20, got ${JSON.stringify(v)}`);
  return v;
}

function needsNoTime(algorithm: string, timestamps: boolean | undefined): void {
  if (timestamps === false && readsTimestamps(algorithm))
    throw invalid(`search algorithm ${algorithm} needs the ratings' timestamps, and these ratings have none`, { algorithm });
}

/** Every candidate of a grid (or one draw of a distribution) through the algorithm's own checks, so a misspelt name fails when the search is asked for. */
function checkSpace(algorithm: string, space: SearchSpace, fixed: Readonly<Record<string, unknown>> = {}): void {
  const algo = getAlgorithm(algorithm);
  const points = isGrid(space) ? expandGrid(space).slice(0, 10_000) : [sampleSpace(space, createRng(0))];
  for (const p of points) algo.parseConfig({ ...fixed, ...nestParams(p) });
}

function stringList(v: unknown, field: string): string[] {
  const list = typeof v === 'string' ? v.split(',').map((s) => s.trim()) : v;
  if (!Array.isArray(list) || list.length === 0 || !list.every((x) => typeof x === 'string' && x !== ''))
    throw invalid(`search field ${field} must be a non-empty list of names, got ${JSON.stringify(v)}`);
  return list as string[];
}

function objectOf(v: unknown, field: string): Record<string, unknown> {
  if (v === undefined) return {};
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw invalid(`search field ${field} must be an object, got ${JSON.stringify(v)}`);
  return v as Record<string, unknown>;
}

function text(v: unknown, field: string): string {
  if (typeof v !== 'string' || v === '') throw invalid(`search field ${field} must be a non-empty string, got ${JSON.stringify(v)}`);
  return v;
}

function integer(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 1_000_000)
    throw invalid(`search field ${field} must be an integer in 1..1000000, got ${JSON.stringify(v)}`);
  return v;
}

function positive(v: unknown, field: string, max: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v > max)
    throw invalid(`search field ${field} must be a number of seconds in (0, ${max}], got ${JSON.stringify(v)}`);
  return v;
}
