import { kindOf, lowerName, rewrite, type Node } from '../ast.js';
import { expr, stringLiteral } from '../template.js';

/**
 * VARIANT, OBJECT and ARRAY values are JSON in recpipe. This rewrites Snowflake's ways of building
 * and reading them into the rp_* macros of src/sql/functions.ts:
 *   `v:a.b[0]`, `v['k']`, `v[0]`, GET, GET_PATH   → rp_get(v, '$."a"."b"[0]')  (JSON, NULL when missing)
 *   `x::varchar` of a variant or column           → rp_text(x)  (strings unquoted, as Snowflake casts)
 *   ARRAY_CONSTRUCT, `[…]`, OBJECT_CONSTRUCT, `{…}` → JSON arrays and objects
 *   ARRAY_SIZE, OBJECT_KEYS, SPLIT                 → their JSON forms
 */
export function semiStructured(ast: Node): void {
  const variants = new WeakSet<Node>();
  const variant = (node: Node): Node => {
    variants.add(node);
    return node;
  };
  rewrite(ast, (node, kind) => {
    switch (kind) {
      case 'j_s_o_n_extract':
        if (!node.j_s_o_n_extract.variant_extract) return undefined;
        return variant(get(node.j_s_o_n_extract.this, jsonPath(node.j_s_o_n_extract.expression)));
      case 'subscript': {
        const index = node.subscript.index;
        if (kindOf(index) !== 'literal') return undefined;
        const lit = index.literal;
        return variant(get(node.subscript.this, lit.literal_type === 'number' ? `$[${lit.value}]` : `$.${quoteKey(lit.value)}`));
      }
      case 'cast':
      case 'try_cast': {
        const c = node[kind];
        if (c.to?.data_type === 'custom' && c.to.name === 'VARCHAR' && (variants.has(c.this) || kindOf(c.this) === 'column'))
          return expr('rp_text(__0)', c.this);
        // A variant cast to a scalar type is read from its text: '"2024-01-02"'::date, 1748179630::timestamp (epoch seconds).
        if (variants.has(c.this) && c.to?.data_type === 'custom' && c.to.name === 'TIMESTAMP')
          return expr('to_timestamp_ntz(rp_text(__0))', c.this);
        if (variants.has(c.this) && c.to?.data_type === 'custom' && c.to.name !== 'JSON') c.this = expr('rp_text(__0)', c.this);
        return undefined;
      }
      case 'array_func':
        return variant(withArgs('rp_variant(list_value(__0))', node.array_func.expressions));
      case 'map_func':
        return variant(objectOf(zip(node.map_func.keys, node.map_func.values), false));
      case 'array_size':
        return expr('rp_array_size(__0)', node.array_size.this);
      case 'parse_json':
        return variant(expr('parse_json(__0)', node.parse_json.this));
      case 'aggregate_function':
        if (String(node.aggregate_function.name).toLowerCase() !== 'object_agg' || node.aggregate_function.args.length !== 2)
          return undefined;
        return variant(expr('rp_object_agg(__0, __1)', ...node.aggregate_function.args));
      case 'function':
        return functionCall(node, variants, variant);
      default:
        return undefined;
    }
  });
}

function functionCall(node: Node, variants: WeakSet<Node>, variant: (n: Node) => Node): Node | undefined {
  const args: Node[] = node.function.args;
  switch (lowerName(node)) {
    case 'array_construct':
      return variant(withArgs('rp_variant(list_value(__0))', args));
    case 'object_construct':
      return variant(objectOf(pairs(args), false));
    case 'object_construct_keep_null':
      return variant(objectOf(pairs(args), true));
    case 'get':
      if (args.length !== 2 || kindOf(args[1]) !== 'literal') return undefined;
      return variant(
        get(args[0], args[1].literal.literal_type === 'number' ? `$[${args[1].literal.value}]` : `$.${quoteKey(args[1].literal.value)}`),
      );
    case 'get_path':
      if (args.length !== 2 || kindOf(args[1]) !== 'literal') return undefined;
      return variant(get(args[0], jsonPath(args[1])));
    case 'object_keys':
      return variant(expr('rp_object_keys(__0)', args[0]));
    case 'split':
      return variant(withArgs('rp_variant(string_split(__0))', args));
    case 'to_variant':
      return args.length === 1 ? variant(expr('rp_variant(__0)', args[0])) : undefined;
    case 'try_parse_json':
      return variant(node);
    case 'array_to_string':
      return args.length === 2 ? expr('rp_array_to_string(__0, __1)', args[0], args[1]) : undefined;
    default:
      return variants.has(node) ? node : undefined;
  }
}

const get = (value: Node, path: string): Node => expr('rp_get(__0, __1)', value, stringLiteral(path));

/** `outer(inner(args…))` from a template `outer(inner(__0))`. */
function withArgs(template: string, args: readonly Node[]): Node {
  const node = expr(template, expr('1'));
  node.function.args[0].function.args = [...args];
  return node;
}

const zip = (keys: readonly Node[], values: readonly Node[]): [Node, Node][] => keys.map((k, i) => [k, values[i]]);

function pairs(args: readonly Node[]): [Node, Node][] {
  const out: [Node, Node][] = [];
  for (let i = 0; i + 1 < args.length; i += 2) out.push([args[i], args[i + 1]]);
  return out;
}

const isNull = (n: Node): boolean => Object.keys(n).length === 1 && 'null' in n;

/** OBJECT_CONSTRUCT drops pairs whose key or value is NULL; the _KEEP_NULL form keeps NULL values. */
function objectOf(entries: readonly [Node, Node][], keepNull: boolean): Node {
  const kept = entries.filter(([k, v]) => !isNull(k) && (keepNull || !isNull(v)));
  const node = expr('rp_variant(map(list_value(__0), list_value(__1)))', expr('1'), expr('1'));
  const [keys, values] = node.function.args[0].function.args;
  keys.function.args = kept.map(([k]) => k);
  values.function.args = kept.map(([, v]) => expr('rp_variant(__0)', v));
  return node;
}

function quoteKey(key: string): string {
  return `"${key.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Snowflake's path text (`a.b[0]`, `["a b"].c`, `a['k']`) as a DuckDB JSON path (`$."a"."b"[0]`). */
export function jsonPath(pathNode: Node): string {
  const text: string = pathNode?.literal?.value ?? '';
  let out = '$';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '.') {
      i++;
    } else if (c === '[') {
      const close = text.indexOf(']', i);
      const inner = text.slice(i + 1, close < 0 ? text.length : close).trim();
      i = close < 0 ? text.length : close + 1;
      if (/^\d+$/.test(inner)) out += `[${inner}]`;
      else out += `.${quoteKey(inner.replace(/^["'](.*)["']$/, '$1'))}`;
    } else if (c === '"') {
      const close = text.indexOf('"', i + 1);
      out += `.${quoteKey(text.slice(i + 1, close < 0 ? text.length : close))}`;
      i = close < 0 ? text.length : close + 1;
    } else {
      let j = i;
      while (j < text.length && text[j] !== '.' && text[j] !== '[') j++;
      out += `.${quoteKey(text.slice(i, j))}`;
      i = j;
    }
  }
  return out;
}
