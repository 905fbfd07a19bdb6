import { getAlgorithm, invalid } from '../core/index.js';
import { parseSearchRequest } from '../tuning/index.js';
import { checkIdentifier, displayName, type TableName } from '../warehouse/index.js';
import type { JobSpec } from './job.js';

/** What a caller asks for; everything but the two tables has a default. */
export interface JobRequest {
  readonly input: TableName;
  readonly output: TableName;
  /** Default `svd` (the guide's SVD()); Surprise class names work too. */
  readonly algorithm?: string;
  /** Surprise's names accepted (`n_factors`, `lr_all` …). */
  readonly hyperparameters?: Readonly<Record<string, unknown>>;
  /** Default 5, as the guide's `cross_validate(algo, data, cv=5)`; 0 skips cross-validation. */
  readonly folds?: number;
  readonly topN?: number;
  readonly seed?: number;
  /** Default one day; SageMaker's ceiling of 28 days is the maximum. */
  readonly maxRuntimeSeconds?: number;
  /** A hyperparameter search (see tuning/search-request.ts) whose best model becomes the job's model. */
  readonly search?: unknown;
  /** The input's column of rating times (TIMESTAMP, DATE or epoch seconds) for time-aware models; default a column named TIMESTAMP, TS or TIME. */
  readonly timestampColumn?: string;
  /** A search's trials table (search.results_table, resolved to a full name by the caller). */
  readonly resultsTable?: TableName;
}

export const MAX_RUNTIME_CEILING_SECONDS = 28 * 24 * 3600;
const MAX_FOLDS = 100;
const MAX_TOP_N = 10_000;

/** Validates a request into a complete spec, naming the offending field in every error. */
export function parseJobSpec(req: JobRequest): JobSpec {
  if (typeof req !== 'object' || req === null) throw invalid('a training job needs a request object with input and output tables');
  const input = tableName(req.input, 'input');
  const output = tableName(req.output, 'output');
  if (sameTable(input, output))
    throw invalid(`input and output are the same table ${display(input)}; the job would overwrite its own training data`);
  const algo = getAlgorithm(req.algorithm ?? 'svd');
  const raw = req.hyperparameters ?? {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw invalid(`hyperparameters must be an object of name: value, got ${JSON.stringify(raw)}`);
  const hyperparameters = algo.parseConfig(raw) as Record<string, unknown>;
  const folds = integer('folds', req.folds ?? 5, 0, MAX_FOLDS);
  if (folds === 1) throw invalid('folds must be 0 (no cross-validation) or at least 2, got 1');
  const maxRuntimeSeconds = integer('maxRuntimeSeconds', req.maxRuntimeSeconds ?? 86_400, 1, MAX_RUNTIME_CEILING_SECONDS);
  const search = req.search === undefined ? undefined : searchOf(req, folds, maxRuntimeSeconds);
  if (req.timestampColumn !== undefined) {
    if (typeof req.timestampColumn !== 'string')
      throw invalid(`timestamp_column must be a column name, got ${JSON.stringify(req.timestampColumn)}`);
    checkIdentifier(req.timestampColumn, 'timestamp_column');
  }
  return {
    input,
    output,
    algorithm: algo.id,
    hyperparameters,
    folds,
    topN: integer('topN', req.topN ?? 10, 1, MAX_TOP_N),
    seed: integer('seed', req.seed ?? 0, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
    maxRuntimeSeconds,
    ...(search ? { search } : {}),
    ...(req.timestampColumn !== undefined ? { timestampColumn: req.timestampColumn } : {}),
    ...(req.resultsTable !== undefined ? { resultsTable: resultsTableOf(req.resultsTable, input, output, search !== undefined) } : {}),
  };
}

function resultsTableOf(t: TableName, input: TableName, output: TableName, searching: boolean): TableName {
  if (!searching) throw invalid('results_table is where a search writes its trials; this job has no search');
  const table = tableName(t, 'results');
  for (const [other, what] of [
    [input, 'input'],
    [output, 'output'],
  ] as const)
    if (sameTable(table, other)) throw invalid(`the search's results_table ${display(table)} is the job's ${what} table`);
  return table;
}

/** A search is checked whole when the job is submitted; the job stores it as given. */
function searchOf(req: JobRequest, folds: number, maxRuntimeSeconds: number): Record<string, unknown> {
  if (req.hyperparameters !== undefined)
    throw invalid('give either hyperparameters or a search, not both; a search takes parameters it does not vary in search.fixed');
  if (folds < 2) throw invalid(`a search compares candidates by cross-validation and needs folds ≥ 2, got ${folds}`);
  const plan = parseSearchRequest(req.search, { algorithm: req.algorithm });
  if (plan.timeBudgetSeconds >= maxRuntimeSeconds)
    throw invalid(
      `the search's time budget (${plan.timeBudgetSeconds} s) leaves no time for the final fit within maxRuntimeSeconds (${maxRuntimeSeconds} s)`,
    );
  const search = req.search as Record<string, unknown>;
  // The job's algorithm, when named, is what a search without its own algorithm(s) searches.
  if (req.algorithm === undefined || 'algorithm' in search || 'algorithms' in search) return search;
  return plan.method === 'tpe' ? { ...search, algorithms: [req.algorithm] } : { ...search, algorithm: req.algorithm };
}

export const display = (t: TableName): string => displayName([t.database, t.schema, t.name]);

/** DuckDB (like Snowflake for the quoted names recpipe stores) matches table names case-insensitively. */
export const sameTable = (a: TableName, b: TableName): boolean =>
  a.database.toUpperCase() === b.database.toUpperCase() &&
  a.schema.toUpperCase() === b.schema.toUpperCase() &&
  a.name.toUpperCase() === b.name.toUpperCase();

function tableName(t: TableName | undefined, what: string): TableName {
  if (typeof t !== 'object' || t === null) throw invalid(`${what} table is missing (expected database, schema and name)`);
  for (const part of ['database', 'schema', 'name'] as const) {
    if (typeof t[part] !== 'string') throw invalid(`${what} table: ${part} must be a string, got ${JSON.stringify(t[part])}`);
    checkIdentifier(t[part], `${what} table ${part}`);
  }
  return { database: t.database, schema: t.schema, name: t.name };
}

function integer(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(`${field} must be an integer in ${min}..${max}, got ${JSON.stringify(value)}`, { field, value });
  }
  return value;
}
