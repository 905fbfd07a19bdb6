import { quoteIdent, quoteTableName, stringLiteral, type TableName } from '../warehouse/index.js';
import { identifierOf, resolveTableName, type NameContext } from './identifiers.js';
import { SelectColumnNamer } from './select-names.js';
import type { Token } from './tokens.js';
import { parseType } from './types.js';

/** A table the statement reads or writes, resolved to its full name. */
export interface TableRef {
  readonly table: TableName;
  readonly write: boolean;
}

export interface Translation {
  readonly sql: string;
  readonly refs: readonly TableRef[];
  readonly params: number;
}

/** Keywords that end a FROM list (a ',' after them no longer separates tables). */
const CLAUSE_END = new Set([
  'WHERE', 'GROUP', 'HAVING', 'QUALIFY', 'ORDER', 'LIMIT', 'UNION', 'EXCEPT', 'INTERSECT', 'MINUS', 'WINDOW',
  'SET', 'RETURNING', 'OFFSET', 'FETCH', 'SELECT', 'VALUES',
]);
/** Functions whose argument syntax uses FROM (`EXTRACT(year FROM ts)`). */
const FROM_FUNCTIONS = new Set(['EXTRACT', 'TRIM', 'SUBSTRING', 'SUBSTR', 'OVERLAY', 'POSITION']);
const CASTS = new Set(['CAST', 'TRY_CAST']);
/** Snowflake's context functions, answered from the session (DuckDB knows no roles or warehouses). */
const CONTEXT_FUNCTIONS: Record<string, keyof SessionContext> = {
  CURRENT_ROLE: 'role',
  CURRENT_WAREHOUSE: 'warehouse',
  CURRENT_DATABASE: 'database',
  CURRENT_SCHEMA: 'schema',
};

/** What a statement is translated for: the session's current objects. */
export interface SessionContext extends NameContext {
  readonly role: string;
  readonly warehouse: string | null;
}

/**
 * Rewrites a Snowflake statement for DuckDB token by token: table names in table positions become
 * fully qualified quoted names resolved against the session, types in type positions (`::T`,
 * `CAST(x AS T)`, `ADD COLUMN c T`) become DuckDB types, unquoted words keep Snowflake's upper
 * case (DuckDB is case-insensitive but preserves case, so results show Snowflake's names), quoted
 * identifiers and strings are re-quoted for DuckDB, and unaliased select expressions get
 * Snowflake's column names. Whitespace and line breaks are kept.
 */
export function translate(tokens: readonly Token[], text: string, ctx: SessionContext, action: string): Translation {
  return new Translator(tokens, text, ctx, action).run();
}

class Translator {
  private readonly out: string[] = [];
  private readonly refs: TableRef[] = [];
  private readonly ctes: Set<string>;
  private readonly parens: (string | null)[] = [];
  private readonly namer: SelectColumnNamer;
  /** Paren depths whose FROM list is open: a ',' there starts another table. */
  private readonly fromLists = new Set<number>();
  private params = 0;

