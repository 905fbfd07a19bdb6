import { columnKey } from '../catalog.js';
import type { ExecContext } from '../context.js';
import { objectMissing } from '../errors.js';
import { resolveTableName } from '../identifiers.js';
import type { Parser } from '../parser.js';
import { columnsOf, likeMatcher, queryResult } from '../results.js';
import type { StatementResult } from '../session.js';
import { shownType } from '../types.js';
import { TABLE_COLUMNS, type Scope, defaultScope, parseScope } from './show.js';
import { canSeeTable } from './privileges.js';

/** SHOW COLUMNS [LIKE '…'] [IN TABLE | VIEW name | IN SCHEMA … | IN DATABASE … | IN ACCOUNT], as Snowflake lists them. */
export async function showColumns(ctx: ExecContext, p: Parser): Promise<StatementResult> {
  const like = p.acceptWords('LIKE') ? p.string('LIKE pattern') : null;
  let scope: Scope = defaultScope(ctx, 'COLUMNS');
  let only: string | null = null;
  if (p.acceptWords('IN')) {
    if (p.acceptOneOf(['TABLE', 'VIEW']) !== null || !['ACCOUNT', 'DATABASE', 'SCHEMA'].includes(p.peek()?.value ?? '')) {
      const table = resolveTableName(p.objectName(3, 'table name'), ctx.session, 'SHOW');
      if ((await ctx.warehouse.tableColumns(table)) === null || !canSeeTable(ctx, [table.database, table.schema, table.name]))
        throw objectMissing('Table', [table.database, table.schema, table.name]);
      scope = { database: table.database, schema: table.schema };
      only = table.name.toUpperCase();
    } else scope = await parseScope(ctx, p);
  }
  p.expectEnd();
  const matches = likeMatcher(like);
  const databases = scope.database ? [scope.database] : ctx.catalog.listDatabases().map((d) => d.name);
  const rows: unknown[][] = [];
  for (const db of databases) {
    const declared = await ctx.catalog.columnTypes(db);
    for (const t of await ctx.warehouse.listTables({ database: db, schema: scope.schema })) {
      if ((only !== null && t.name.toUpperCase() !== only) || !canSeeTable(ctx, [t.database, t.schema, t.name])) continue;
      for (const c of (await ctx.warehouse.tableColumns(t)) ?? []) {
        if (!matches(c.name)) continue;
        const type = shownType(c.type, declared.get(columnKey(t.schema, t.name, c.name)));
        rows.push([
          t.name,
          t.schema,
          c.name,
          JSON.stringify(typeJson(type, c.nullable)),
          c.nullable ? 'true' : 'false',
          c.defaultValue ?? '',
          'COLUMN',
          '',
          '',
          t.database,
          '',
        ]);
      }
    }
  }
  return queryResult(
    ctx.statement,
    columnsOf(
      'table_name',
      'schema_name',
      'column_name',
      'data_type',
      'null?',
      'default',
      'kind',
      'expression',
      'comment',
      'database_name',
      'autoincrement',
    ),
    rows,
  );
}

/** SHOW COLUMNS' data_type: Snowflake's JSON description of a type. */
export function typeJson(type: string, nullable: boolean): Record<string, unknown> {
  const num = /^NUMBER\((\d+),(\d+)\)$/.exec(type);
  if (num) return { type: 'FIXED', precision: Number(num[1]), scale: Number(num[2]), nullable };
  const text = /^VARCHAR\((\d+)\)$/.exec(type);
  if (text) return { type: 'TEXT', length: Number(text[1]), byteLength: Math.min(Number(text[1]) * 4, 16777216), nullable, fixed: false };
  const time = /^(TIMESTAMP_\w+|TIME)\((\d)\)$/.exec(type);
  if (time) return { type: time[1], precision: 0, scale: Number(time[2]), nullable };
  const bin = /^BINARY\((\d+)\)$/.exec(type);
  if (bin) return { type: 'BINARY', length: Number(bin[1]), byteLength: Number(bin[1]), nullable, fixed: false };
  return { type: type === 'FLOAT' ? 'REAL' : type, nullable };
}

/** SHOW [TERSE] OBJECTS [LIKE '…'] [IN …]: tables and views together, with their kind. */
export async function showObjects(ctx: ExecContext, p: Parser): Promise<StatementResult> {
  const like = p.acceptWords('LIKE') ? p.string('LIKE pattern') : null;
  const scope = p.acceptWords('IN') ? await parseScope(ctx, p) : defaultScope(ctx, 'OBJECTS');
  p.expectEnd();
  const matches = likeMatcher(like);
  const rows = (await ctx.warehouse.listTables(scope))
    .filter((t) => matches(t.name) && canSeeTable(ctx, [t.database, t.schema, t.name]))
    .map((t) => [
      null,
      t.name,
      t.database,
      t.schema,
      t.kind,
      t.comment ?? '',
      '',
      t.rowCount,
      t.bytes,
      ctx.catalog.database(t.database)?.owner ?? 'SYSTEM',
      '1',
    ]);
  return queryResult(ctx.statement, columnsOf(...TABLE_COLUMNS), rows);
}
