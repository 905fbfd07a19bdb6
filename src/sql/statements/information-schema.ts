import { quoteIdent, quoteTableName, rowRecords, type TableName } from '../../warehouse/index.js';
import { columnKey } from '../catalog.js';
import type { ExecContext } from '../context.js';
import type { InfoView } from '../dialect/index.js';
import { compilation } from '../errors.js';
import { shownType } from '../types.js';
import { externalsOf } from './api-integration.js';
import { canSee, canSeeTable } from './privileges.js';

type Row = unknown[];

/**
 * Snowflake's INFORMATION_SCHEMA views of one database, with its column names and values. A
 * statement reading one gets it as a temporary table of the connection, filled just before it
 * runs (the dialect points the reference there), so declared types and owners come from
 * recpipe's catalog rather than DuckDB's own information_schema.
 */
const VIEWS: Record<string, { columns: string[]; rows: (ctx: ExecContext, db: string) => Promise<Row[]> }> = {
  TABLES: {
    columns: [
      'TABLE_CATALOG',
      'TABLE_SCHEMA',
      'TABLE_NAME',
      'TABLE_OWNER',
      'TABLE_TYPE',
      'IS_TRANSIENT',
      'CLUSTERING_KEY',
      'ROW_COUNT:BIGINT',
      'BYTES:BIGINT',
      'RETENTION_TIME:BIGINT',
      'CREATED:TIMESTAMPTZ',
      'LAST_ALTERED:TIMESTAMPTZ',
      'AUTO_CLUSTERING_ON',
      'COMMENT',
    ],
    rows: async (ctx, db) =>
      (await ctx.warehouse.listTables({ database: db }))
        .filter((t) => canSeeTable(ctx, [t.database, t.schema, t.name]))
        .map((t) => [
          t.database,
          t.schema,
          t.name,
          ownerOf(ctx, db),
          t.kind === 'VIEW' ? 'VIEW' : 'BASE TABLE',
          'NO',
          null,
          t.kind === 'VIEW' ? null : t.rowCount,
          t.kind === 'VIEW' ? null : (t.bytes ?? 0),
          t.kind === 'VIEW' ? null : 1,
          null,
          null,
          t.kind === 'VIEW' ? null : 'NO',
          t.comment,
        ]),
  },
  COLUMNS: {
    columns: [
      'TABLE_CATALOG',
      'TABLE_SCHEMA',
      'TABLE_NAME',
      'COLUMN_NAME',
      'ORDINAL_POSITION:BIGINT',
      'COLUMN_DEFAULT',
      'IS_NULLABLE',
      'DATA_TYPE',
      'CHARACTER_MAXIMUM_LENGTH:BIGINT',
      'CHARACTER_OCTET_LENGTH:BIGINT',
      'NUMERIC_PRECISION:BIGINT',
      'NUMERIC_PRECISION_RADIX:BIGINT',
      'NUMERIC_SCALE:BIGINT',
      'DATETIME_PRECISION:BIGINT',
      'IS_IDENTITY',
      'COMMENT',
    ],
    rows: async (ctx, db) => {
      const declared = await ctx.catalog.columnTypes(db);
      const r = await ctx.conn.run(
        `SELECT schema_name, table_name, column_name, column_index, column_default, is_nullable, data_type, comment FROM duckdb_columns()
          WHERE upper(database_name) = upper(?) AND NOT internal ORDER BY schema_name, table_name, column_index`,
        [db],
      );
      return rowRecords(r)
        .filter((c) => canSeeTable(ctx, [db, String(c.schema_name), String(c.table_name)]))
        .map((c) => {
          const [schema, table, column] = [String(c.schema_name), String(c.table_name), String(c.column_name)];
          const type = shownType(String(c.data_type), declared.get(columnKey(schema, table, column)));
          return [
            db,
            schema,
            table,
            column,
            Number(c.column_index),
            c.column_default,
            c.is_nullable ? 'YES' : 'NO',
            ...typeColumns(type),
            'NO',
            c.comment,
          ];
        });
    },
  },
  SCHEMATA: {
    columns: [
      'CATALOG_NAME',
      'SCHEMA_NAME',
      'SCHEMA_OWNER',
      'IS_TRANSIENT',
      'IS_MANAGED_ACCESS',
      'RETENTION_TIME:BIGINT',
      'CREATED:TIMESTAMPTZ',
      'LAST_ALTERED:TIMESTAMPTZ',
      'COMMENT',
    ],
    rows: async (ctx, db) =>
      [...(await ctx.warehouse.listSchemas(db)), 'INFORMATION_SCHEMA'].map((s) => [
        db,
        s,
        s === 'INFORMATION_SCHEMA' ? null : ownerOf(ctx, db),
        'NO',
        'NO',
        1,
        null,
        null,
        s === 'INFORMATION_SCHEMA' ? 'Views describing the contents of schemas in this database' : null,
      ]),
  },
  VIEWS: {
    columns: [
      'TABLE_CATALOG',
      'TABLE_SCHEMA',
      'TABLE_NAME',
      'TABLE_OWNER',
      'VIEW_DEFINITION',
      'CHECK_OPTION',
      'IS_UPDATABLE',
      'INSERTABLE_INTO',
      'IS_SECURE',
      'CREATED:TIMESTAMPTZ',
      'LAST_ALTERED:TIMESTAMPTZ',
      'COMMENT',
    ],
    rows: async (ctx, db) => {
      const r = await ctx.conn.run(
        'SELECT schema_name, view_name, sql, comment FROM duckdb_views() WHERE upper(database_name) = upper(?) AND NOT internal ORDER BY 1, 2',
        [db],
      );
      return rowRecords(r)
        .filter((v) => canSeeTable(ctx, [db, String(v.schema_name), String(v.view_name)]))
        .map((v) => [db, v.schema_name, v.view_name, ownerOf(ctx, db), v.sql, 'NONE', 'NO', 'NO', 'NO', null, null, v.comment]);
    },
  },
  LOAD_HISTORY: {
    columns: [
      'SCHEMA_NAME',
      'FILE_NAME',
      'TABLE_NAME',
      'LAST_LOAD_TIME:TIMESTAMPTZ',
      'STATUS',
      'ROW_COUNT:BIGINT',
      'ROW_PARSED:BIGINT',
      'FIRST_ERROR_MESSAGE',
      'FIRST_ERROR_LINE_NUMBER:BIGINT',
      'FIRST_ERROR_CHARACTER_POSITION:BIGINT',
      'FIRST_ERROR_COL_NAME',
      'ERROR_COUNT:BIGINT',
      'ERROR_LIMIT:BIGINT',
    ],
    rows: async (ctx, db) => {
      const r = await ctx.conn.run(
        `SELECT SCHEMA_NAME, FILE_NAME, TABLE_NAME, LAST_LOAD_TIME, STATUS, ROW_COUNT, ROW_PARSED, FIRST_ERROR_MESSAGE, FIRST_ERROR_LINE_NUMBER,
           FIRST_ERROR_CHARACTER_POSITION, FIRST_ERROR_COL_NAME, ERROR_COUNT, ERROR_LIMIT FROM "RECPIPE"."PUBLIC"."LOAD_HISTORY"
          WHERE upper(CATALOG_NAME) = upper(?) ORDER BY LAST_LOAD_TIME`,
        [db],
      );
      return r.rows
        .filter((row) => canSeeTable(ctx, [db, String(row[0]), String(row[2])]))
        .map((row) => row.map((v) => (v instanceof Date ? v.toISOString() : v)));
    },
  },
  FUNCTIONS: {
    columns: [
      'FUNCTION_CATALOG',
      'FUNCTION_SCHEMA',
      'FUNCTION_NAME',
      'FUNCTION_OWNER',
      'ARGUMENT_SIGNATURE',
      'DATA_TYPE',
      'FUNCTION_LANGUAGE',
      'FUNCTION_DEFINITION',
      'VOLATILITY',
      'IS_NULL_CALL',
      'IS_SECURE',
      'CREATED:TIMESTAMPTZ',
      'LAST_ALTERED:TIMESTAMPTZ',
      'COMMENT',
      'IS_EXTERNAL',
    ],
    rows: async (ctx, db) =>
      (ctx.externals ? externalsOf(ctx).functions() : [])
        .filter((f) => f.database.toUpperCase() === db.toUpperCase())
        .map((f) => [
          f.database,
          f.schema,
          f.name,
          ownerOf(ctx, db),
          `(${f.argTypes.join(', ')})`,
          'VARIANT',
          'EXTERNAL',
          null,
          'VOLATILE',
          'YES',
          'NO',
          f.createdOn ?? null,
          f.createdOn ?? null,
          f.comment ?? null,
          'YES',
        ]),
  },
};

