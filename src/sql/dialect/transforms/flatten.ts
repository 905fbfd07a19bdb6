import { ident, kindOf, lowerName, rewrite, type Node } from '../ast.js';
import { fromItem, stringLiteral } from '../template.js';
import { jsonPath } from './semi-structured.js';
import { compilation } from '../../errors.js';

/**
 * FLATTEN as a FROM item — `lateral flatten(input => v, path => 'p')`, `table(flatten(v))` — becomes
 * the table macro rp_flatten(v, '$.p') (src/sql/functions.ts), which yields Snowflake's SEQ, KEY,
 * PATH, INDEX, VALUE and THIS columns from json_each; RECURSIVE => TRUE walks json_tree instead
 * (rp_flatten_recursive), OUTER => TRUE yields one row of NULLs for an empty input (rp_flatten_outer).
 */
export function flatten(ast: Node): void {
  const items = new WeakSet<Node>();
  rewrite(ast, (node, kind) => {
    let item: Node | undefined;
    if (kind === 'lateral' && lowerName(node.lateral.this) === 'flatten') {
      item = flattenItem(node.lateral.this, typeof node.lateral.alias === 'string' ? node.lateral.alias : null);
    } else if (isTableFlatten(node)) {
      item = flattenItem(node.function.args[0], null);
    } else if (kind === 'alias' && items.has(node.alias.this)) {
      // `table(flatten(…)) f`: the item built for the inner call takes the outer alias.
      const alias = node.alias.alias;
      setAlias(node.alias.this, alias.quoted ? alias.name : String(alias.name).toUpperCase());
      return node.alias.this;
    }
    if (item) items.add(item);
    return item;
  });
}

const isTableFlatten = (n: Node): boolean =>
  lowerName(n) === 'table' && n.function.args.length === 1 && lowerName(n.function.args[0]) === 'flatten';

function flattenItem(call: Node, alias: string | null): Node {
  const named = new Map<string, Node>();
  call.function.args.forEach((a: Node, i: number) => {
    if (kindOf(a) === 'named_argument') named.set(String(a.named_argument.name.name).toLowerCase(), a.named_argument.value);
    else named.set(['input', 'path', 'outer', 'recursive', 'mode'][i] ?? `arg${i}`, a);
  });
  const input = named.get('input');
  if (!input) throw compilation('INVALID_ARGUMENT', 'FLATTEN needs an INPUT argument');
  const outer = flag(named, 'outer');
  const recursive = flag(named, 'recursive');
  if (outer && recursive) throw compilation('INVALID_ARGUMENT', 'FLATTEN with both OUTER => TRUE and RECURSIVE => TRUE is not supported');
  const mode = named.get('mode');
  if (mode && String(mode.literal?.value ?? '').toUpperCase() !== 'BOTH')
    throw compilation('INVALID_ARGUMENT', 'FLATTEN with MODE other than BOTH is not supported');
  const macro = outer ? 'rp_flatten_outer' : recursive ? 'rp_flatten_recursive' : 'rp_flatten';
  const path = named.get('path');
  const item = fromItem(`${macro}(__0, __1) AS F`, input, stringLiteral(path ? jsonPath(path) : '$'));
  setAlias(item, alias === null ? 'FLATTEN' : alias.toUpperCase());
  return item;
}

/** A TRUE/FALSE option of FLATTEN; any other value is refused, naming the option. */
function flag(named: ReadonlyMap<string, Node>, name: string): boolean {
  const v = named.get(name);
  if (!v) return false;
  if (kindOf(v) === 'boolean') return v.boolean.value === true;
  throw compilation('INVALID_ARGUMENT', `FLATTEN's ${name.toUpperCase()} must be TRUE or FALSE`);
}

/** Sets the alias of a FROM item built from a template ending `AS F`. */
function setAlias(item: Node, name: string): void {
  const body = item[kindOf(item) ?? ''];
  if (body && 'alias' in body) body.alias = typeof body.alias === 'string' ? name : ident(name);
}
