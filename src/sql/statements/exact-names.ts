import { displayName, rowRecords } from '../../warehouse/index.js';
import type { ExecContext } from '../context.js';
import type { NamesUsed, TableRef } from '../dialect/index.js';
import { compilation, objectMissing } from '../errors.js';

/**
 * Snowflake's names are case-sensitive (`"lower_t"` is not `LOWER_T`, the name an unquoted
 * `lower_t` folds to), while DuckDB matches names in any case. So before a translated statement
 * runs, each table it names must exist spelled exactly so, and each column reference that
 * DuckDB would match only by ignoring case is refused as Snowflake refuses it. References to
 * nothing at all are left to DuckDB, whose error is already worded as Snowflake's.
 */
export async function checkExactNames(ctx: ExecContext, refs: readonly TableRef[], names: NamesUsed | undefined): Promise<void> {
  if (refs.length === 0) return;
  const where = refs.map(() => '(lower(database_name) = lower(?) AND lower(schema_name) = lower(?) AND lower(table_name) = lower(?))');
  const r = await ctx.conn.run(
    `SELECT database_name, schema_name, table_name, column_name FROM duckdb_columns() WHERE NOT internal AND (${where.join(' OR ')})`,
    refs.flatMap((ref) => [ref.table.database, ref.table.schema, ref.table.name]),
  );
  const rows = rowRecords(r).map((row) => ({ table: String(row.table_name), column: String(row.column_name) }));
  const columns = new Set<string>();
  for (const ref of refs) {
    const found = rows.filter((row) => row.table.toLowerCase() === ref.table.name.toLowerCase());
    if (found.length === 0) continue;
    const exact = found.filter((row) => row.table === ref.table.name);
    if (exact.length === 0) throw objectMissing('Object', [ref.table.database, ref.table.schema, ref.table.name]);
    for (const row of exact) columns.add(row.column);
  }
  if (!names) return;
  const folded = new Set([...columns].map((c) => c.toLowerCase()));
  for (const name of names.columns) {
    if (columns.has(name) || names.spelled.has(name) || !folded.has(name.toLowerCase())) continue;
    throw compilation('INVALID_ARGUMENT', `invalid identifier '${displayName([name])}'`);
  }
}