const ownerOf = (ctx: ExecContext, db: string): string | null => ctx.catalog.database(db)?.owner ?? null;

/** DATA_TYPE and the length/precision columns of a type as Snowflake shows it (VARCHAR(20) → TEXT, 20, 80). */
function typeColumns(type: string): Row {
  const text = /^VARCHAR\((\d+)\)$/.exec(type);
  if (text) {
    const n = Number(text[1]);
    return ['TEXT', n, Math.min(n * 4, 16777216), null, null, null, null];
  }
  const num = /^NUMBER\((\d+),(\d+)\)$/.exec(type);
  if (num) return ['NUMBER', null, null, Number(num[1]), 10, Number(num[2]), null];
  if (type === 'FLOAT') return ['FLOAT', null, null, null, null, null, null];
  const time = /^(TIMESTAMP_\w+|TIME)\((\d)\)$/.exec(type);
  if (time) return [time[1], null, null, null, null, null, Number(time[2])];
  const bin = /^BINARY\((\d+)\)$/.exec(type);
  if (bin) return ['BINARY', Number(bin[1]), Number(bin[1]), null, null, null, null];
  return [type, null, null, null, null, null, null];
}

/** The temporary table a view of a database is read from (the dialect names it; this fills it). */
export function infoViewTable(view: InfoView): TableName {
  return { database: 'temp', schema: 'main', name: `RP_INFO_${view.database}_${view.view}`.toUpperCase() };
}

