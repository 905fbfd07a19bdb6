import { closingParen, tokenize, type Token } from '../../tokens.js';

/** Structured types whose parameters recpipe drops: their values are JSON whatever the element types. */
const STRUCTURED = new Set(['OBJECT', 'ARRAY', 'MAP']);
const MAY_NAME_ONE = /\b(object|array|map)\s*\(/i;

/**
 * Snowflake's structured types (`ARRAY(VARCHAR)`, `OBJECT(a INT, b VARCHAR)`, `MAP(VARCHAR, INT)`)
 * are stored as recpipe's semi-structured JSON, so in a type position (after `::` or CAST's `AS`)
 * their parameters are dropped before parsing: the parser reads no `OBJECT(name type …)` field list.
 */
export function plainStructuredTypes(sql: string): string {
  if (!MAY_NAME_ONE.test(sql)) return sql;
  let tokens: Token[];
  try {
    tokens = tokenize(sql);
  } catch {
    return sql; // unterminated text: the parser reports it
  }
  let out = '';
  let from = 0;
  for (let i = 1; i + 1 < tokens.length; i++) {
    const t = tokens[i];
    const before = tokens[i - 1];
    const inTypePosition = before.value === '::' || (before.kind === 'word' && before.value === 'AS');
    if (t.kind !== 'word' || !STRUCTURED.has(t.value) || !inTypePosition || tokens[i + 1].value !== '(') continue;
    const close = closingParen(tokens, i + 1);
    if (close < 0) break;
    out += sql.slice(from, t.end);
    from = tokens[close].end;
    i = close;
  }
  return from === 0 ? sql : out + sql.slice(from);
}
