import { quoteIdent, quoteTableName, type TableName } from '../../warehouse/index.js';
import type { ExecContext } from '../context.js';
import { compilation } from '../errors.js';
import type { Parser } from '../parser.js';
import { pastClosingParen } from '../tokens.js';
import { runTranslated } from './passthrough.js';

/** A column of CREATE TABLE's list: its DuckDB definition, and its storage type unless a CTAS list leaves it to the query. */
export interface ColumnDef {
  readonly name: string;
  readonly duckdb: string | null;
  readonly sql: string;
}

/** What CREATE TABLE records beside DuckDB's table: declared types and comments. */
export interface TableShape {
  readonly declared: [string, string][];
  readonly comments: [string, string][];
  comment: string | null;
}

/** Table properties recpipe keeps nothing of besides the comment (clustering, retention, change tracking …). */
const IGNORED_OPTIONS = new Set([
  'DATA_RETENTION_TIME_IN_DAYS',
  'MAX_DATA_EXTENSION_TIME_IN_DAYS',
  'CHANGE_TRACKING',
  'DEFAULT_DDL_COLLATION',
  'ENABLE_SCHEMA_EVOLUTION',
  'STAGE_FILE_FORMAT',
  'STAGE_COPY_OPTIONS',
]);

/** `COMMENT = '…'`, `CLUSTER BY (…)`, `COPY GRANTS` and ignored properties after a table's columns; returns the comment. */
export function tableOptions(p: Parser): string | null {
  let comment: string | null = null;
  for (;;) {
    if (p.acceptWords('CLUSTER', 'BY')) {
      if (p.peek()?.value !== '(') p.fail("'(' after CLUSTER BY");
      p.seek(pastClosingParen(p.tokens, p.position));
      continue;
    }
    if (p.acceptWords('COPY', 'GRANTS')) continue;
    const opts = p.options();
    if (opts.size === 0) return comment;
    for (const [key, value] of opts) {
      if (key === 'COMMENT' && typeof value === 'string') comment = value;
      else if (!IGNORED_OPTIONS.has(key)) throw compilation('INVALID_ARGUMENT', `invalid property '${key}' for CREATE TABLE`);
    }
  }
}

/** CTAS with a column list: the query's columns, in order, named (and cast) as the list says. */
export function castedQuery(defs: readonly ColumnDef[], query: string): string {
  const names = defs.map((d) => quoteIdent(d.name));
  const items = defs.map((d, i) => (d.duckdb ? `CAST(${names[i]} AS ${d.duckdb}) AS ${names[i]}` : names[i]));
  return `SELECT ${items.join(', ')} FROM (${query}) AS rp_query(${names.join(', ')})`;
}

/** A string as a SQL literal (COMMENT ON takes no bound parameters). */
export const sqlString = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** Records declared types (copied from the source of LIKE / CLONE) and sets the comments CREATE gave. */
export async function recordShape(ctx: ExecContext, table: TableName, copyFrom: TableName | null, shape: TableShape): Promise<void> {
  const declared = copyFrom
    ? [...(await ctx.catalog.columnTypes(copyFrom.database, copyFrom)).entries()].map(
        ([k, v]) => [k.split('.').pop() ?? k, v] as [string, string],
      )
    : shape.declared;
  await ctx.catalog.setColumnTypes(table, declared.length > 0 ? declared : null);
  const refs = [{ table, write: true }];
  if (shape.comment !== null)
    await runTranslated(ctx, { sql: `COMMENT ON TABLE ${quoteTableName(table)} IS ${sqlString(shape.comment)}`, refs, params: 0 });
  for (const [column, text] of shape.comments) {
    await runTranslated(ctx, {
      sql: `COMMENT ON COLUMN ${quoteTableName(table)}.${quoteIdent(column)} IS ${sqlString(text)}`,
      refs,
      params: 0,
    });
  }
}

/** A TEMPORARY table lives until its session ends (the executor drops it then). */
export function rememberTemporary(ctx: ExecContext, table: TableName): void {
  const list = (ctx.session.temporaryTables ??= []);
  if (!list.some((t) => quoteTableName(t) === quoteTableName(table))) list.push(table);
}