/** Fills the temporary tables of the INFORMATION_SCHEMA views a statement reads. */
export async function materializeInfoViews(ctx: ExecContext, views: readonly InfoView[]): Promise<void> {
  for (const view of views) {
    const spec = VIEWS[view.view];
    if (!spec)
      throw compilation('NOT_FOUND', `Object '${view.database}.INFORMATION_SCHEMA.${view.view}' does not exist or not authorized.`);
    const db = ctx.catalog.database(view.database);
    if (!db || !canSee(ctx, { kind: 'DATABASE', name: db.name }, db.owner))
      throw compilation('NOT_FOUND', `Database '${view.database}' does not exist or not authorized.`);
    const table = quoteTableName(infoViewTable(view));
    const defs = spec.columns.map((c) => {
      const [name, type = 'VARCHAR'] = c.split(':');
      return `${quoteIdent(name)} ${type}`;
    });
    await ctx.conn.run(`CREATE OR REPLACE TEMP TABLE ${table} (${defs.join(', ')})`);
    const rows = await spec.rows(ctx, view.database);
    const width = spec.columns.length;
    for (let i = 0; i < rows.length; i += 200) {
      const chunk = rows.slice(i, i + 200);
      const marks = chunk.map(() => `(${Array(width).fill('?').join(', ')})`).join(', ');
      const params = chunk.flat().map((v) => (v === undefined ? null : typeof v === 'bigint' ? Number(v) : v)) as never[];
      await ctx.conn.run(`INSERT INTO ${table} VALUES ${marks}`, params);
    }
  }
}
