import { compilation } from '../errors.js';
import type { Node } from './ast.js';
import type { TransformContext } from './context.js';
import { expr, fromItem } from './template.js';

/**
 * Some DuckDB SQL has no Snowflake spelling the parser could carry through rendering (`#1`
 * positional columns) or is too large to push through it (a kept result as VALUES). A transform
 * puts a marker name in its place; `applySplices` swaps the markers for the SQL after rendering.
 * A statement that itself spells a marker name is refused, so no user text can become one.
 */
const MARK = '__RECPIPE_SPLICE_';
const FOUND = /"?__RECPIPE_SPLICE_(\d+)"?/gi;

function marker(tc: TransformContext, sql: string): string {
  tc.splices.push(sql);
  return `${MARK}${tc.splices.length - 1}`;
}

/** An expression that renders as `sql`. */
export const spliceExpression = (tc: TransformContext, sql: string): Node => expr(marker(tc, sql));

/** A FROM item that renders as `sql` (a parenthesised subquery). */
export const spliceFromItem = (tc: TransformContext, sql: string): Node => fromItem(marker(tc, sql));

/** An identifier's text that renders as `sql` (a quoted name). */
export const spliceName = (tc: TransformContext, sql: string): string => marker(tc, sql);

export function refuseMarkers(sql: string): void {
  if (sql.toUpperCase().includes(MARK)) throw compilation('INVALID_ARGUMENT', `names starting with ${MARK} are reserved by recpipe`);
}

export function applySplices(rendered: string, splices: readonly string[]): string {
  return splices.length === 0 ? rendered : rendered.replace(FOUND, (_, n: string) => splices[Number(n)]);
}
