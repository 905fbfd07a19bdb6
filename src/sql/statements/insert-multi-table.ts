import { quoteTableName, type TableName } from '../../warehouse/index.js';
import type { ExecContext } from '../context.js';
import { compilation } from '../errors.js';
import { loadDialect, translate } from '../dialect/index.js';
import { resolveTableName } from '../identifiers.js';
import { Parser } from '../parser.js';
import { dmlResult } from '../results.js';
import type { StatementResult } from '../session.js';
import { closingParen, splitStatements, type Token } from '../tokens.js';
import { checkObjectPrivileges } from './privileges.js';
import { runTranslated } from './passthrough.js';

interface Into {
  readonly table: TableName;
  /** `t (a, b)` as written, and the VALUES list as written (or null: every column of the subquery). */
  readonly target: string;
  readonly values: string | null;
  /** The WHERE condition that picks this clause's rows from the subquery (null: every row). */
  readonly filter: string | null;
  /** The subquery's text. */
  readonly source: string;
}

/**
 * Snowflake's multi-table insert, `INSERT [OVERWRITE] ALL|FIRST [WHEN c THEN] INTO t [(cols)]
 * [VALUES (…)] … [ELSE INTO …] <subquery>`, as one ordinary INSERT … SELECT … FROM (<subquery>)
 * WHERE <which rows> per INTO clause. ALL inserts a row into every clause whose condition holds,
 * FIRST only into those of the first one; ELSE takes the rows no condition picked. Each INSERT is
 * checked and translated as if written so, and all run in one transaction (the session's own when
 * one is open). Null when the statement is not a multi-table insert.
 */
export async function insertMultiTable(ctx: ExecContext): Promise<StatementResult | null> {
  const p = new Parser(ctx.statement);
  p.expectWords('INSERT');
  const overwrite = p.acceptWords('OVERWRITE');
  const mode = p.acceptOneOf(['ALL', 'FIRST']);
  if (mode === null) return null;
  const intos = readClauses(ctx, p, mode === 'FIRST');
  await loadDialect();
  const own = ctx.session.inTransaction !== true;
  if (own) await ctx.conn.run('BEGIN TRANSACTION');
  try {
    if (overwrite) {
      for (const table of new Set(intos.map((i) => quoteTableName(i.table)))) {
        await ctx.conn.run(`DELETE FROM ${table}`);
      }
    }
    const counts: number[] = [];
    for (const into of intos) counts.push(await insertOne(ctx, into));
    if (own) await ctx.conn.run('COMMIT');
    const names = intos.map((i) => `number of rows inserted into ${i.table.name}`);
    return dmlResult(
      ctx.statement,
      names,
      counts,
      counts.reduce((a, b) => a + b, 0),
    );
  } catch (e) {
    if (own) await ctx.conn.run('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

/** The INTO clauses, each with the filter its WHEN/ELSE/FIRST position gives it; the subquery follows them. */
function readClauses(ctx: ExecContext, p: Parser, first: boolean): Into[] {
  const text = ctx.statement.text;
  const tokens = p.tokens;
  const conditions: string[] = [];
  const out: Omit<Into, 'source'>[] = [];
  const noneBefore = (): string | null =>
    conditions.length === 0 ? null : `NOT (${conditions.map((c) => `COALESCE((${c}), FALSE)`).join(' OR ')})`;
  let filter: string | null = null;
  let conditional = false;
  for (;;) {
    if (p.acceptWords('WHEN')) {
      conditional = true;
      const start = p.position;
      const then = skipTo(tokens, start, 'THEN');
      const condition = text.slice(tokens[start].start, tokens[then - 1].end);
      p.seek(then + 1);
      filter = first && conditions.length > 0 ? `(${condition}) AND ${noneBefore()}` : condition;
      conditions.push(condition);
    } else if (conditional && p.acceptWords('ELSE')) {
      filter = noneBefore();
    } else if (p.peek()?.value !== 'INTO') {
      break;
    }
    if (p.peek()?.value !== 'INTO') p.fail('INTO');
    while (p.acceptWords('INTO')) out.push(readInto(ctx, p, filter));
  }
  if (out.length === 0) p.fail('INTO or WHEN');
  const source = p.peek();
  if (!source || !['SELECT', 'WITH', '('].includes(source.value)) p.fail('a subquery (SELECT …)');
  const subquery = text.slice(source.start, tokens[tokens.length - 1].end);
  return out.map((o) => ({ ...o, source: subquery }));
}

function readInto(ctx: ExecContext, p: Parser, filter: string | null): Omit<Into, 'source'> {
  const tokens = p.tokens;
  const text = ctx.statement.text;
  const start = p.position;
  const table = resolveTableName(p.objectName(3, 'table name'), ctx.session, 'INSERT');
  if (p.peek()?.value === '(') p.seek(closing(tokens, p.position) + 1);
  const target = text.slice(tokens[start].start, tokens[p.position - 1].end);
  let values: string | null = null;
  if (p.acceptWords('VALUES')) {
    if (p.peek()?.value !== '(') p.fail('(');
    const open = p.position;
    const close = closing(tokens, open);
    values = text.slice(tokens[open + 1].start, tokens[close - 1].end);
    p.seek(close + 1);
  }
  return { table, target, values, filter };
}

async function insertOne(ctx: ExecContext, into: Into): Promise<number> {
  const where = into.filter === null ? '' : ` WHERE ${into.filter}`;
  const sql = `INSERT INTO ${into.target} SELECT ${into.values ?? '*'} FROM (${into.source}) AS rp_source${where}`;
  const [statement] = splitStatements(sql);
  const sub: ExecContext = { ...ctx, statement };
  const after = await checkObjectPrivileges(sub);
  const r = await runTranslated(sub, translate(sql, statement.tokens, sql, ctx.session, 'INSERT'));
  await after?.();
  return r.rowsChanged;
}

/** The index of the token closing the parenthesis at `open`. */
function closing(tokens: readonly Token[], open: number): number {
  const close = closingParen(tokens, open);
  if (close < 0) throw compilation('INVALID_ARGUMENT', 'syntax error: unbalanced parentheses in the multi-table INSERT');
  return close;
}

/** The index of `word` at nesting depth 0 (outside parentheses and CASE … END) from `from`. */
function skipTo(tokens: readonly Token[], from: number, word: string): number {
  let depth = 0;
  for (let j = from; j < tokens.length; j++) {
    const t = tokens[j];
    if (t.kind === 'punct' && t.value === '(') depth++;
    else if (t.kind === 'punct' && t.value === ')') depth--;
    else if (t.kind === 'word' && t.value === 'CASE') depth++;
    else if (t.kind === 'word' && t.value === 'END') depth--;
    else if (depth === 0 && t.kind === 'word' && t.value === word && j > from) return j;
  }
  throw compilation('INVALID_ARGUMENT', `syntax error: WHEN without ${word} in the multi-table INSERT`);
}
