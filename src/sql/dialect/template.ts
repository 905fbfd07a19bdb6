import { rewrite, type Node } from './ast.js';
import { SNOWFLAKE, sdk } from './polyglot.js';

const cache = new Map<string, Node>();

function parsed(sql: string): Node {
  let ast = cache.get(sql);
  if (!ast) {
    const r = sdk().parse(sql, SNOWFLAKE);
    if (!r.success || !r.ast) throw new Error(`bad dialect template ${sql}: ${r.error}`);
    ast = (r.ast as Node[])[0];
    cache.set(sql, ast);
  }
  return structuredClone(ast);
}

/** Puts `args[n]` where the template has a bare column `__n`. */
function fill(tree: Node, args: readonly Node[]): Node {
  return rewrite(tree, (node, kind) => {
    if (kind !== 'column' || node.column.table) return undefined;
    const m = /^__(\d+)$/.exec(node.column.name.name);
    return m ? args[Number(m[1])] : undefined;
  });
}

/**
 * Builds an expression from Snowflake SQL text with placeholders `__0`, `__1` … standing for
 * subtrees: `expr("json_extract(__0, '$.a')", node)`. The parser fills every field its AST
 * requires, which hand-built nodes would have to repeat. Templates are parsed once.
 */
export function expr(sql: string, ...args: Node[]): Node {
  return fill(parsed(`SELECT ${sql}`).select.expressions[0], args);
}

/** A FROM item (table, subquery, table function) from a template, as `expr` builds expressions. */
export function fromItem(sql: string, ...args: Node[]): Node {
  return fill(parsed(`SELECT * FROM ${sql}`).select.from.expressions[0], args);
}

/** A string literal node. */
export function stringLiteral(value: string): Node {
  const node = expr("''");
  node.literal.value = value;
  return node;
}
