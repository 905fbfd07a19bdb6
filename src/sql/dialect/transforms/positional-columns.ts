import { rewrite, type Node } from '../ast.js';
import type { TransformContext } from '../context.js';
import { spliceExpression } from '../splice.js';

/**
 * `$1`, `$2` … (Snowflake's positional columns of the FROM clause: VALUES, RESULT_SCAN, a subquery)
 * → DuckDB's `#1`, `#2`. Session variables (`$name`) were replaced before parsing.
 */
export function positionalColumns(ast: Node, tc: TransformContext): void {
  rewrite(ast, (node, kind) => {
    if (kind !== 'parameter') return undefined;
    const p = node.parameter;
    if (p.style !== 'Dollar' || typeof p.index !== 'number' || p.name !== null) return undefined;
    return spliceExpression(tc, `#${p.index}`);
  });
}
