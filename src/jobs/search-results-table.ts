import type { Trial } from '../core/index.js';
import { rankTrials, type SearchReport } from '../tuning/index.js';
import type { WriteColumn } from '../warehouse/index.js';

const STATE: Record<Trial['status'], string> = { ok: 'complete', pruned: 'pruned', failed: 'failed' };

/** JSON text of numbers, NaN (a failed fold) as null. */
const jsonNumbers = (xs: readonly number[]): string => JSON.stringify(xs.map((x) => (Number.isFinite(x) ? x : null)));

/**
 * A search's trials as the rows of its `results_table`, best first (the ranking every table of a
 * search shows): parameters and per-fold figures as VARIANT, NULL figures where a trial failed,
 * STATE complete, pruned (its figures are fold 1's) or failed, BEST true on the job's model.
 */
export function searchResultColumns(report: SearchReport): WriteColumn[] {
  const ranked = rankTrials(report.trials, report.measure);
  const col = (name: string, type: WriteColumn['type'], values: WriteColumn['values']): WriteColumn => ({ name, type, values });
  const num = (f: (t: Trial) => number) => Float64Array.from(ranked, f);
  return [
    col(
      'RANK',
      'INTEGER',
      Int32Array.from(ranked, (_, r) => r + 1),
    ),
    col(
      'TRIAL',
      'INTEGER',
      Int32Array.from(ranked, (t) => t.number),
    ),
    col(
      'ALGORITHM',
      'VARCHAR',
      ranked.map((t) => t.algorithm),
    ),
    col(
      'PARAMS',
      'JSON',
      ranked.map((t) => JSON.stringify(t.params)),
    ),
    col(
      'STATE',
      'VARCHAR',
      ranked.map((t) => STATE[t.status]),
    ),
    col(
      'RMSE',
      'DOUBLE',
      num((t) => t.rmse),
    ),
    col(
      'MAE',
      'DOUBLE',
      num((t) => t.mae),
    ),
    col(
      'RMSE_STD',
      'DOUBLE',
      num((t) => (t.status === 'ok' ? t.rmseStd : Number.NaN)),
    ),
    col(
      'FOLDS',
      'INTEGER',
      Int32Array.from(ranked, (t) => t.folds.length),
    ),
    col(
      'FOLD_RMSE',
      'JSON',
      ranked.map((t) => jsonNumbers(t.folds.map((f) => f.rmse))),
    ),
    col(
      'FOLD_MAE',
      'JSON',
      ranked.map((t) => jsonNumbers(t.folds.map((f) => f.mae))),
    ),
    col(
      'FIT_SECONDS',
      'DOUBLE',
      num((t) => t.fitSeconds),
    ),
    col(
      'SECONDS',
      'DOUBLE',
      num((t) => t.seconds),
    ),
    col(
      'BEST',
      'BOOLEAN',
      ranked.map((t) => report.best?.trial === t.number),
    ),
    col(
      'ERROR',
      'VARCHAR',
      ranked.map((t) => t.error ?? null),
    ),
  ];
}
