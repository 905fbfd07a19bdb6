import type { RecpipeError } from '../../core/errors.js';
import { displayName, rowRecords, type Warehouse } from '../../warehouse/index.js';
import type { ExecContext } from '../context.js';
import type { NamesUsed, TableRef } from '../dialect/index.js';
import { compilation, objectMissing } from '../errors.js';

/** A column of a table whose database, schema and name match a reference when case is ignored. */
interface CatalogColumn {
  readonly table: string;
  readonly column: string;
}

/** The columns of each table reference, read once per catalog version (see Warehouse.catalogVersion). */
interface ColumnCache {
  version: number;
  readonly byRef: Map<string, readonly CatalogColumn[]>;
}

/** References remembered per catalog version; past this the cache starts again rather than grow. */
const MAX_CACHED_REFS = 10_000;
const caches = new WeakMap<Warehouse, ColumnCache>();

const refKey = (database: string, schema: string, table: string): string =>
  JSON.stringify([database.toLowerCase(), schema.toLowerCase(), table.toLowerCase()]);
const keyOf = (ref: TableRef): string => refKey(ref.table.database, ref.table.schema, ref.table.name);

/**
 * Snowflake's names are case-sensitive (`"lower_t"` is not `LOWER_T`, the name an unquoted
 * `lower_t` folds to), while DuckDB matches names in any case. So before a translated statement
 * runs, each table it names must exist spelled exactly so, and each column reference that
 * DuckDB would match only by ignoring case is refused as Snowflake refuses it. References to
 * nothing at all are left to DuckDB, whose error is already worded as Snowflake's.
 */
export async function checkExactNames(ctx: ExecContext, refs: readonly TableRef[], names: NamesUsed | undefined): Promise<void> {
  if (refs.length === 0) return;
  const byRef = await catalogColumns(ctx, refs);
  const columns = new Set<string>();
  for (const ref of refs) {
    const found = byRef.get(keyOf(ref)) ?? [];
    if (found.length === 0) continue;
    const exact = found.filter((row) => row.table === ref.table.name);
    if (exact.length === 0 && ref.creates === true) throw caseTwin(ref, found[0].table);
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

/**
 * A table or view whose name differs from an existing one's only in case cannot be created: Snowflake
 * would keep both, but DuckDB, which stores them, matches names in any case and would take the new one
 * for the old (CREATE OR REPLACE would drop it).
 */
function caseTwin(ref: TableRef, existing: string): RecpipeError {
  const { database, schema, name } = ref.table;
  return compilation(
    'CONFLICT',
    `Object '${displayName([database, schema, name])}' cannot be created: '${displayName([database, schema, existing])}' exists, and ` +
      "recpipe's warehouse (DuckDB) does not tell table names apart by case (Snowflake would keep both). Choose another name.",
  );
}

/**
 * The catalog's columns for each reference, matched by database, schema and table (ignoring case), so
 * two schemas holding tables of one name never mix. Served from the cache while the catalog stands
 * still; read afresh inside an open transaction, whose own changes others must not see.
 */
async function catalogColumns(ctx: ExecContext, refs: readonly TableRef[]): Promise<Map<string, readonly CatalogColumn[]>> {
  const version = ctx.warehouse.catalogVersion?.();
  const shared = version === undefined || ctx.session.inTransaction === true ? undefined : cacheAt(ctx.warehouse, version);
  const byRef = new Map<string, readonly CatalogColumn[]>();
  const missing: TableRef[] = [];
  for (const ref of refs) {
    const cached = shared?.byRef.get(keyOf(ref));
    if (cached) byRef.set(keyOf(ref), cached);
    else if (!byRef.has(keyOf(ref))) {
      byRef.set(keyOf(ref), []);
      missing.push(ref);
    }
  }
  if (missing.length === 0) return byRef;
  const where = missing.map(() => '(lower(database_name) = lower(?) AND lower(schema_name) = lower(?) AND lower(table_name) = lower(?))');
  const r = await ctx.conn.run(
    `SELECT database_name, schema_name, table_name, column_name FROM duckdb_columns() WHERE NOT internal AND (${where.join(' OR ')})`,
    missing.flatMap((ref) => [ref.table.database, ref.table.schema, ref.table.name]),
  );
  for (const row of rowRecords(r)) {
    const key = refKey(String(row.database_name), String(row.schema_name), String(row.table_name));
    byRef.set(key, [...(byRef.get(key) ?? []), { table: String(row.table_name), column: String(row.column_name) }]);
  }
  // Kept only if the catalog did not move while it was read.
  if (shared && shared.version === ctx.warehouse.catalogVersion?.()) {
    if (shared.byRef.size + missing.length > MAX_CACHED_REFS) shared.byRef.clear();
    for (const ref of missing) shared.byRef.set(keyOf(ref), byRef.get(keyOf(ref))!);
  }
  return byRef;
}

function cacheAt(warehouse: Warehouse, version: number): ColumnCache {
  let cache = caches.get(warehouse);
  if (!cache) caches.set(warehouse, (cache = { version, byRef: new Map() }));
  if (cache.version !== version) {
    cache.version = version;
    cache.byRef.clear();
  }
  return cache;
}
