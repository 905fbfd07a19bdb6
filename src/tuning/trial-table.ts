import type { Measure, Trial } from '../core/index.js';

const STATUS_ORDER: Record<Trial['status'], number> = { ok: 0, pruned: 1, failed: 2 };

/**
 * Trials best first: complete ones by the search's measure, then the pruned (by their first fold),
 * then the failed; ties by trial number. The ranking every table of a search shows.
 */
export function rankTrials(trials: readonly Trial[], measure: Measure): Trial[] {
  return [...trials].sort(
    (a, b) =>
      STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || (a.status === 'failed' ? 0 : a[measure] - b[measure]) || a.number - b.number,
  );
}

const f4 = (x: number): string => (Number.isFinite(x) ? x.toFixed(4) : '–');

/** A search's trials as an aligned text table, best first (`limit` rows at most, then a count of the rest). */
export function formatTrialTable(trials: readonly Trial[], measure: Measure, limit = Number.POSITIVE_INFINITY): string {
  const ranked = rankTrials(trials, measure);
  const head = ['rank', 'trial', 'algorithm', 'RMSE', 'MAE', 'RMSE std', 'folds', 'seconds', 'status', 'parameters'];
  const rows = ranked
    .slice(0, limit)
    .map((t, r) => [
      String(r + 1),
      String(t.number),
      t.algorithm,
      f4(t.rmse),
      f4(t.mae),
      t.status === 'ok' ? f4(t.rmseStd) : '–',
      String(t.folds.length),
      t.seconds.toFixed(1),
      t.status,
      JSON.stringify(t.params),
    ]);
  const width = head.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c].length)));
  // Text columns left-aligned, figures right-aligned; the last column (parameters) is not padded.
  const left = new Set([2, 8, 9]);
  const line = (cells: string[]) =>
    cells.map((cell, c) => (c === cells.length - 1 ? cell : left.has(c) ? cell.padEnd(width[c]) : cell.padStart(width[c]))).join('  ');
  const more = ranked.length > rows.length ? [`… and ${ranked.length - rows.length} more trials`] : [];
  return [line(head), ...rows.map(line), ...more].join('\n');
}
