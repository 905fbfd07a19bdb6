import { visitObjects, isIdent, type Node } from '../ast.js';

/**
 * Snowflake stores unquoted identifiers upper case and DuckDB keeps them as written, so every
 * unquoted name becomes a quoted upper-case one: result columns are named as Snowflake names them
 * (`select a` → `A`). Named-argument names (`input =>`) are syntax, not identifiers.
 */
export function upperCaseIdentifiers(ast: Node): void {
  visitObjects(ast, (o, key, parent) => {
    if (!isIdent(o) || o.quoted) return;
    if (key === 'name' && parent && 'separator' in parent) return;
    o.name = o.name.toUpperCase();
    o.quoted = true;
  });
}
