import { invalid } from '../core/errors.js';
import type { TableName } from './warehouse.js';

/**
 * The one place where names become SQL text. Every identifier recpipe emits goes through
 * `quoteIdent` (validated, then double-quoted with inner quotes doubled — the ANSI form DuckDB and
 * Snowflake share), so a user's name can never end an identifier early or smuggle in SQL.
 */
export const MAX_IDENTIFIER_LENGTH = 255;

/** The schema in each database where recpipe keeps stream offsets; never listed, never named by users. */
export const STREAM_OFFSETS_SCHEMA = 'RECPIPE$STREAMS';

export function checkIdentifier(name: string, what = 'identifier'): string {
  if (name.length === 0) throw invalid(`${what} must not be empty`);
  if (name.length > MAX_IDENTIFIER_LENGTH)
    throw invalid(`${what} '${name.slice(0, 40)}…' is longer than ${MAX_IDENTIFIER_LENGTH} characters`);
  if (/[\u0000-\u001f]/.test(name)) throw invalid(`${what} ${JSON.stringify(name)} contains a control character`);
  return name;
}

export function quoteIdent(name: string): string {
  return '"' + checkIdentifier(name).replaceAll('"', '""') + '"';
}

/**
 * A result column's name taken from its expression's text (`select $$a<newline>b$$`): it may span
 * lines, so tabs and line breaks are allowed there; every other rule of `quoteIdent` holds.
 */
export function quoteColumnLabel(text: string): string {
  checkIdentifier(text.replace(/[\t\n\r]/g, ' '), 'column name');
  return '"' + text.replaceAll('"', '""') + '"';
}

export function quoteTableName(t: TableName): string {
  return `${quoteIdent(t.database)}.${quoteIdent(t.schema)}.${quoteIdent(t.name)}`;
}

/** Display form used in messages: DB.SCHEMA.TABLE with parts quoted only when Snowflake would need it. */
export function displayName(parts: readonly string[]): string {
  return parts.map((p) => (/^[A-Z_][A-Z0-9_$]*$/.test(p) ? p : '"' + p.replaceAll('"', '""') + '"')).join('.');
}

/**
 * A SQL string literal, only for the few DuckDB statements that accept no bound parameters
 * (ATTACH's path); values anywhere else are bound.
 */
export function stringLiteral(value: string): string {
  if (/\u0000/.test(value)) throw invalid(`string ${JSON.stringify(value)} contains a NUL character`);
  return "'" + value.replaceAll("'", "''") + "'";
}
