import type { ExecContext } from '../context.js';
import { autocommit } from '../session-parameters.js';
import { verbIndex } from '../select-names.js';

/** Statements that run as their own transaction in Snowflake, committing one the session has open first. */
const DDL = new Set(['CREATE', 'DROP', 'ALTER', 'UNDROP', 'GRANT', 'REVOKE', 'COMMENT']);
/** Statements that open a transaction when AUTOCOMMIT is off (DML and queries). */
const TRANSACTIONAL = new Set(['SELECT', 'WITH', 'VALUES', '(', 'INSERT', 'UPDATE', 'DELETE', 'MERGE', 'TRUNCATE', 'COPY']);

/**
 * Snowflake's transaction rules around a statement, applied before it runs: a DDL statement
 * commits the open transaction (DDL is never part of one), and with AUTOCOMMIT = FALSE the first
 * DML or query opens a transaction that lasts until COMMIT or ROLLBACK.
 */
export async function beginStatement(ctx: ExecContext): Promise<void> {
  const { tokens } = ctx.statement;
  const verb = tokens[0].kind === 'word' || tokens[0].value === '(' ? tokens[0].value : '';
  if (DDL.has(verb) && !(verb === 'ALTER' && tokens[1]?.value === 'SESSION')) {
    await commitOpenTransaction(ctx);
    return;
  }
  const action = tokens[verbIndex(tokens)]?.value ?? verb;
  if (TRANSACTIONAL.has(action) && ctx.session.inTransaction !== true && !autocommit(ctx.session)) {
    await ctx.conn.run('BEGIN TRANSACTION');
    ctx.session.inTransaction = true;
  }
}

export async function commitOpenTransaction(ctx: ExecContext): Promise<void> {
  if (ctx.session.inTransaction !== true) return;
  // Streams read in the transaction advance with its commit, implicit or not.
  await ctx.streams?.committing(ctx.conn, ctx.session.id);
  ctx.session.inTransaction = false;
  await ctx.conn.run('COMMIT');
}
