import { quoteIdent, quoteTableName, type TableName } from '../../warehouse/index.js';
import type { ExecContext } from '../context.js';
import { compilation, objectMissing } from '../errors.js';
import { resolveTableName } from '../identifiers.js';
import type { Parser } from '../parser.js';
import { statusResult } from '../results.js';
import type { StatementResult } from '../session.js';
import { loadDialect, translate, type Translation } from '../dialect/index.js';
import { pastClosingParen } from '../tokens.js';
import { parseType } from '../types.js';
import { requireUserDatabase, type CreateHead } from './database.js';
import { checkRefs, runTranslated } from './passthrough.js';
import { AutoincrementColumns } from './autoincrement.js';
import { castedQuery, recordShape, rememberTemporary, tableOptions, type ColumnDef, type TableShape } from './table-shape.js';

/** Column options that end a DEFAULT expression. */
const COLUMN_OPTIONS = new Set([
  'NOT',
  'NULL',
  'DEFAULT',
  'COLLATE',
  'COMMENT',
  'PRIMARY',
  'UNIQUE',
  'REFERENCES',
  'CONSTRAINT',
  'FOREIGN',
]);

/**
 * CREATE [OR REPLACE] [TRANSIENT] TABLE [IF NOT EXISTS] name
 *   ( col type [NOT NULL] [DEFAULT expr] [COLLATE …] [COMMENT …] [PRIMARY KEY | UNIQUE | REFERENCES …], … )
 *   | LIKE source | AS query
 * Snowflake records but does not enforce PRIMARY KEY, UNIQUE and FOREIGN KEY constraints, so
 * recpipe accepts and drops them (DuckDB would enforce them); NOT NULL is enforced in both.
 */
export async function createTable(ctx: ExecContext, p: Parser, head: CreateHead): Promise<StatementResult> {
  const table = await target(ctx, p, 'CREATE TABLE');
  await loadDialect();
  if (head.ifNotExists && (await ctx.warehouse.tableColumns(table)) !== null) {
    return statusResult(ctx.statement, `${table.name} already exists, statement succeeded.`);
  }
  const verb = `CREATE ${head.orReplace ? 'OR REPLACE ' : ''}TABLE ${head.ifNotExists ? 'IF NOT EXISTS ' : ''}${quoteTableName(table)}`;
  const autoincrement = new AutoincrementColumns(table);
  const shape: TableShape = { declared: [], comments: [], comment: null };
  let tr: Translation;
  let copyFrom: TableName | null = null;
  if (p.acceptWords('LIKE') || p.acceptWords('CLONE')) {
    copyFrom = sourceTable(ctx, p);
    tr = { sql: `${verb} (${await likeColumns(ctx, copyFrom)})`, refs: [{ table, write: true, creates: true }], params: 0 };
  } else if (p.peek()?.value !== '(') {
    shape.comment = tableOptions(p);
    p.expectWords('AS');
    const query = translateRest(ctx, p, 'CREATE TABLE');
    tr = { ...query, sql: `${verb} AS ${query.sql}`, refs: [{ table, write: true, creates: true }, ...query.refs] };
  } else {
    p.expectPunct('(');
    const defs = columnDefinitions(ctx, p, shape, autoincrement);
    shape.comment = tableOptions(p);
    if (p.acceptWords('AS')) {
      const query = translateRest(ctx, p, 'CREATE TABLE');
      tr = { ...query, sql: `${verb} AS ${castedQuery(defs, query.sql)}`, refs: [{ table, write: true, creates: true }, ...query.refs] };
    } else {
      p.expectEnd();
      tr = { sql: `${verb} (${defs.map((d) => d.sql).join(', ')})`, refs: [{ table, write: true, creates: true }], params: 0 };
    }
  }
  const temporary = head.temporary === true;
  await autoincrement.create(ctx);
  await runTranslated(ctx, tr);
  await autoincrement.dropStale(ctx);
  if (copyFrom && ctx.statement.tokens.some((t) => t.kind === 'word' && t.value === 'CLONE')) await copyRows(ctx, copyFrom, table);
  await recordShape(ctx, table, copyFrom, shape);
  if (temporary) rememberTemporary(ctx, table);
  return statusResult(ctx.statement, `Table ${table.name} successfully created.`);
}

