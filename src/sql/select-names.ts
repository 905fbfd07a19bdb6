import { MAX_IDENTIFIER_LENGTH, quoteIdent } from '../warehouse/index.js';
import type { Token } from './tokens.js';

/** Words that end a select list at its own depth. */
const LIST_END = new Set(['FROM', 'WHERE', 'GROUP', 'HAVING', 'QUALIFY', 'ORDER', 'LIMIT', 'WINDOW', 'UNION', 'EXCEPT', 'INTERSECT', 'MINUS', 'INTO', 'OFFSET', 'FETCH']);
/** Words that can end an expression, so they are not an implicit alias (`x IS NULL`, `CASE … END`). */
const EXPRESSION_END = new Set(['END', 'NULL', 'TRUE', 'FALSE']);

interface SelectList {
  readonly depth: number;
  itemStart: number;
}

/**
 * Snowflake names an unaliased select-list expression after its text (`COUNT(*)`, `A + 1`),
 * where DuckDB would say `count_star()` or `(A + 1)`. This tracks select lists while the
 * translator walks the tokens and supplies ` AS "<text>"` where Snowflake's name differs.
 */
export class SelectColumnNamer {
  private readonly lists: SelectList[] = [];

  constructor(
    private readonly tokens: readonly Token[],
    private readonly text: string,
  ) {}

  /** A SELECT keyword at token i opens a list at the current paren depth. */
  openList(i: number, depth: number): void {
    let start = i + 1;
    while (this.tokens[start]?.kind === 'word' && (this.tokens[start].value === 'DISTINCT' || this.tokens[start].value === 'ALL')) start++;
    this.lists.push({ depth, itemStart: start });
  }

  /** The alias to emit before token i (which may end the current item), or ''. */
  aliasBefore(i: number, depth: number): string {
    const list = this.lists[this.lists.length - 1];
    if (!list || i <= list.itemStart) return '';
    const t = this.tokens[i];
    const closesParen = t.kind === 'punct' && t.value === ')' && depth === list.depth;
    const atDepth = depth === list.depth;
    const comma = atDepth && t.kind === 'punct' && t.value === ',';
    const ends = closesParen || (atDepth && t.kind === 'word' && LIST_END.has(t.value));
    if (!comma && !ends) return '';
    const alias = this.alias(list.itemStart, i - 1);
    if (comma) list.itemStart = i + 1;
    else this.lists.pop();
    return alias;
  }

  /** The alias for the last item when the statement ends inside a select list. */
  finish(): string {
    const list = this.lists.pop();
    this.lists.length = 0;
    return list && list.itemStart < this.tokens.length ? this.alias(list.itemStart, this.tokens.length - 1) : '';
  }

  private alias(first: number, last: number): string {
    const items = this.tokens.slice(first, last + 1);
    if (items.length === 0 || !needsName(items)) return '';
    const name = items
      .map((t, k) => (k === 0 ? '' : this.text.slice(items[k - 1].end, t.start).replace(/\s+/g, ' ')) + (t.kind === 'word' ? t.value : this.text.slice(t.start, t.end)))
      .join('')
      .slice(0, MAX_IDENTIFIER_LENGTH);
    return ` AS ${quoteIdent(name)}`;
  }
}

function needsName(items: readonly Token[]): boolean {
  const last = items[items.length - 1];
  const before = items[items.length - 2];
  if (items.some((t, k) => t.value === '*' && (k === 0 || items[k - 1].value === '.'))) return false;
  if (isNameChain(items)) return false;
  if (before?.kind === 'word' && before.value === 'AS') return false;
  const lastIsName = last.kind === 'quoted' || (last.kind === 'word' && !EXPRESSION_END.has(last.value));
  const beforeEndsExpression = before !== undefined && (before.kind === 'punct' ? before.value === ')' || before.value === ']' : before.kind !== 'op');
  return !(lastIsName && beforeEndsExpression);
}

/** `a`, `t.a`, `db.s.t.a`: DuckDB already names these by their last part, as Snowflake does. */
function isNameChain(items: readonly Token[]): boolean {
  return items.every((t, k) => (k % 2 === 0 ? t.kind === 'word' || t.kind === 'quoted' : t.kind === 'punct' && t.value === '.')) && items.length % 2 === 1;
}
