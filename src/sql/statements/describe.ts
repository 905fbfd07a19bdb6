import type { ExecContext } from '../context.js';
import { objectMissing } from '../errors.js';
import { resolveTableName } from '../identifiers.js';
import { Parser } from '../parser.js';
import { columnsOf, queryResult } from '../results.js';
import type { StatementResult } from '../session.js';
import { shownType } from '../types.js';
import { columnKey } from '../catalog.js';
import { describeFileFormat } from './file-format.js';
import { describeListing } from './listings.js';

/** DESCRIBE | DESC  TABLE name | VIEW name | FILE FORMAT name. */
export async function describe(ctx: ExecContext): Promise<StatementResult> {
  const p = new Parser(ctx.statement);
  p.expectOneOf(['DESCRIBE', 'DESC']);
  if (p.acceptWords('FILE', 'FORMAT')) return describeFileFormat(ctx, p);
  const listed = describeListing(ctx, p);
  if (listed) return listed;
  const kind = p.acceptOneOf(['TABLE', 'VIEW']);
  if (kind === null) {
    const kinds = ['TABLE', 'VIEW', 'FILE FORMAT', ...ctx.listings.map((l) => l.singular.join(' '))];
    return p.fail(`${kinds.join(', ')} (recpipe supports DESCRIBE ${kinds.join(' | ')})`);
  }
  const table = resolveTableName(p.objectName(3, 'table name'), ctx.session, 'DESCRIBE');
  p.expectEnd();
  const columns = await ctx.warehouse.tableColumns(table);
  if (columns === null) throw objectMissing(kind === 'TABLE' ? 'Table' : 'View', [table.database, table.schema, table.name]);
  const declared = await ctx.catalog.columnTypes(table.database, table);
  const rows = columns.map((c) => [
    c.name,
    shownType(c.type, declared.get(columnKey(table.schema, table.name, c.name))),
    'COLUMN',
    c.nullable ? 'Y' : 'N',
    c.defaultValue,
    'N',
    'N',
    null,
    null,
    null,
    null,
    null,
  ]);
  return queryResult(
    ctx.statement,
    columnsOf(
      'name',
      'type',
      'kind',
      'null?',
      'default',
      'primary key',
      'unique key',
      'check',
      'expression',
      'comment',
      'policy name',
      'privacy domain',
    ),
    rows,
  );
}