/** CREATE [OR REPLACE] VIEW [IF NOT EXISTS] name [(col, …)] AS query. */
export async function createView(ctx: ExecContext, p: Parser, head: CreateHead): Promise<StatementResult> {
  const view = await target(ctx, p, 'CREATE VIEW');
  await loadDialect();
  let columns = '';
  if (p.acceptPunct('(')) {
    const names: string[] = [];
    do names.push(quoteIdent(p.identifier('column name')));
    while (p.acceptPunct(','));
    p.expectPunct(')');
    columns = ` (${names.join(', ')})`;
  }
  p.expectWords('AS');
  const query = translateRest(ctx, p, 'CREATE VIEW');
  const verb = `CREATE ${head.orReplace ? 'OR REPLACE ' : ''}VIEW ${head.ifNotExists ? 'IF NOT EXISTS ' : ''}${quoteTableName(view)}${columns}`;
  await runTranslated(ctx, {
    ...query,
    sql: `${verb} AS ${query.sql}`,
    refs: [{ table: view, write: true, creates: true }, ...query.refs],
  });
  return statusResult(ctx.statement, `View ${view.name} successfully created.`);
}

/** DROP TABLE | VIEW [IF EXISTS] name [CASCADE | RESTRICT]. */
export async function dropRelation(ctx: ExecContext, p: Parser, kind: 'TABLE' | 'VIEW', ifExists: boolean): Promise<StatementResult> {
  const table = await target(ctx, p, `DROP ${kind}`);
  p.acceptOneOf(['CASCADE', 'RESTRICT']);
  p.expectEnd();
  const exists = (await ctx.warehouse.listTables({ database: table.database, schema: table.schema })).some(
    (t) => t.kind === kind && t.name.toUpperCase() === table.name.toUpperCase(),
  );
  if (!exists && ifExists) return statusResult(ctx.statement, `Drop statement executed successfully (${table.name} already dropped).`);
  if (!exists) throw objectMissing(kind === 'TABLE' ? 'Table' : 'View', [table.database, table.schema, table.name]);
  await runTranslated(ctx, { sql: `DROP ${kind} ${quoteTableName(table)}`, refs: [{ table, write: true }], params: 0 });
  if (kind === 'TABLE') await new AutoincrementColumns(table).dropStale(ctx);
  if (kind === 'TABLE') await ctx.catalog.setColumnTypes(table, null);
  return statusResult(ctx.statement, `${table.name} successfully dropped.`);
}

async function target(ctx: ExecContext, p: Parser, action: string): Promise<TableName> {
  const table = resolveTableName(p.objectName(3, 'table name'), ctx.session, action);
  const resolved = { ...table, database: requireUserDatabase(ctx, table.database) };
  checkRefs(ctx, [{ table: resolved, write: true }]);
  return resolved;
}

function translateRest(ctx: ExecContext, p: Parser, action: string): Translation {
  if (p.atEnd()) return p.fail('a query');
  const rest = p.tokens.slice(p.position);
  p.seek(p.tokens.length);
  return translate(ctx.statement.text.slice(rest[0].start), rest, ctx.statement.text, ctx.session, action);
}

function sourceTable(ctx: ExecContext, p: Parser): TableName {
  const source = resolveTableName(p.objectName(3, 'table name'), ctx.session, 'CREATE TABLE');
  // Time travel (AT | BEFORE (…)) is not kept: a clone copies the table as it is now.
  if (p.acceptOneOf(['AT', 'BEFORE'])) throw compilation('INVALID_ARGUMENT', 'time travel (AT | BEFORE) is not supported by recpipe');
  p.acceptWords('COPY', 'GRANTS');
  p.expectEnd();
  checkRefs(ctx, [{ table: source, write: false }]);
  return source;
}

/** A clone of `source` as the new table `table`: its columns, declared types and rows as they are now (CREATE SCHEMA … CLONE). */
export async function cloneTable(ctx: ExecContext, source: TableName, table: TableName): Promise<void> {
  await runTranslated(ctx, {
    sql: `CREATE TABLE ${quoteTableName(table)} (${await likeColumns(ctx, source)})`,
    refs: [{ table, write: true, creates: true }],
    params: 0,
  });
  await copyRows(ctx, source, table);
  await recordShape(ctx, table, source, { declared: [], comments: [], comment: null });
}

function copyRows(ctx: ExecContext, source: TableName, table: TableName): Promise<unknown> {
  return runTranslated(ctx, {
    sql: `INSERT INTO ${quoteTableName(table)} SELECT * FROM ${quoteTableName(source)}`,
    refs: [
      { table, write: true },
      { table: source, write: false },
    ],
    params: 0,
  });
}

