import { RecpipeError, type ErrorCode } from '../core/errors.js';
import { displayName } from '../warehouse/index.js';
import { tableDisplayName } from './identifiers.js';
import type { Statement } from './tokens.js';
import type { TableRef } from './dialect/index.js';

export const compilation = (code: ErrorCode, message: string): RecpipeError => new RecpipeError(code, `SQL compilation error: ${message}`);

export const objectMissing = (kind: string, parts: readonly string[]): RecpipeError =>
  compilation('NOT_FOUND', `${kind} '${displayName(parts)}' does not exist or not authorized.`);

/**
 * DuckDB's errors phrased as Snowflake phrases them, using the statement's resolved tables to
 * name objects fully (Object 'MOVIELENS.PUBLIC.FOO' does not exist or not authorized.).
 */
export function snowflakeError(e: unknown, refs: readonly TableRef[]): RecpipeError {
  if (!(e instanceof RecpipeError)) return new RecpipeError('INTERNAL', e instanceof Error ? e.message : String(e));
  const duck = e.details.duckdbMessage;
  if (typeof duck !== 'string') return e;
  const first = duck.split('\n')[0];
  const named = (name: string): string => {
    const ref = refs.find((r) => r.table.name.toUpperCase() === name.toUpperCase());
    return ref ? tableDisplayName(ref.table) : name;
  };
  let m: RegExpExecArray | null;
  if ((m = /Table with name "?([^"!]+?)"? does not exist because schema "?([^"!]+?)"? does not exist/.exec(first))) {
    return compilation('NOT_FOUND', `Schema '${schemaOf(refs, m[2])}' does not exist or not authorized.`);
  }
  if ((m = /(?:Table|View) with name "?([^"!]+?)"? does not exist/.exec(first)))
    return compilation('NOT_FOUND', `Object '${named(m[1])}' does not exist or not authorized.`);
  if ((m = /Schema with name "?([^"!]+?)"? does not exist/.exec(first)))
    return compilation('NOT_FOUND', `Schema '${schemaOf(refs, m[1])}' does not exist or not authorized.`);
  if ((m = /Catalog with name "?([^"!]+?)"? does not exist/.exec(first)))
    return compilation('NOT_FOUND', `Database '${m[1]}' does not exist or not authorized.`);
  if ((m = /(?:Table|View) with name "?([^"!]+?)"? already exists/.exec(first)))
    return compilation('CONFLICT', `Object '${named(m[1])}' already exists.`);
  // DuckDB names a function it knows from an extension it will not load ("… is not in the catalog, but it
  // exists in the spatial extension"): to a Snowflake user it is simply unknown.
  if ((m = /(?:Scalar|Table|Aggregate) Function with name "?([^"!]+?)"? (?:does not exist|is not in the catalog)/.exec(first)))
    return compilation('NOT_FOUND', `Unknown function ${m[1].toUpperCase()}`);
  if ((m = /Referenced column "?([^"!]+?)"? not found/.exec(first))) return compilation('INVALID_ARGUMENT', `invalid identifier '${m[1]}'`);
  if ((m = /Could not convert string '(.*)' to '?(INT\d*|BIGINT|DOUBLE|FLOAT|DECIMAL[^']*|HUGEINT)/.exec(first))) {
    return new RecpipeError('INVALID_ARGUMENT', `Numeric value '${m[1]}' is not recognized`);
  }
  if ((m = /syntax error at or near "(.*)"/.exec(first))) return compilation('INVALID_ARGUMENT', `syntax error unexpected '${m[1]}'.`);
  if (/syntax error at end of input/.test(first)) return compilation('INVALID_ARGUMENT', 'syntax error unexpected end of input.');
  // A SQL function refused the caller's role (src/access): Snowflake's own wording, as a permission error.
  if ((m = /^[A-Za-z ]+ Error: (SQL access control error: .*)$/.exec(first))) return new RecpipeError('PERMISSION_DENIED', m[1]);
  if ((m = /^[A-Za-z ]+ Error: (SQL compilation error: .* does not exist or not authorized\.)$/.exec(first)))
    return new RecpipeError('NOT_FOUND', m[1]);
  return new RecpipeError(e.code, first.replace(/^[A-Za-z ]+ Error: /, 'SQL execution error: '), e.details);
}

function schemaOf(refs: readonly TableRef[], schema: string): string {
  const ref = refs.find((r) => r.table.schema.toUpperCase() === schema.toUpperCase());
  return ref ? displayName([ref.table.database, ref.table.schema]) : schema;
}

/** Names the failing statement of a request (its number and line) in the error. */
export function inStatement(e: RecpipeError, st: Statement, count: number): RecpipeError {
  const text = redactSecrets(st.text);
  const snippet = text.length > 80 ? text.slice(0, 77).replace(/\s+/g, ' ') + '...' : text.replace(/\s+/g, ' ');
  const where = count > 1 ? `statement ${st.index} of ${count}, line ${st.line}` : `line ${st.line}`;
  return new RecpipeError(e.code, `${e.message}\n  in ${where}: ${snippet}`, {
    ...e.details,
    statementIndex: st.index,
    line: st.line,
    statement: text,
  });
}

const SECRET_LITERAL = /\b(api_key|password)(\s*=\s*)'(?:[^']|'')*'/gi;

/** Statements echoed in errors never carry the literal of an API key or password. */
export function redactSecrets(text: string): string {
  return text.replace(SECRET_LITERAL, "$1$2'***'");
}
