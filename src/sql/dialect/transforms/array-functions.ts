import { rewrite, type Node } from '../ast.js';
import { expr } from '../template.js';

/**
 * Snowflake's ARRAY and OBJECT functions, and the predicates on variants, as the rp_* macros of
 * src/sql/functions.ts, which read recpipe's JSON arrays as lists: DuckDB's own list functions
 * (what the parser would render) do not take JSON. By name: the macro and how many arguments it takes.
 */
const MACROS: Record<string, readonly [string, number]> = {
  array_contains: ['rp_array_contains', 2],
  array_position: ['rp_array_position', 2],
  array_append: ['rp_array_append', 2],
  array_prepend: ['rp_array_prepend', 2],
  array_insert: ['rp_array_insert', 3],
  array_cat: ['rp_array_cat', 2],
  array_slice: ['rp_array_slice', 3],
  array_compact: ['rp_array_compact', 1],
  array_distinct: ['rp_array_distinct', 1],
  array_reverse: ['rp_array_reverse', 1],
  array_except: ['rp_array_except', 2],
  array_intersection: ['rp_array_intersection', 2],
  arrays_overlap: ['rp_arrays_overlap', 2],
  array_flatten: ['rp_array_flatten', 1],
  to_array: ['rp_to_array', 1],
  object_insert: ['rp_object_insert', 3],
  object_delete: ['rp_object_delete', 2],
  typeof: ['rp_typeof', 1],
};

/** IS_<type>(variant): the JSON types each Snowflake predicate accepts. */
const PREDICATES: Record<string, readonly string[]> = {
  is_array: ['ARRAY'],
  is_object: ['OBJECT'],
  is_integer: ['BIGINT', 'UBIGINT'],
  is_decimal: ['BIGINT', 'UBIGINT', 'DOUBLE'],
  is_double: ['BIGINT', 'UBIGINT', 'DOUBLE'],
  is_real: ['BIGINT', 'UBIGINT', 'DOUBLE'],
  is_varchar: ['VARCHAR'],
  is_char: ['VARCHAR'],
  is_boolean: ['BOOLEAN'],
};

/** A call's arguments, whether the parser kept it as a generic function or as its own node kind. */
function argsOf(node: Node, kind: string): Node[] {
  if (kind === 'function') return node.function.args;
  const body = node[kind];
  return [body.this, body.expression].filter((a): a is Node => a !== null && a !== undefined);
}

export function arrayFunctions(ast: Node): void {
  rewrite(ast, (node, kind) => {
    const name = kind === 'function' ? String(node.function.name).toLowerCase() : kind;
    const macro = MACROS[name];
    const types = PREDICATES[name];
    if (!macro && !types) return undefined;
    const args = argsOf(node, kind);
    if (types) {
      if (args.length !== 1) return undefined;
      return expr(`rp_json_type(__0) IN (${types.map((t) => `'${t}'`).join(', ')})`, args[0]);
    }
    const [target, arity] = macro;
    if (args.length !== arity) return undefined;
    return expr(`${target}(${args.map((_, i) => `__${i}`).join(', ')})`, ...args);
  });
}
