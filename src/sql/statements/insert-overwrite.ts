import { quoteTableName } from '../../warehouse/index.js';
import type { ExecContext } from '../context.js';
import { loadDialect, translate } from '../dialect/index.js';
import { Parser } from '../parser.js';
import { dmlResult } from '../results.js';
import type { StatementResult } from '../session.js';
import { resolveTableName } from '../identifiers.js';
import { runTranslated } from './passthrough.js';
import { insertMultiTable } from './insert-multi-table.js';

/**
 * INSERT OVERWRITE INTO t … : Snowflake empties the table and inserts, as one statement. Here the
 * delete and the insert run in one transaction (the session's own, when one is open), so a failing
 * insert leaves the table as it was. Multi-table inserts (`INSERT [OVERWRITE] ALL|FIRST`) are
 * insert-multi-table.ts's. Null for other INSERT forms.
 */
export async function insertOverwrite(ctx: ExecContext): Promise<StatementResult | null> {
  const multi = await insertMultiTable(ctx);
  if (multi) return multi;
  const p = new Parser(ctx.statement);
  p.expectWords('INSERT');
  if (!p.acceptWords('OVERWRITE')) return null;
  const into = p.peek();
  p.expectWords('INTO');
  const table = resolveTableName(p.objectName(3, 'table name'), ctx.session, 'INSERT');
  await loadDialect();
  const tr = translate(`INSERT ${ctx.statement.text.slice(into!.start)}`, [], '', ctx.session, 'INSERT');
  const own = ctx.session.inTransaction !== true;
  if (own) await ctx.conn.run('BEGIN TRANSACTION');
  try {
    await runTranslated(ctx, { sql: `DELETE FROM ${quoteTableName(table)}`, refs: [{ table, write: true }], params: 0 });
    const r = await runTranslated(ctx, tr);
    if (own) await ctx.conn.run('COMMIT');
    return dmlResult(ctx.statement, ['number of rows inserted'], [r.rowsChanged], r.rowsChanged);
  } catch (e) {
    if (own) await ctx.conn.run('ROLLBACK').catch(() => undefined);
    throw e;
  }
}
