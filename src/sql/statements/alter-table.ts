import { quoteIdent, quoteTableName, type TableName } from '../../warehouse/index.js';
import type { ExecContext } from '../context.js';
import { compilation, objectMissing } from '../errors.js';
import { resolveTableName } from '../identifiers.js';
import { Parser } from '../parser.js';
import { pastClosingParen } from '../tokens.js';
import { EXECUTED, statusResult } from '../results.js';
import type { StatementResult } from '../session.js';
import { parseType } from '../types.js';
import { runTranslated } from './passthrough.js';
import { requireTablePrivileges } from './privileges.js';
import { sqlString } from './table-shape.js';

/**
 * ALTER TABLE [IF EXISTS] name
 *   RENAME TO new | SWAP WITH other
 *   | ADD [COLUMN] [IF NOT EXISTS] col type [NOT NULL] [DEFAULT …] [COMMENT '…'] [, …]
 *   | DROP [COLUMN] [IF EXISTS] col [, …] | RENAME COLUMN a TO b
 *   | ALTER | MODIFY [COLUMN] col SET DATA TYPE type | [SET] NOT NULL | DROP NOT NULL | COMMENT '…' [, [COLUMN] col …]
 *   | SET COMMENT = '…' | UNSET COMMENT | CLUSTER BY (…) | DROP CLUSTERING KEY | SET / UNSET other properties
 * Declared types follow the table and its columns in the catalog.
 */
export async function alterTable(ctx: ExecContext): Promise<StatementResult> {
  const p = new Parser(ctx.statement);
  p.expectWords('ALTER', 'TABLE');
  const ifExists = p.acceptWords('IF', 'EXISTS');
  const table = resolveTableName(p.objectName(3, 'table name'), ctx.session, 'ALTER TABLE');
  const columns = await ctx.warehouse.tableColumns(table);
  if (columns === null) {
    if (ifExists) return statusResult(ctx.statement, EXECUTED);
    throw objectMissing('Table', [table.database, table.schema, table.name]);
  }
  const run = (sql: string, also: TableName[] = []) =>
    runTranslated(ctx, { sql, refs: [table, ...also].map((t) => ({ table: t, write: true })), params: 0 });
  const q = quoteTableName(table);
  const declared = await ctx.catalog.columnTypes(table.database, table);
  const types = new Map([...declared].map(([k, v]) => [k.split('.').pop() ?? k, v]));
  const save = () => ctx.catalog.setColumnTypes(table, types.size > 0 ? [...types] : null);
  if (p.acceptWords('RENAME', 'TO')) {
    const to = resolveTableName(p.objectName(3, 'table name'), ctx.session, 'ALTER TABLE');
    p.expectEnd();
    if (to.database.toUpperCase() !== table.database.toUpperCase() || to.schema.toUpperCase() !== table.schema.toUpperCase()) {
      throw compilation('INVALID_ARGUMENT', 'recpipe renames a table only within its schema');
    }
    await run(`ALTER TABLE ${q} RENAME TO ${quoteIdent(to.name)}`, [to]);
    await ctx.catalog.renameColumnTypes(table, to);
    return statusResult(ctx.statement, EXECUTED);
  }
  if (p.acceptWords('SET')) {
    const opts = p.options();
    p.expectEnd();
    const comment = opts.get('COMMENT');
    if (typeof comment === 'string') await run(`COMMENT ON TABLE ${q} IS ${sqlString(comment)}`);
    return statusResult(ctx.statement, EXECUTED);
  }
  if (p.acceptWords('UNSET')) {
    if (p.acceptWords('COMMENT')) await run(`COMMENT ON TABLE ${q} IS NULL`);
    return statusResult(ctx.statement, EXECUTED);
  }
  if (p.acceptWords('CLUSTER', 'BY')) {
    if (p.peek()?.value !== '(') p.fail("'(' after CLUSTER BY");
    p.seek(pastClosingParen(p.tokens, p.position));
    p.expectEnd();
    return statusResult(ctx.statement, EXECUTED);
  }
  if (p.acceptWords('DROP', 'CLUSTERING', 'KEY')) return statusResult(ctx.statement, EXECUTED);
  if (p.acceptWords('RENAME', 'COLUMN')) {
    const from = p.identifier('column name');
    p.expectWords('TO');
    const to = p.identifier('column name');
    p.expectEnd();
    await run(`ALTER TABLE ${q} RENAME COLUMN ${quoteIdent(from)} TO ${quoteIdent(to)}`);
    moveType(types, from, to);
    await save();
    return statusResult(ctx.statement, EXECUTED);
  }
  if (p.acceptWords('ADD')) {
    do {
      p.acceptWords('COLUMN');
      const ifNot = p.acceptWords('IF', 'NOT', 'EXISTS');
      const name = p.identifier('column name');
      const type = parseType(p.tokens, p.position);
      p.seek(type.next);
      const parts = [`ADD COLUMN ${ifNot ? 'IF NOT EXISTS ' : ''}${quoteIdent(name)} ${type.duckdb}`];
      let comment: string | null = null;
      for (;;) {
        if (p.acceptWords('NOT', 'NULL')) parts.push('NOT NULL');
        else if (p.acceptWords('NULL')) continue;
        else if (p.acceptWords('COMMENT')) comment = p.string('column comment');
        else if (p.acceptWords('DEFAULT')) parts.push(`DEFAULT ${literal(p)}`);
        else break;
      }
      await run(`ALTER TABLE ${q} ${parts.join(' ')}`);
      if (comment !== null) await run(`COMMENT ON COLUMN ${q}.${quoteIdent(name)} IS ${sqlString(comment)}`);
      types.set(name.toUpperCase(), type.declared);
    } while (p.acceptPunct(','));
    p.expectEnd();
    await save();
    return statusResult(ctx.statement, EXECUTED);
  }
  if (p.acceptWords('DROP')) {
    do {
      p.acceptWords('COLUMN');
      const ifThere = p.acceptWords('IF', 'EXISTS');
      const name = p.identifier('column name');
      await run(`ALTER TABLE ${q} DROP COLUMN ${ifThere ? 'IF EXISTS ' : ''}${quoteIdent(name)}`);
      types.delete(name.toUpperCase());
    } while (p.acceptPunct(','));
    p.expectEnd();
    await save();
    return statusResult(ctx.statement, EXECUTED);
  }
  if (p.acceptOneOf(['ALTER', 'MODIFY'])) {
    do {
      p.acceptWords('COLUMN');
      const name = p.identifier('column name');
      const c = `ALTER TABLE ${q} ALTER COLUMN ${quoteIdent(name)}`;
      if (p.acceptWords('SET', 'DATA', 'TYPE') || p.acceptWords('TYPE')) {
        const type = parseType(p.tokens, p.position);
        p.seek(type.next);
        await run(`${c} SET DATA TYPE ${type.duckdb}`);
        types.set(name.toUpperCase(), type.declared);
      } else if (p.acceptWords('DROP', 'NOT', 'NULL')) await run(`${c} DROP NOT NULL`);
      else if (p.acceptWords('SET', 'NOT', 'NULL') || p.acceptWords('NOT', 'NULL')) await run(`${c} SET NOT NULL`);
      else if (p.acceptWords('DROP', 'DEFAULT')) await run(`${c} DROP DEFAULT`);
      else if (p.acceptWords('COMMENT'))
        await run(`COMMENT ON COLUMN ${q}.${quoteIdent(name)} IS ${sqlString(p.string('column comment'))}`);
      else if (p.acceptWords('UNSET', 'COMMENT')) await run(`COMMENT ON COLUMN ${q}.${quoteIdent(name)} IS NULL`);
      else p.fail('SET DATA TYPE, DROP NOT NULL, SET NOT NULL, DROP DEFAULT or COMMENT');
    } while (p.acceptPunct(','));
    p.expectEnd();
    await save();
    return statusResult(ctx.statement, EXECUTED);
  }
  return p.fail('RENAME TO, ADD, DROP, RENAME COLUMN, ALTER COLUMN, SET, UNSET or CLUSTER BY');
}

