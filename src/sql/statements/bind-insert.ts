import type { CsvOptions, TableName } from '../../warehouse/index.js';
import type { ExecContext } from '../context.js';
import { compilation, objectMissing } from '../errors.js';
import { resolveTableName } from '../identifiers.js';
import { Parser } from '../parser.js';
import { dmlResult } from '../results.js';
import type { StatementResult } from '../session.js';
import type { Statement } from '../tokens.js';
import { requireUserDatabase } from './database.js';
import { csvOptions, formatOptions } from './file-format.js';
import { requireTablePrivileges } from './privileges.js';

/**
 * The driver's bind files, in the file format it creates its bind stage with (`type=csv
 * field_optionally_enclosed_by='"'`), without NULL_IF: NULL is an empty unquoted field, and a value
 * `\N` stays text.
 */
const BIND_CSV: CsvOptions = csvOptions(
  formatOptions(
    new Map<string, string | string[]>([
      ['FIELD_OPTIONALLY_ENCLOSED_BY', '"'],
      ['NULL_IF', []],
    ]),
  ),
);

/** `INSERT INTO t [(cols)] VALUES (?, …)`: the target and columns; null for any other statement. */
function markerInsert(statement: Statement): { name: string[]; columns?: string[]; markers: number } | null {
  const p = new Parser(statement);
  if (!p.acceptWords('INSERT') || !p.acceptWords('INTO')) return null;
  const name = p.objectName(3, 'table name');
  let columns: string[] | undefined;
  if (p.acceptPunct('(')) {
    columns = [];
    do columns.push(p.identifier('column name'));
    while (p.acceptPunct(','));
    p.expectPunct(')');
  }
  if (!p.acceptWords('VALUES') || !p.acceptPunct('(')) return null;
  let markers = 0;
  do {
    if (p.peek()?.kind !== 'param') return null;
    p.seek(p.position + 1);
    markers++;
  } while (p.acceptPunct(','));
  if (!p.acceptPunct(')')) return null;
  p.acceptPunct(';');
  return p.atEnd() ? { name, ...(columns ? { columns } : {}), markers } : null;
}

/** Whether array binds uploaded as files can be loaded for this statement (else they are bound as values). */
export function loadsBindFiles(statement: Statement): boolean {
  try {
    return markerInsert(statement) !== null;
  } catch {
    return false;
  }
}

/**
 * An INSERT … VALUES (?, …) whose array binds a driver uploaded as CSV files (Snowflake's bind stage):
 * the files are loaded into the table as COPY INTO loads them (DuckDB's CSV reader, every value
 * converted to its column's type, all rows or none), with the INSERT privilege an INSERT needs.
 */
export async function insertBindFiles(ctx: ExecContext, files: readonly string[]): Promise<StatementResult> {
  const insert = markerInsert(ctx.statement);
  if (insert === null)
    throw compilation('INVALID_ARGUMENT', 'array binds uploaded as files apply to INSERT INTO t [(columns)] VALUES (?, …) only');
  const table = resolveTableName(insert.name, ctx.session, 'INSERT');
  const database = requireUserDatabase(ctx, table.database);
  requireTablePrivileges(ctx, [database, table.schema, table.name], ['INSERT']);
  const target: TableName = { ...table, database };
  const tableColumns = await ctx.warehouse.tableColumns(target);
  if (tableColumns === null) throw objectMissing('Table', [database, table.schema, table.name]);
  const width = insert.columns?.length ?? tableColumns.length;
  if (width !== insert.markers)
    throw compilation('INVALID_ARGUMENT', `Insert value list does not match column list expecting ${width} but got ${insert.markers}`);
  const outcomes = await ctx.warehouse.loadCsv({
    table: target,
    columns: insert.columns,
    files,
    options: BIND_CSV,
    onError: { kind: 'abort' },
  });
  const bad = outcomes.find((o) => o.errorsSeen > 0);
  if (bad?.firstError) {
    const e = bad.firstError;
    throw compilation(
      'INVALID_ARGUMENT',
      `array bind row ${e.line}${e.columnName ? ` column ${e.columnName}` : ''}: ${e.message} (bind file ${bad.file.split('/').pop()}; nothing was inserted)`,
    );
  }
  const rows = outcomes.reduce((sum, o) => sum + o.rowsLoaded, 0);
  return dmlResult(ctx.statement, ['number of rows inserted'], [rows], rows);
}