  /** Index of the statement's verb (SELECT, INSERT, DELETE …), after any WITH clause. */
  private readonly verb: number;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly text: string,
    private readonly ctx: SessionContext,
    private readonly action: string,
  ) {
    this.ctes = cteNames(tokens);
    this.verb = verbIndex(tokens);
    this.namer = new SelectColumnNamer(tokens, text);
  }

  run(): Translation {
    let i = 0;
    while (i < this.tokens.length) i = this.step(i);
    this.out.push(this.namer.finish());
    return { sql: this.out.join(''), refs: this.refs, params: this.params };
  }

  private step(i: number): number {
    const t = this.tokens[i];
    const prev = this.tokens[i - 1];
    this.out.push(this.namer.aliasBefore(i, this.parens.length));
    if (t.kind === 'punct' && t.value === '(') {
      this.parens.push(prev?.kind === 'word' ? prev.value : null);
      return this.emit(i, '(');
    }
    if (t.kind === 'punct' && t.value === ')') {
      this.fromLists.delete(this.parens.length);
      this.parens.pop();
      return this.emit(i, ')');
    }
    if (t.kind === 'punct' && t.value === ',' && this.fromLists.has(this.parens.length)) {
      return this.tableRef(this.emit(i, ','), false);
    }
    if (t.kind === 'op' && t.value === '::') return this.type(this.emit(i, '::'));
    if (this.isAddedColumn(i, prev)) return this.type(this.emit(i, this.render(t)));
    if (t.kind === 'word') return this.word(i, prev);
    return this.emit(i, this.render(t));
  }

  private word(i: number, prev: Token | undefined): number {
    const v = this.tokens[i].value;
    const first = this.tokens[this.verb]?.value;
    const at = i - this.verb;
    const depth = this.parens.length;
    if (CLAUSE_END.has(v)) this.fromLists.delete(depth);
    if (v === 'SELECT') this.namer.openList(i, depth);
    if (CONTEXT_FUNCTIONS[v] && this.tokens[i + 1]?.value === '(' && this.tokens[i + 2]?.value === ')') {
      const value = this.ctx[CONTEXT_FUNCTIONS[v]];
      this.gap(i);
      this.out.push(value === null ? 'NULL' : stringLiteral(value));
      return i + 3;
    }
    if (v === 'AS' && CASTS.has(this.parens[depth - 1] ?? '')) return this.type(this.emit(i, v));
    if (v === 'FROM' && prev?.value !== 'DISTINCT' && !FROM_FUNCTIONS.has(this.parens[depth - 1] ?? '')) {
      const write = first === 'DELETE' && at === 1;
      const next = this.tableRef(this.emit(i, v), write);
      if (!write) this.fromLists.add(depth);
      return next;
    }
    if (v === 'JOIN') return this.tableRef(this.emit(i, v), false);
    if (v === 'USING' && first === 'DELETE') return this.tableRef(this.emit(i, v), false);
    if (v === 'INTO' || (v === 'UPDATE' && at === 0)) return this.tableRef(this.emit(i, v), true);
    if (v === 'TABLE' && (first === 'ALTER' || first === 'TRUNCATE') && at === 1) return this.tableRef(this.emit(i, v), true);
    if (v === 'TRUNCATE' && at === 0 && this.tokens[i + 1]?.value !== 'TABLE') return this.tableRef(this.emit(i, v), true);
    if (first === 'ALTER' && v === 'TYPE') return this.type(this.emit(i, v));
    return this.emit(i, v);
  }

  /** The column name of `ALTER TABLE … ADD [COLUMN] name type`, which a type follows. */
  private isAddedColumn(i: number, prev: Token | undefined): boolean {
    if (this.tokens[0].value !== 'ALTER' || identifierOf(this.tokens[i]) === null) return false;
    return prev?.value === 'ADD' ? this.tokens[i].value !== 'COLUMN' : prev?.value === 'COLUMN' && this.tokens[i - 2]?.value === 'ADD';
  }

  /** A table reference at `i`: a name is resolved and rewritten; a subquery, table function or CTE name is left to the walk. */
  private tableRef(i: number, write: boolean): number {
    if (this.tokens[i]?.kind === 'word' && this.tokens[i].value === 'LATERAL') return i;
    const parts: string[] = [];
    let k = i;
    for (;;) {
      const id = identifierOf(this.tokens[k]);
      if (id === null) return i;
      parts.push(id);
      const dot = this.tokens[k + 1];
      if (!(dot?.kind === 'punct' && dot.value === '.')) break;
      k += 2;
    }
    const after = this.tokens[k + 1];
    if (after?.kind === 'punct' && after.value === '(' && !write) return i;
    if (parts.length > 3) return i;
    if (parts.length === 1 && this.ctes.has(parts[0])) return i;
    const table = resolveTableName(parts, this.ctx, this.action);
    this.refs.push({ table, write });
    this.gap(i);
    this.out.push(quoteTableName(table));
    return k + 1;
  }

  private type(i: number): number {
    if (this.tokens[i]?.kind !== 'word') return i;
    const parsed = parseType(this.tokens, i);
    this.gap(i);
    this.out.push(parsed.duckdb);
    return parsed.next;
  }

  private render(t: Token): string {
    switch (t.kind) {
      case 'quoted':
        return quoteIdent(t.value);
      case 'string':
        return stringLiteral(t.value);
      case 'param':
        this.params++;
        return '?';
      default:
        return t.value;
    }
  }

  private emit(i: number, text: string): number {
    this.gap(i);
    this.out.push(text);
    return i + 1;
  }

  /** The original whitespace before token i; comments become spaces so DuckDB's line numbers still match. */
  private gap(i: number): void {
    if (i === 0) return;
    const between = this.text.slice(this.tokens[i - 1].end, this.tokens[i].start);
    this.out.push(between.length === 0 ? '' : between.replace(/[^\n]/g, ' ').replace(/ +/g, ' '));
  }
}

/**
 * Where the statement proper starts: 0, or the first token after `WITH [RECURSIVE] name [(cols)]
 * AS [NOT] [MATERIALIZED] (…), …`.
 */
export function verbIndex(tokens: readonly Token[]): number {
  if (tokens[0]?.value !== 'WITH' || tokens[0].kind !== 'word') return 0;
  let k = tokens[1]?.value === 'RECURSIVE' ? 2 : 1;
  for (;;) {
    while (k < tokens.length && !(tokens[k].kind === 'punct' && tokens[k].value === '(' && tokens[k - 1]?.kind === 'word' && /^(AS|MATERIALIZED)$/.test(tokens[k - 1].value))) {
      k = tokens[k].kind === 'punct' && tokens[k].value === '(' ? closingParen(tokens, k) + 1 : k + 1;
    }
    k = closingParen(tokens, k) + 1;
    if (!(tokens[k]?.kind === 'punct' && tokens[k].value === ',')) return Math.min(k, tokens.length);
    k++;
  }
}

/** Names defined by WITH clauses (`WITH a AS (…), b (x, y) AS (…)`), which are not tables. */
function cteNames(tokens: readonly Token[]): Set<string> {
  const names = new Set<string>();
  for (let i = 1; i + 1 < tokens.length; i++) {
    const before = tokens[i - 1];
    const opensCte = (before.kind === 'word' && (before.value === 'WITH' || before.value === 'RECURSIVE')) || (before.kind === 'punct' && before.value === ',');
    const id = identifierOf(tokens[i]);
    if (!opensCte || id === null) continue;
    let k = i + 1;
    if (tokens[k]?.kind === 'punct' && tokens[k].value === '(') k = closingParen(tokens, k) + 1;
    if (tokens[k]?.value === 'AS' && (tokens[k + 1]?.value === '(' || tokens[k + 1]?.value === 'MATERIALIZED' || tokens[k + 1]?.value === 'NOT')) names.add(id);
  }
  return names;
}

export function closingParen(tokens: readonly Token[], open: number): number {
  let depth = 0;
  for (let k = open; k < tokens.length; k++) {
    if (tokens[k].kind !== 'punct') continue;
    if (tokens[k].value === '(') depth++;
    else if (tokens[k].value === ')' && --depth === 0) return k;
  }
  return tokens.length - 1;
}