function moveType(types: Map<string, string>, from: string, to: string): void {
  const t = types.get(from.toUpperCase());
  types.delete(from.toUpperCase());
  if (t !== undefined) types.set(to.toUpperCase(), t);
}

/** A DEFAULT of ADD COLUMN: a constant (string, number, TRUE/FALSE/NULL). */
function literal(p: Parser): string {
  const v = p.value();
  if (typeof v === 'string') return sqlString(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v).toUpperCase();
  if (v === null) return 'NULL';
  return p.fail('a constant DEFAULT');
}

/** COMMENT [IF EXISTS] ON TABLE | VIEW | COLUMN name IS '…'. */
export async function commentOn(ctx: ExecContext): Promise<StatementResult> {
  const p = new Parser(ctx.statement);
  p.expectWords('COMMENT');
  const ifExists = p.acceptWords('IF', 'EXISTS');
  p.expectWords('ON');
  const kind = p.expectOneOf(['TABLE', 'VIEW', 'COLUMN']);
  const parts = p.objectName(kind === 'COLUMN' ? 4 : 3, `${kind.toLowerCase()} name`);
  p.expectWords('IS');
  const text = p.string('comment');
  p.expectEnd();
  const column = kind === 'COLUMN' ? parts.pop() : undefined;
  if (kind === 'COLUMN' && parts.length === 0) p.fail('table.column');
  const table = resolveTableName(parts, ctx.session, 'COMMENT');
  requireTablePrivileges(ctx, [table.database, table.schema, table.name], ['OWNERSHIP']);
  const columns = await ctx.warehouse.tableColumns(table);
  if (columns === null) {
    if (ifExists) return statusResult(ctx.statement, EXECUTED);
    throw objectMissing(kind === 'VIEW' ? 'View' : 'Table', [table.database, table.schema, table.name]);
  }
  if (column !== undefined && !columns.some((c) => c.name.toUpperCase() === column.toUpperCase())) {
    throw compilation('INVALID_ARGUMENT', `invalid identifier '${column}'`);
  }
  const target =
    column === undefined
      ? `${kind === 'VIEW' ? 'VIEW' : 'TABLE'} ${quoteTableName(table)}`
      : `COLUMN ${quoteTableName(table)}.${quoteIdent(column)}`;
  await runTranslated(ctx, { sql: `COMMENT ON ${target} IS ${sqlString(text)}`, refs: [{ table, write: true }], params: 0 });
  return statusResult(ctx.statement, EXECUTED);
}

/** TRUNCATE [TABLE] IF EXISTS name (a missing table is no error); null for other TRUNCATE forms, which DuckDB runs. */
export async function truncateIfExists(ctx: ExecContext): Promise<StatementResult | null> {
  const p = new Parser(ctx.statement);
  p.expectWords('TRUNCATE');
  p.acceptWords('TABLE');
  if (!p.acceptWords('IF', 'EXISTS')) return null;
  const table = resolveTableName(p.objectName(3, 'table name'), ctx.session, 'TRUNCATE');
  p.expectEnd();
  if ((await ctx.warehouse.tableColumns(table)) === null) return statusResult(ctx.statement, EXECUTED);
  await runTranslated(ctx, { sql: `TRUNCATE ${quoteTableName(table)}`, refs: [{ table, write: true }], params: 0 });
  return statusResult(ctx.statement, EXECUTED);
}
