import { compilation } from '../errors.js';
import { selectItemNames } from '../select-names.js';
import type { Token } from '../tokens.js';
import { visitObjects, kindOf, type Node } from './ast.js';
import type { InfoView, SessionContext, TableRef, TransformContext } from './context.js';
import { DUCKDB, SNOWFLAKE, loadSdk, sdk } from './polyglot.js';
import { columnNames } from './transforms/column-names.js';
import { conversions } from './transforms/conversions.js';
import { valuesColumns } from './transforms/values-columns.js';
import { mergeSetColumns } from './transforms/merge-set.js';
import { contextFunctions } from './transforms/context-functions.js';
import { dates } from './transforms/dates.js';
import { flatten } from './transforms/flatten.js';
import { upperCaseIdentifiers } from './transforms/identifier-case.js';
import { semiStructured } from './transforms/semi-structured.js';
import { plainStructuredTypes } from './transforms/structured-types.js';
import { qualifyTableNames } from './transforms/table-names.js';
import { mapTypes } from './transforms/types.js';
import { numericText } from './transforms/numeric-text.js';
import { arrayFunctions } from './transforms/array-functions.js';
import { textFunctions } from './transforms/text-functions.js';
import { sampleRows } from './transforms/sample.js';
import { objectConstructStar } from './transforms/object-construct-star.js';
import { positionalColumns } from './transforms/positional-columns.js';
import { resultScan } from './transforms/result-scan.js';
import { sequences } from './transforms/sequences.js';
import { sessionVariables } from './transforms/session-variables.js';
import { applySplices, refuseMarkers } from './splice.js';
import { namesUsed, type NamesUsed } from './names-used.js';
import { refuseUnsupported } from './refusals.js';
import { bulkValues, expandValues } from './bulk-values.js';
import { SessionKeyedCache } from './session-keyed-cache.js';
import { BoundedMap } from '../../util/bounded-map.js';

export type { InfoView, SessionContext, TableRef } from './context.js';
export { statementObjects, type StatementObjects } from './objects.js';
export { SessionKeyedCache } from './session-keyed-cache.js';
export type Ast = Node;
export type { NamesUsed } from './names-used.js';

export interface Translation {
  readonly sql: string;
  readonly refs: readonly TableRef[];
  readonly params: number;
  readonly infoViews?: readonly InfoView[];
  /** The names the statement spells, as written (for Snowflake's case-sensitive name checks). */
  readonly names?: NamesUsed;
}

let warm: Promise<void> | null = null;

/**
 * Loads the parser (once); every other function here needs it loaded. Its first parse and render
 * also cost most of a second (WASM code compiled lazily): one statement is run through both here, so
 * a service pays it before serving, not inside a user's first statement.
 */
export function loadDialect(): Promise<void> {
  warm ??= loadSdk().then(() => {
    render(parse("SELECT a, f(b) AS c FROM t WHERE d = 'e' GROUP BY 1 ORDER BY 2"));
  });
  return warm;
}

/** Parses one Snowflake statement; a syntax error is reported as Snowflake words it, with its line and position. */
export function parse(text: string): Ast {
  const r = sdk().parse(plainStructuredTypes(text), SNOWFLAKE);
  const statements = (r.ast ?? []) as Node[];
  if (!r.success || statements.length !== 1) {
    const where = r.errorLine ? ` line ${r.errorLine} at position ${(r.errorColumn ?? 1) - 1}` : '';
    const near = r.errorStart !== undefined ? text.slice(r.errorStart, r.errorEnd ?? r.errorStart + 1) : '';
    throw compilation('INVALID_ARGUMENT', `syntax error${where} unexpected '${near || (r.error ?? '').slice(0, 60)}'.`);
  }
  return statements[0];
}

/** Rendered statements by their AST's JSON: rendering is two WASM passes (most of a short query's translation time) and a pure function of the AST. */
const rendered = new BoundedMap<string, string>(2_000);
/** Long statements (bulk INSERT … VALUES) are rendered each time: they rarely repeat, and would fill the memory. */
const RENDERED_MAX_KEY = 16_384;

/**
 * One statement's syntax tree, parsed once for both its privilege check (which only reads it) and its
 * translation (which transforms it in place, so takes it). A text other than the one parsed is parsed
 * anew; a syntax error is kept and thrown again, so a bad statement costs one parse too.
 */
export class StatementParse {
  #text: string | null = null;
  #parsed: { readonly ast: Ast } | { readonly error: unknown } | null = null;