async function likeColumns(ctx: ExecContext, source: TableName): Promise<string> {
  const columns = await ctx.warehouse.tableColumns(source);
  if (columns === null) throw objectMissing('Object', [source.database, source.schema, source.name]);
  return columns.map((c) => `${quoteIdent(c.name)} ${c.type}${c.nullable ? '' : ' NOT NULL'}`).join(', ');
}

/** The column list after '(' up to and including its ')'. */
function columnDefinitions(ctx: ExecContext, p: Parser, shape: TableShape, autoincrement: AutoincrementColumns): ColumnDef[] {
  const defs: ColumnDef[] = [];
  do {
    const t = p.peek();
    if (t?.kind === 'word' && ['CONSTRAINT', 'PRIMARY', 'UNIQUE', 'FOREIGN'].includes(t.value)) skipConstraint(p);
    else defs.push(columnDefinition(ctx, p, shape, autoincrement));
  } while (p.acceptPunct(','));
  p.expectPunct(')');
  if (defs.length === 0) throw compilation('INVALID_ARGUMENT', 'a table needs at least one column');
  return defs;
}

function columnDefinition(ctx: ExecContext, p: Parser, shape: TableShape, autoincrement: AutoincrementColumns): ColumnDef {
  const column = p.identifier('column name');
  const name = quoteIdent(column);
  // CTAS column lists may leave the type to the query.
  const next = p.peek();
  if (next?.kind === 'punct' && (next.value === ',' || next.value === ')')) return { name: column, duckdb: null, sql: name };
  const type = parseType(p.tokens, p.position);
  p.seek(type.next);
  shape.declared.push([column, type.declared]);
  const parts = [name, type.duckdb];
  for (;;) {
    if (p.acceptWords('NOT', 'NULL')) parts.push('NOT NULL');
    else if (p.acceptWords('NULL')) continue;
    else if (p.acceptWords('DEFAULT')) parts.push(`DEFAULT (${defaultExpression(ctx, p)})`);
    else if (p.acceptWords('COMMENT')) shape.comments.push([column, p.string('column comment')]);
    else if (p.acceptWords('COLLATE')) p.string();
    else if (p.acceptWords('PRIMARY', 'KEY') || p.acceptWords('UNIQUE')) continue;
    else if (p.acceptWords('CONSTRAINT')) p.identifier('constraint name');
    else if (p.acceptWords('REFERENCES')) skipReference(p);
    else if (p.acceptOneOf(['AUTOINCREMENT', 'IDENTITY'])) parts.push(autoincrement.column(p, column));
    else break;
  }
  const after = p.peek();
  if (after && !(after.kind === 'punct' && (after.value === ',' || after.value === ')'))) p.fail(`',' or ')' after column ${name}`);
  return { name: column, duckdb: type.duckdb, sql: parts.join(' ') };
}

function defaultExpression(ctx: ExecContext, p: Parser): string {
  const start = p.position;
  let k = start;
  while (k < p.tokens.length) {
    const t = p.tokens[k];
    if (t.kind === 'punct' && (t.value === ',' || t.value === ')')) break;
    if (t.kind === 'word' && COLUMN_OPTIONS.has(t.value) && k > start) break;
    k = t.kind === 'punct' && t.value === '(' ? pastClosingParen(p.tokens, k) : k + 1;
  }
  if (k === start) p.fail('a DEFAULT expression');
  p.seek(k);
  const text = ctx.statement.text.slice(p.tokens[start].start, p.tokens[k - 1].end);
  const tr = translate(`SELECT ${text}`, [], '', ctx.session, 'CREATE TABLE');
  if (tr.refs.length > 0 || tr.params > 0)
    throw compilation('INVALID_ARGUMENT', 'a DEFAULT expression may not read tables or use bind parameters');
  return tr.sql.replace(/^SELECT /, '');
}

/** Skips a table constraint (informational in Snowflake) up to the next top-level ',' or ')'. */
function skipConstraint(p: Parser): void {
  let k = p.position;
  while (k < p.tokens.length && !(p.tokens[k].kind === 'punct' && (p.tokens[k].value === ',' || p.tokens[k].value === ')'))) {
    k = p.tokens[k].kind === 'punct' && p.tokens[k].value === '(' ? pastClosingParen(p.tokens, k) : k + 1;
  }
  p.seek(k);
}

function skipReference(p: Parser): void {
  p.objectName(3, 'referenced table');
  if (p.peek()?.value === '(') p.seek(pastClosingParen(p.tokens, p.position));
}
