import { ident, kindOf, type Node } from '../ast.js';
import { quoteColumnLabel } from '../../../warehouse/index.js';
import type { TransformContext } from '../context.js';
import { spliceName } from '../splice.js';
import { expr } from '../template.js';

/** The outermost select of a query: the first branch of a UNION/EXCEPT/INTERSECT names the columns. */
function outerSelect(ast: Node): Node | null {
  let node: Node | undefined = ast;
  for (let guard = 0; node && guard < 50; guard++) {
    const kind = kindOf(node);
    if (kind === 'select') return node.select;
    if (kind === 'union' || kind === 'except' || kind === 'intersect') node = node[kind].left ?? node[kind].this;
    else if (kind === 'subquery' || kind === 'paren') node = node[kind].this;
    else return null;
  }
  return null;
}

/**
 * Gives the outer select list's unaliased expressions the names Snowflake gives them (their text,
 * computed from the tokens by select-names.ts), since DuckDB names them differently.
 */
export function columnNames(ast: Node, names: readonly (string | null)[] | null, tc: TransformContext): void {
  const select = names ? outerSelect(ast) : null;
  if (!select || !names || select.expressions.length !== names.length) return;
  select.expressions = select.expressions.map((e: Node, i: number) => {
    const name = names[i];
    if (name === null || kindOf(e) === 'alias' || kindOf(e) === 'star') return e;
    const aliased = expr('__0 AS x', e);
    // The name goes in after rendering: the parser's generator mis-quotes names that start with '"'.
    aliased.alias.alias = ident(spliceName(tc, quoteColumnLabel(name)));
    return aliased;
  });
}
