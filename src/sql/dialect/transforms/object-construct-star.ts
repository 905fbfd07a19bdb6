import { ident, isIdent, kindOf, lowerName, rewrite, visitObjects, type Node } from '../ast.js';
import { expr } from '../template.js';

const ROW_ALIAS = 'RP_ROW';

/**
 * OBJECT_CONSTRUCT(*) makes an object of the row's columns, named as the result names them and
 * without the NULL ones. DuckDB reads a FROM item's name as its row (a struct), so the call becomes
 * that row as JSON, its NULL members dropped (a JSON merge patch onto `{}` drops them). A subquery
 * without an alias gets one. Only a SELECT with one FROM item and no joins is rewritten.
 */
export function objectConstructStar(ast: Node): void {
  visitObjects(ast, (o, key) => {
    if (key !== 'select' || !o.from || o.from.expressions?.length !== 1 || (o.joins?.length ?? 0) > 0) return;
    if (!hasStarCall(o.expressions)) return;
    const row = rowName(o.from.expressions[0]);
    if (row === null) return;
    o.expressions = o.expressions.map((e: Node) =>
      rewrite(e, (node) => {
        const macro = starMacro(node);
        return macro ? expr(`${macro}(${quoteName(row)})`) : undefined;
      }),
    );
  });
}

/** OBJECT_CONSTRUCT[_KEEP_NULL](*): the macro that builds it from a row. */
function starMacro(node: Node): string | null {
  const name = lowerName(node);
  if (name !== 'object_construct' && name !== 'object_construct_keep_null') return null;
  const args: Node[] = node.function.args;
  if (args.length !== 1 || kindOf(args[0]) !== 'star') return null;
  return name === 'object_construct' ? 'rp_object_of_row' : 'rp_object_of_row_keep_null';
}

function hasStarCall(tree: unknown): boolean {
  let found = false;
  visitObjects(tree, (o) => {
    found ||= starMacro(o) !== null;
  });
  return found;
}

/** The name a FROM item's row goes by: its alias, its table name, or a new alias for a subquery. */
function rowName(item: Node): string | null {
  if (kindOf(item) === 'table') {
    const t = item.table;
    const name = isIdent(t.alias) ? t.alias : t.name;
    return isIdent(name) ? (name.quoted ? name.name : name.name.toUpperCase()) : null;
  }
  if (kindOf(item) === 'subquery') {
    if (!isIdent(item.subquery.alias)) item.subquery.alias = ident(ROW_ALIAS);
    const a = item.subquery.alias;
    return a.quoted ? a.name : a.name.toUpperCase();
  }
  return null;
}

const quoteName = (name: string): string => `"${name.replace(/"/g, '""')}"`;
