import { rewrite, type Node } from '../ast.js';
import { expr } from '../template.js';

/** Aggregates that take only numbers (the parser's node kinds). */
const NUMERIC_AGGREGATES = new Set(['sum', 'avg', 'median', 'stddev', 'stddev_samp', 'stddev_pop', 'variance', 'var_samp', 'var_pop']);

/**
 * Snowflake casts text to a number where an aggregate needs one (`SUM(amount)` of a VARCHAR
 * column); DuckDB refuses. The argument goes through `rp_number` (src/sql/functions.ts), a macro
 * overloaded on its argument's type: VARCHAR is cast to DOUBLE, every other type passes unchanged,
 * so SUM of an integer stays an exact integer.
 */
export function numericText(ast: Node): void {
  rewrite(ast, (node, kind) => {
    if (!NUMERIC_AGGREGATES.has(kind) || !node[kind].this) return undefined;
    node[kind].this = expr('rp_number(__0)', node[kind].this);
    return node;
  });
}
