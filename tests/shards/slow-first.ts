/**
 * The test files that take longest (wall time, measured on a loaded 2-core machine), slowest first:
 * the shards claim these before the rest, so that no long file starts when the others are ending.
 * Files not listed follow in path order; a stale entry only costs a little balance.
 */
export const SLOW_FIRST: readonly string[] = [
  'tests/e2e/console-live-browser.test.ts',
  'tests/e2e/train-cli.test.ts',
  'tests/e2e/console-data-browser.test.ts',
  'tests/e2e/guide-rerun.test.ts',
  'tests/e2e/quickstart.test.ts',
  'src/core/algorithms/knn.test.ts',
  'src/core/algorithms/ease.test.ts',
  'src/core/algorithms/timesvd.test.ts',
  'src/sql/dialect/generalisation.test.ts',
  'src/tasks/tasks.test.ts',
  'tests/e2e/console-browser.test.ts',
  'tests/e2e/sql-cli.test.ts',
  'src/core/algorithms/implicit.test.ts',
  'src/sql/write-conflicts.test.ts',
  'src/sql/streams.test.ts',
  'src/core/algorithms/blend.test.ts',
  'tests/e2e/ext-protocol.test.ts',
  'tests/e2e/guide-lab3-two-processes.test.ts',
  'src/service/routes/console-live.test.ts',
  'src/service/training-jobs.test.ts',
  'src/sql/statements/object-grants.test.ts',
  'src/engine/engine.test.ts',
  'tests/e2e/console-ops-browser.test.ts',
  'tests/e2e/model-families.test.ts',
  'tests/e2e/guide-automation.test.ts',
];
