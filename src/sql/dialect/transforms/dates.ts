import { kindOf, lowerName, rewrite, type Node } from '../ast.js';
import { expr } from '../template.js';

const ADD_FUNCTIONS = new Set(['dateadd', 'timestampadd', 'date_add', 'timeadd']);

/**
 * DATEADD(part, n, x) renders as `x + INTERVAL n PART`, which DuckDB reads only when n is a
 * plain number: a negative or computed amount is parenthesised (`INTERVAL (-7) DAY`).
 */
export function dates(ast: Node): void {
  rewrite(ast, (node) => {
    const name = lowerName(node);
    if (name === null || !ADD_FUNCTIONS.has(name) || node.function.args.length !== 3) return undefined;
    const amount: Node = node.function.args[1];
    if (kindOf(amount) === 'literal' || kindOf(amount) === 'paren') return undefined;
    node.function.args[1] = expr('(__0)', amount);
    return node;
  });
}
