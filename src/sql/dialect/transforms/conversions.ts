import { lowerName, rewrite, type Node } from '../ast.js';
import { expr, stringLiteral } from '../template.js';
import { parseType } from '../../types.js';
import { tokenize } from '../../tokens.js';
import { strftimeFormat } from './datetime-formats.js';

/** Snowflake's text forms of TRUE and FALSE (casts of these strings to BOOLEAN). */
const BOOLEAN_TEXT: Record<string, boolean> = { true: true, t: true, yes: true, y: true, on: true, '1': true };
for (const f of ['false', 'f', 'no', 'n', 'off', '0']) BOOLEAN_TEXT[f] = false;

const isString = (n: Node): boolean => n?.literal?.literal_type === 'string';
const castTo = (kind: 'cast' | 'try_cast', value: Node, duckdbType: string): Node => {
  const node = expr(kind === 'cast' ? 'CAST(__0 AS INT)' : 'TRY_CAST(__0 AS INT)', value);
  node[kind].to = { data_type: 'custom', name: duckdbType };
  return node;
};

/**
 * Conversions as Snowflake does them, on the AST after types were mapped to DuckDB's (types.ts):
 * TO_NUMBER/TO_DECIMAL/TO_NUMERIC[(x, p, s)] and their TRY_ forms are casts to NUMBER(p,s); a string
 * of digits cast to a timestamp is seconds (or ms/µs/ns by magnitude) since the epoch; 'on', 'yes',
 * 'y' … cast to BOOLEAN; a UTC offset after a space (`10:00:00 +09:00`) is read; floats print
 * without a trailing `.0`; TRIM and TO_CHAR take any value; EQUAL_NULL compares NULLs as equal.
 */
export function conversions(ast: Node): void {
  rewrite(ast, (node, kind) => {
    switch (kind) {
      case 'to_number':
        return toNumber(node.to_number);
      case 'cast':
      case 'try_cast':
        return cast(node, kind);
      case 'trim':
        if (!isString(node.trim.this)) node.trim.this = castTo('cast', node.trim.this, 'VARCHAR');
        return node;
      case 'function':
        return functionCall(node);
      default:
        return undefined;
    }
  });
}

function toNumber(n: Node): Node {
  const arg = (v: Node | undefined, dflt: number): number => (v?.literal?.literal_type === 'number' ? Number(v.literal.value) : dflt);
  const type = parseType(tokenize(`NUMBER(${arg(n.precision, 38)},${arg(n.scale, 0)})`), 0).duckdb;
  return castTo(n.safe ? 'try_cast' : 'cast', n.this, type);
}

function cast(node: Node, kind: 'cast' | 'try_cast'): Node | undefined {
  const c = node[kind];
  const to: string | undefined = c.to?.data_type === 'custom' ? c.to.name : undefined;
  const value: Node = c.this;
  if (to === 'BOOLEAN' && isString(value)) {
    const b = BOOLEAN_TEXT[String(value.literal.value).trim().toLowerCase()];
    if (b !== undefined) return expr(b ? 'TRUE' : 'FALSE');
  }
  if ((to === 'TIMESTAMP' || to === 'TIMESTAMPTZ' || to === 'DATE') && isString(value)) {
    c.this = stringLiteral(timestampText(String(value.literal.value)));
    return node;
  }
  if (to === 'VARCHAR' && isFloat(value)) return expr('rp_float_text(__0)', value);
  return undefined;
}

const isFloat = (n: Node): boolean => {
  const c = n?.cast ?? n?.try_cast;
  return c?.to?.data_type === 'custom' && c.to.name === 'DOUBLE';
};

function functionCall(node: Node): Node | undefined {
  const args: Node[] = node.function.args;
  switch (lowerName(node)) {
    case 'equal_null':
      return args.length === 2 ? expr('(__0 IS NOT DISTINCT FROM __1)', args[0], args[1]) : undefined;
    case 'to_char':
    case 'to_varchar':
      if (args.length === 1) return castTo('cast', args[0], 'VARCHAR');
      if (args.length === 2 && isString(args[1]))
        return expr('strftime(__0, __1)', args[0], stringLiteral(strftimeFormat(args[1].literal.value)));
      return undefined;
    case 'to_timestamp_tz':
    case 'to_timestamp_ltz':
      if (args.length === 1 && isString(args[0])) args[0] = stringLiteral(timestampText(args[0].literal.value));
      return undefined;
    default:
      return undefined;
  }
}

/**
 * A timestamp string as DuckDB reads it: digits alone are an epoch (seconds below 31536000000,
 * then milliseconds, microseconds, nanoseconds, as Snowflake decides by magnitude), and a UTC
 * offset may follow a space.
 */
export function timestampText(text: string): string {
  const t = text.trim();
  if (/^-?\d+$/.test(t)) {
    const n = BigInt(t);
    const abs = n < 0n ? -n : n;
    const perSecond = abs < 31536000000n ? 1n : abs < 31536000000000n ? 1000n : abs < 31536000000000000n ? 1000000n : 1000000000n;
    const micros = (n * 1000000n) / perSecond;
    const ms = Number(micros / 1000n);
    const frac = String(((micros % 1000000n) + 1000000n) % 1000000n).padStart(6, '0');
    return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')}.${frac}`;
  }
  return t.replace(/\s+([+-]\d{2}):?(\d{2})$/, '$1:$2');
}