  /** The tree of `text`, to read only. */
  read(text: string): Ast {
    if (this.#text !== text || this.#parsed === null) {
      this.#text = text;
      try {
        this.#parsed = { ast: parse(text) };
      } catch (error) {
        this.#parsed = { error };
      }
    }
    if ('error' in this.#parsed) throw this.#parsed.error;
    return this.#parsed.ast;
  }

  /** The tree of `text` to transform: the one read before (then forgotten, as it is changed), else a new one. */
  take(text: string): Ast {
    if (this.#text !== text) return parse(text);
    const ast = this.read(text);
    this.#text = null;
    this.#parsed = null;
    return ast;
  }
}

/** Renders a transformed AST as DuckDB SQL (Snowflake functions DuckDB lacks are rewritten by the parser's own DuckDB generator). */
export function render(ast: Ast): string {
  const key = JSON.stringify(ast);
  const hit = rendered.get(key);
  if (hit !== undefined) return hit;
  const sql = renderUncached(ast);
  if (key.length > RENDERED_MAX_KEY) return sql;
  rendered.set(key, sql);
  return sql;
}

function renderUncached(ast: Ast): string {
  const s = sdk();
  const snowflake = s.generate([ast], SNOWFLAKE);
  if (!snowflake.success || !snowflake.sql) throw compilation('INTERNAL', `cannot render statement: ${snowflake.error}`);
  refuseDropped(snowflake.sql[0]);
  const duck = s.transpile(snowflake.sql[0], SNOWFLAKE, DUCKDB);
  if (!duck.success || !duck.sql) throw compilation('INVALID_ARGUMENT', `unsupported statement: ${duck.error}`);
  const sql = duck.sql.join(';\n');
  refuseDropped(sql);
  return sql;
}

/** What the parser's generator writes in place of a clause it cannot render (e.g. MATCH_RECOGNIZE for DuckDB). */
const DROPPED = /\/\* ([A-Z][A-Z_ ]*?) not supported in this dialect \*\//;

/**
 * A clause the generator could not render is left out of its SQL, with a comment saying so: running that
 * SQL would give another query's answer, so the statement fails with Snowflake's wording, naming the clause.
 */
function refuseDropped(sql: string): void {
  const m = DROPPED.exec(sql);
  if (m) throw compilation('INVALID_ARGUMENT', `Unsupported feature '${m[1]}'.`);
}

/** The Snowflake feature transforms, in order (each one module under transforms/, each with its tests). */
export function transform(ast: Ast, tc: TransformContext, names: readonly (string | null)[] | null): void {
  qualifyTableNames(ast, tc);
  resultScan(ast, tc);
  sequences(ast, tc);
  sessionVariables(ast, tc);
  positionalColumns(ast, tc);
  flatten(ast);
  sampleRows(ast);
  valuesColumns(ast);
  mergeSetColumns(ast);
  mapTypes(ast);
  numericText(ast);
  conversions(ast);
  objectConstructStar(ast);
  arrayFunctions(ast);
  textFunctions(ast);
  semiStructured(ast);
  contextFunctions(ast, tc);
  dates(ast);
  columnNames(ast, names, tc);
  upperCaseIdentifiers(ast);
}

/**
 * Translations of whole statements, engine-wide: parsing, transforming and rendering a short query
 * costs more than running it, and drivers send the same texts again and again. A translation reads
 * nothing but its text, its verb and the session fields the cache records (never the catalog: names
 * resolve by the session alone, and every check of what they name runs per call).
 */
const translations = new SessionKeyedCache<SessionContext, Translation>(2_000);

/**
 * Parse, transform, render: Snowflake SQL (a statement, or the query part of one) as DuckDB SQL
 * with the tables it touches. `tokens` are the SQL's tokens, their offsets into `tokenText`;
 * `parsed` holds the tree when the privilege check parsed the same text already.
 */
export function translate(
  sql: string,
  tokens: readonly Token[],
  tokenText: string,
  session: SessionContext,
  action: string,
  parsed?: StatementParse,
): Translation {
  // The select list's names come from `tokens`: only a whole statement's, or none, follow from `sql` alone.
  const whole = sql === tokenText ? 'statement' : tokens.length === 0 && tokenText === '' ? 'bare' : null;
  const work = (s: SessionContext): Translation => {
    refuseMarkers(sql);
    const one = (text: string, tree?: StatementParse): Translation => {
      const ast = tree ? tree.take(text) : parse(text);
      refuseUnsupported(ast);
      const names = namesUsed(ast);
      const tc: TransformContext = { session: s, action, refs: [], splices: [], infoViews: [] };
      transform(ast, tc, selectItemNames(tokens, tokenText));
      return { sql: applySplices(render(ast), tc.splices), refs: tc.refs, params: countPlaceholders(ast), infoViews: tc.infoViews, names };
    };
    const bulk = sql === tokenText ? bulkValues(sql, tokens) : null;
    if (bulk === null) return one(sql, parsed);
    const head = one(bulk.head, parsed);
    const expanded = expandValues(head.sql, bulk.tuples);
    return expanded === null ? one(sql) : { ...head, sql: expanded, params: head.params * bulk.tuples };
  };
  return whole === null ? work(session) : translations.get(`${action}\u0000${whole}\u0000${sql}`, session, work);
}

/**
 * The text the privilege check and translation parse: a bulk INSERT's head (its first tuple of markers),
 * which names the same objects as the whole statement at a fraction of the parser's cost.
 */
export function parsedText(text: string, tokens: readonly Token[]): string {
  return bulkValues(text, tokens)?.head ?? text;
}

function countPlaceholders(ast: Ast): number {
  let n = 0;
  visitObjects(ast, (o) => {
    if (kindOf(o) === 'placeholder') n++;
  });
  return n;
}
