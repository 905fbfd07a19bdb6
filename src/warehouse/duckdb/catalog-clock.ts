import { StatementType } from './duckdb-api.js';

/** Statements that read or change rows only: they leave the catalog (databases, schemas, tables, columns) as it was. */
const ROWS_ONLY = new Set<StatementType>([
  StatementType.SELECT,
  StatementType.INSERT,
  StatementType.UPDATE,
  StatementType.DELETE,
  StatementType.MERGE_INTO,
  StatementType.EXPLAIN,
  StatementType.COPY,
  StatementType.ANALYZE,
  StatementType.VARIABLE_SET,
  StatementType.SET,
]);

let changes = 0;

/**
 * A number that moves whenever the catalog may have changed in this process: after any statement
 * that is not rows-only (CREATE, DROP, ALTER, ATTACH, COMMIT, ROLLBACK, CALL, …). Caches of catalog
 * facts (the exact-name check's columns) are valid while it stands still. One clock for every
 * warehouse in the process: another warehouse's change only costs a re-read.
 */
export const catalogClock = {
  now: (): number => changes,
  ranStatement(type: StatementType): void {
    if (!ROWS_ONLY.has(type)) changes++;
  },
  changed(): void {
    changes++;
  },
};
