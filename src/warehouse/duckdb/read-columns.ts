import type { DuckDBConnection } from '@duckdb/node-api';
import { invalid } from '../../core/errors.js';
import { quoteIdent, quoteTableName } from '../identifiers.js';
import type { ColumnArray, ColumnKind, ColumnRequest, TableColumns, TableName } from '../warehouse.js';
import { duckdbCall } from './errors.js';

const CAST: Record<ColumnKind, string> = { float64: 'DOUBLE', float32: 'FLOAT', int32: 'INTEGER', string: 'VARCHAR' };

/**
 * Streams the requested columns chunk by chunk straight into preallocated typed arrays (the cast
 * to each array's element type happens inside DuckDB). Count and scan share one transaction, so
 * the arrays match a single snapshot of the table.
 */
export function readColumns(conn: DuckDBConnection, table: TableName, requests: readonly ColumnRequest[]): Promise<TableColumns> {
  if (requests.length === 0) throw invalid(`no columns requested from ${quoteTableName(table)}`);
  const select = requests.map((r) => `CAST(${quoteIdent(r.name)} AS ${CAST[r.as]})`).join(', ');
  return duckdbCall(async () => {
    await conn.run('BEGIN TRANSACTION');
    try {
      const counted = await conn.runAndReadAll(`SELECT count(*) FROM ${quoteTableName(table)}`);
      const rowCount = Number(counted.getRows()[0][0]);
      const arrays = requests.map((r) => allocate(r.as, rowCount));
      const result = await conn.stream(`SELECT ${select} FROM ${quoteTableName(table)}`);
      let offset = 0;
      for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
        const n = chunk.rowCount;
        requests.forEach((r, c) => fill(arrays[c], chunk.getColumnVector(c), offset, n, r, table));
        offset += n;
      }
      await conn.run('COMMIT');
      return { rowCount, columns: Object.fromEntries(requests.map((r, c) => [r.name, arrays[c]])) };
    } catch (e) {
      await conn.run('ROLLBACK').catch(() => undefined);
      throw e;
    }
  });
}

function allocate(kind: ColumnKind, n: number): ColumnArray {
  switch (kind) {
    case 'float64':
      return new Float64Array(n);
    case 'float32':
      return new Float32Array(n);
    case 'int32':
      return new Int32Array(n);
    case 'string':
      return new Array<string | null>(n);
  }
}

interface ItemSource {
  getItem(i: number): unknown;
}

function fill(target: ColumnArray, vector: ItemSource, offset: number, n: number, request: ColumnRequest, table: TableName): void {
  if (Array.isArray(target)) {
    for (let i = 0; i < n; i++) target[offset + i] = vector.getItem(i) as string | null;
    return;
  }
  const numeric = target as Float64Array | Float32Array | Int32Array;
  const nullAs = request.as === 'int32' ? null : NaN;
  for (let i = 0; i < n; i++) {
    const v = vector.getItem(i) as number | null;
    if (v === null) {
      if (nullAs === null)
        throw invalid(`column ${request.name} of ${quoteTableName(table)} has a NULL at row ${offset + i + 1}; cannot read it as int32`);
      numeric[offset + i] = nullAs;
    } else {
      numeric[offset + i] = v;
    }
  }
}
