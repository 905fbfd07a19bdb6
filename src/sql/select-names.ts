import { MAX_IDENTIFIER_LENGTH } from '../warehouse/index.js';
import { pastClosingParen, type Token } from './tokens.js';

/** Words that end a select list at its own depth. */
const LIST_END = new Set([
  'FROM',
  'WHERE',
  'GROUP',
  'HAVING',
  'QUALIFY',
  'ORDER',
  'LIMIT',
  'WINDOW',
  'UNION',
  'EXCEPT',
  'INTERSECT',
  'MINUS',
  'INTO',
  'OFFSET',
  'FETCH',
]);
/** Words that can end an expression, so they are not an implicit alias (`x IS NULL`, `CASE … END`). */
const EXPRESSION_END = new Set(['END', 'NULL', 'TRUE', 'FALSE']);

/**
 * Snowflake names an unaliased select-list expression after its text (`COUNT(*)`, `A + 1`,
 * `F.VALUE::INT`), where DuckDB would say `count_star()` or `(A + 1)`. For the statement's
 * outermost select list, the name Snowflake gives each item, or null where the item names
 * itself (a column, an alias, `*`). Null when the statement has no outer select list.
 */
export function selectItemNames(tokens: readonly Token[], text: string): (string | null)[] | null {
  let i = verbIndex(tokens);
  while (tokens[i]?.kind === 'punct' && tokens[i].value === '(') i++;
  if (!(tokens[i]?.kind === 'word' && tokens[i].value === 'SELECT')) return null;
  i++;
  while (tokens[i]?.kind === 'word' && (tokens[i].value === 'DISTINCT' || tokens[i].value === 'ALL')) i++;
  if (tokens[i]?.kind === 'word' && tokens[i].value === 'TOP') i += 2;
  const names: (string | null)[] = [];
  let start = i;
  let depth = 0;
  for (; i <= tokens.length; i++) {
    const t = tokens[i];
    if (t?.kind === 'punct' && (t.value === '(' || t.value === '[' || t.value === '{')) depth++;
    else if (t?.kind === 'punct' && (t.value === ')' || t.value === ']' || t.value === '}')) depth--;
    const ends = t === undefined || depth < 0 || (depth === 0 && t.kind === 'word' && LIST_END.has(t.value));
    if (ends || (depth === 0 && t.kind === 'punct' && t.value === ',')) {
      names.push(nameOf(tokens.slice(start, i), text));
      start = i + 1;
      if (ends) break;
    }
  }
  return names;
}

function nameOf(items: readonly Token[], text: string): string | null {
  if (items.length === 0 || !needsName(items)) return null;
  if (isNameChain(items)) return items[items.length - 1].value;
  return items
    .map(
      (t, k) =>
        (k === 0 ? '' : text.slice(items[k - 1].end, t.start).replace(/\s+/g, ' ')) +
        (t.kind === 'word' ? t.value : text.slice(t.start, t.end)),
    )
    .join('')
    .slice(0, MAX_IDENTIFIER_LENGTH);
}

function needsName(items: readonly Token[]): boolean {
  const last = items[items.length - 1];
  const before = items[items.length - 2];
  if (items.some((t, k) => t.value === '*' && (k === 0 || items[k - 1].value === '.'))) return false;
  // `seq.nextval` is a call once translated, still named NEXTVAL.
  if (isNameChain(items)) return items.length > 1 && last.kind === 'word' && last.value === 'NEXTVAL';
  if (before?.kind === 'word' && before.value === 'AS') return false;
  const lastIsName = last.kind === 'quoted' || (last.kind === 'word' && !EXPRESSION_END.has(last.value));
  const beforeEndsExpression =
    before !== undefined && (before.kind === 'punct' ? before.value === ')' || before.value === ']' : before.kind !== 'op');
  return !(lastIsName && beforeEndsExpression);
}

/** `a`, `t.a`, `db.s.t.a`: named by their last part, as in Snowflake (`$1` and `$var` are named as written). */
function isNameChain(items: readonly Token[]): boolean {
  return (
    items.every((t, k) =>
      k % 2 === 0 ? (t.kind === 'word' && !t.value.startsWith('$')) || t.kind === 'quoted' : t.kind === 'punct' && t.value === '.',
    ) && items.length % 2 === 1
  );
}

/**
 * Where the statement proper starts: 0, or the first token after `WITH [RECURSIVE] name [(cols)]
 * AS [NOT] [MATERIALIZED] (…), …`.
 */
export function verbIndex(tokens: readonly Token[]): number {
  if (tokens[0]?.value !== 'WITH' || tokens[0].kind !== 'word') return 0;
  let k = tokens[1]?.value === 'RECURSIVE' ? 2 : 1;
  for (;;) {
    while (
      k < tokens.length &&
      !(
        tokens[k].kind === 'punct' &&
        tokens[k].value === '(' &&
        tokens[k - 1]?.kind === 'word' &&
        /^(AS|MATERIALIZED)$/.test(tokens[k - 1].value)
      )
    ) {
      k = tokens[k].kind === 'punct' && tokens[k].value === '(' ? pastClosingParen(tokens, k) : k + 1;
    }
    k = pastClosingParen(tokens, k);
    if (!(tokens[k]?.kind === 'punct' && tokens[k].value === ',')) return Math.min(k, tokens.length);
    k++;
  }
}
