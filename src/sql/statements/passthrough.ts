import type { RunResult } from '../../warehouse/index.js';
import type { ExecContext } from '../context.js';
import { compilation, objectMissing, snowflakeError } from '../errors.js';
import { SYSTEM_DATABASE } from '../identifiers.js';
import { EXECUTED, dmlResult, queryResult, statusResult } from '../results.js';
import type { StatementResult } from '../session.js';
import { loadDialect, translate, type TableRef, type Translation } from '../dialect/index.js';
import { verbIndex } from '../select-names.js';
import { snowflakeTypeName } from '../types.js';
import { retryingConflicts } from '../write-conflicts.js';
import { materializeInfoViews } from './information-schema.js';
import { checkExactNames } from './exact-names.js';

/** Statements DuckDB runs after translation, by their first word. */
export const PASSTHROUGH = new Set([
  'SELECT',
  'WITH',
  'VALUES',
  '(',
  'INSERT',
  'UPDATE',
  'DELETE',
  'MERGE',
  'TRUNCATE',
  'ALTER',
  'BEGIN',
  'START',
  'COMMIT',
  'ROLLBACK',
]);

/** SELECT, DML, ALTER TABLE and transaction control: translated and run as DuckDB SQL. */
export async function passThrough(ctx: ExecContext): Promise<StatementResult> {
  const { tokens, text } = ctx.statement;
  const verb = tokens[verbIndex(tokens)]?.value ?? '';
  const action = verb === '(' || verb === 'VALUES' ? 'SELECT' : verb;
  guardSystemCatalog(ctx, action);
  const control = await transactionControl(ctx, action);
  if (control) return control;
  await loadDialect();
  const tr = translate(text, tokens, text, ctx.session, action, ctx.parsed);
  const r = await runTranslated(ctx, tr);
  if (r.returnsRows)
    return queryResult(
      ctx.statement,
      r.columns.map((c) => ({ name: c.name, type: snowflakeTypeName(c.type) })),
      r.rows,
    );
  // DuckDB runs TRUNCATE as a DELETE; Snowflake reports it as a plain command.
  switch (action === 'TRUNCATE' ? action : r.statementType) {
    case 'INSERT':
      return dmlResult(ctx.statement, ['number of rows inserted'], [r.rowsChanged], r.rowsChanged);
    case 'UPDATE':
      return dmlResult(ctx.statement, ['number of rows updated', 'number of multi-joined rows updated'], [r.rowsChanged, 0], r.rowsChanged);
    case 'DELETE':
      return dmlResult(ctx.statement, ['number of rows deleted'], [r.rowsChanged], r.rowsChanged);
    default:
      return statusResult(ctx.statement, EXECUTED);
  }
}

/**
 * BEGIN / START TRANSACTION open a transaction that spans the session's statements and requests
 * (the executor keeps the session's connection while it is open); COMMIT and ROLLBACK end it.
 * As in Snowflake, BEGIN inside a transaction and COMMIT/ROLLBACK outside one do nothing.
 */
async function transactionControl(ctx: ExecContext, action: string): Promise<StatementResult | null> {
  const open = ctx.session.inTransaction === true;
  if (action === 'BEGIN' || action === 'START') {
    if (!open) await ctx.conn.run('BEGIN TRANSACTION');
    ctx.session.inTransaction = true;
    return statusResult(ctx.statement, EXECUTED);
  }
  if (action === 'COMMIT' || action === 'ROLLBACK') {
    if (open) {
      ctx.session.inTransaction = false;
      await ctx.conn.run(action);
    }
    return statusResult(ctx.statement, EXECUTED);
  }
  return null;
}

/**
 * Only queries may touch the system catalog. Beyond the resolved table references, any statement
 * that is not a query is refused when it names RECPIPE anywhere or runs with RECPIPE current, so
 * no statement form the translator does not recognise can write there either.
 */
function guardSystemCatalog(ctx: ExecContext, action: string): void {
  if (action === 'SELECT' || ['BEGIN', 'START', 'COMMIT', 'ROLLBACK'].includes(action)) return;
  const named = ctx.statement.tokens.some((t) => (t.kind === 'word' || t.kind === 'quoted') && t.value.toUpperCase() === SYSTEM_DATABASE);
  if (named || ctx.session.database?.toUpperCase() === SYSTEM_DATABASE) {
    throw compilation('PERMISSION_DENIED', `database ${SYSTEM_DATABASE} is recpipe's system catalog and is read-only.`);
  }
}

/** Checks the tables a translated statement touches, then runs it with its bound values. */
export async function runTranslated(ctx: ExecContext, tr: Translation): Promise<RunResult> {
  checkRefs(ctx, tr.refs);
  if (tr.params !== ctx.params.length) {
    throw compilation('INVALID_ARGUMENT', `the statement has ${tr.params} bind parameter(s) but ${ctx.params.length} value(s) were given`);
  }
  if (tr.infoViews && tr.infoViews.length > 0) await materializeInfoViews(ctx, tr.infoViews);
  await checkExactNames(ctx, tr.refs, tr.names);
  try {
    const run = (): Promise<RunResult> => ctx.conn.run(tr.sql, ctx.params);
    return await (ctx.session.inTransaction === true ? run() : retryingConflicts(ctx.warehouse, run));
  } catch (e) {
    throw snowflakeError(e, tr.refs);
  }
}

/** Every database named must exist; the system catalog may be read but never written. */
export function checkRefs(ctx: ExecContext, refs: readonly TableRef[]): void {
  for (const ref of refs) {
    const db = ref.table.database;
    if (db.toUpperCase() === SYSTEM_DATABASE) {
      if (ref.write) throw compilation('PERMISSION_DENIED', `database ${SYSTEM_DATABASE} is recpipe's system catalog and is read-only.`);
      continue;
    }
    if (!ctx.catalog.database(db)) throw objectMissing('Database', [db]);
  }
}
