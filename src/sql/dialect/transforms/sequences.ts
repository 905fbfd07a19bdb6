import { quoteTableName } from '../../../warehouse/index.js';
import { resolveTableName } from '../../identifiers.js';
import { kindOf, isIdent, rewrite, type Node } from '../ast.js';
import type { TransformContext } from '../context.js';
import { expr, stringLiteral } from '../template.js';
import { identValue } from './table-names.js';

/** The identifiers of `a.b.c` as the parser nests them (a column with a table, then field accesses), or null. */
export function nameChain(node: Node): string[] | null {
  const kind = kindOf(node);
  if (kind === 'column') {
    const { table, name } = node.column;
    if (!isIdent(name)) return null;
    return table ? (isIdent(table) ? [identValue(table), identValue(name)] : null) : [identValue(name)];
  }
  if (kind === 'dot' && isIdent(node.dot.field)) {
    const head = nameChain(node.dot.this);
    return head && [...head, identValue(node.dot.field)];
  }
  return null;
}

/**
 * `seq.nextval` (also `schema.seq.nextval`, `db.schema.seq.nextval`) → DuckDB's
 * `nextval('"DB"."SCHEMA"."SEQ"')`: the sequence resolves against the session like a table name.
 */
export function sequences(ast: Node, tc: TransformContext): void {
  rewrite(ast, (node) => nextvalOf(node, tc) ?? undefined);
}

/** The sequence a `seq.nextval` node names (one to three parts), or null for any other node. */
export function nextvalSequence(node: Node): string[] | null {
  const chain = nameChain(node);
  return chain && chain.length >= 2 && chain.length <= 4 && chain[chain.length - 1] === 'NEXTVAL' ? chain.slice(0, -1) : null;
}

function nextvalOf(node: Node, tc: TransformContext): Node | null {
  const parts = nextvalSequence(node);
  if (!parts) return null;
  const sequence = resolveTableName(parts, tc.session, tc.action);
  const call = expr("nextval('')");
  call.function.args[0] = stringLiteral(quoteTableName(sequence));
  return call;
}
