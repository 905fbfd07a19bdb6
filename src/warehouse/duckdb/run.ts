import { ResultReturnType, StatementType, type DuckDBConnection, type DuckDBValue } from './duckdb-api.js';
import type { RunResult, SqlParam } from '../warehouse.js';
import { catalogClock } from './catalog-clock.js';
import { mayHoldTransaction, transactionEnded } from './connection-pool.js';
import { duckdbCall } from './errors.js';
import { toJsonSafe, typeText } from './values.js';

/** A text that is one bare COMMIT or ROLLBACK: once it succeeds, no transaction is open. */
const ENDS_TRANSACTION = /^\s*(?:commit|rollback)(?:\s+(?:work|transaction))?\s*;?\s*$/i;

/** Runs one statement with bound parameters and returns its rows as JSON-safe values. */
export function runStatement(conn: DuckDBConnection, sql: string, params: readonly SqlParam[]): Promise<RunResult> {
  return duckdbCall(async () => {
    let result: Awaited<ReturnType<DuckDBConnection['run']>>;
    try {
      result = await conn.run(sql, params.length > 0 ? (params as DuckDBValue[]) : undefined);
    } catch (e) {
      // A failed statement may have aborted a transaction holding catalog changes.
      catalogClock.changed();
      throw e;
    }
    catalogClock.ranStatement(result.statementType);
    if (result.statementType === StatementType.TRANSACTION) {
      if (ENDS_TRANSACTION.test(sql)) transactionEnded(conn);
      else mayHoldTransaction(conn);
    }
    const types = result.columnTypes();
    const columns = result.columnNames().map((name, i) => ({ name, type: typeText(types[i]) }));
    const returnsRows = result.returnType === ResultReturnType.QUERY_RESULT;
    const json = columns.map((c) => c.type === 'JSON');
    const rows: unknown[][] = [];
    // Chunk by chunk, a column at a time: one native call per column and chunk rather than several per row.
    // The result is materialized: its chunks are read in place, where fetchChunk would take a trip
    // through the thread pool for each chunk and one more for the end (two of a short query's three).
    if (returnsRows) {
      for (let k = 0, chunks = result.chunkCount; k < chunks; k++) {
        const chunk = result.getChunk(k);
        const values = chunk.getColumns();
        for (let r = 0; r < chunk.rowCount; r++) {
          const row: unknown[] = [];
          for (let c = 0; c < values.length; c++) row.push(toJsonSafe(values[c][r], json[c]));
          rows.push(row);
        }
      }
    }
    return {
      columns: returnsRows ? columns : [],
      rows,
      rowsChanged: returnsRows ? 0 : Number(result.rowsChanged),
      returnsRows,
      statementType: StatementType[result.statementType] ?? 'UNKNOWN',
    };
  });
}
