import { sessionVariable } from '../../session-variables.js';
import { rewrite, type Node } from '../ast.js';
import type { TransformContext } from '../context.js';
import { expr, stringLiteral } from '../template.js';

/** Snowflake type → a template whose string literal the value fills (a bounded set, so templates stay cached). */
function typed(type: string, text: string): Node {
  if (type === 'VARCHAR' || type === 'TEXT') return stringLiteral(text);
  const json = type === 'VARIANT' || type === 'OBJECT' || type === 'ARRAY';
  const node = expr(json ? "PARSE_JSON('')" : `CAST('' AS ${/^[A-Z_]+$/.test(type) ? type : 'VARCHAR'})`);
  if (json) node.function.args[0] = stringLiteral(text);
  else node.cast.this = stringLiteral(text);
  return node;
}

/** `$name` → the session variable's value, as a literal of its type (SET evaluated it once). */
export function sessionVariables(ast: Node, tc: TransformContext): void {
  rewrite(ast, (node, kind) => {
    if (kind !== 'parameter') return undefined;
    const p = node.parameter;
    if (p.style !== 'Dollar' || typeof p.name !== 'string') return undefined;
    const { value, type } = sessionVariable(tc.session, p.name.toUpperCase());
    if (value === null || value === undefined) return expr('NULL');
    if (typeof value === 'boolean') return expr(value ? 'TRUE' : 'FALSE');
    if (typeof value === 'number') {
      const n = expr('0');
      n.literal.value = String(Math.abs(value));
      return value < 0 ? expr('-__0', n) : n;
    }
    return typed(type, typeof value === 'string' ? value : JSON.stringify(value));
  });
}
