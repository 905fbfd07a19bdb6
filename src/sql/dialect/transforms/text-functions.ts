import { lowerName, rewrite, type Node } from '../ast.js';
import { expr } from '../template.js';

/**
 * Text functions whose Snowflake meaning DuckDB spells differently or lacks:
 *   CONCAT(a, b …)            → a || b …  (NULL when any argument is NULL, where DuckDB's CONCAT skips it)
 *   x [I]LIKE ANY|ALL (p, …)  → x LIKE p OR|AND …
 *   REGEXP_SUBSTR(s, p, pos, occurrence, params, group) → the occurrence's group; 'e' means group 1, 'i' ignores case
 *   INITCAP, HEX_ENCODE, BITXOR → rp_* macros (src/sql/functions.ts)
 */
export function textFunctions(ast: Node): void {
  rewrite(ast, (node, kind) => {
    if ((kind === 'like' || kind === 'i_like') && node[kind].quantifier)
      return likeQuantified(node[kind], kind === 'like' ? 'LIKE' : 'ILIKE');
    if (kind === 'initcap' && node.initcap.this) return expr('rp_initcap(__0)', node.initcap.this);
    const args: Node[] = node.function?.args ?? [];
    switch (lowerName(node)) {
      case 'concat':
        return args.length > 1 ? expr(`(${args.map((_, i) => `__${i}`).join(' || ')})`, ...args) : undefined;
      case 'hex_encode':
        return args.length === 1 ? expr('rp_hex_encode(__0)', args[0]) : undefined;
      case 'bitxor':
        return args.length === 2 ? expr('rp_bitxor(__0, __1)', args[0], args[1]) : undefined;
      case 'regexp_substr':
        return args.length >= 3 ? regexpSubstr(args) : undefined;
      default:
        return undefined;
    }
  });
}

function likeQuantified(like: Node, op: string): Node | undefined {
  const right: Node = like.right;
  const patterns: Node[] = right.tuple?.expressions ?? (right.paren ? [right.paren.this] : []);
  if (patterns.length === 0 || like.escape) return undefined;
  const join = String(like.quantifier).toUpperCase() === 'ALL' ? ' AND ' : ' OR ';
  const terms = patterns.map((_, i) => `__0 ${op} __${i + 1}`);
  return expr(`(${terms.join(join)})`, like.left, ...patterns);
}

function regexpSubstr(args: readonly Node[]): Node | undefined {
  const [value, pattern, pos, occurrence, params, group] = args;
  const flags = params?.literal?.literal_type === 'string' ? String(params.literal.value) : params ? null : '';
  if (flags === null) return undefined;
  const grp = group ?? expr(flags.includes('e') ? '1' : '0');
  const re = flags.includes('i') ? expr("'(?i)' || __0", pattern) : pattern;
  return expr('rp_regexp_substr(__0, __1, __2, __3, __4)', value, re, pos, occurrence ?? expr('1'), grp);
}
