import type { ResultColumnType, StatementResult } from './session.js';
import type { Statement } from './tokens.js';

export const EXECUTED = 'Statement executed successfully.';

/** A command's one-row `status` result, as Snowflake returns for DDL and USE. */
export function statusResult(st: Statement, message: string): StatementResult {
  return { statement: st.text, kind: 'command', columns: [{ name: 'status', type: 'VARCHAR' }], rows: [[message]], rowCount: 0, message };
}

export function queryResult(st: Statement, columns: readonly ResultColumnType[], rows: unknown[][]): StatementResult {
  return { statement: st.text, kind: 'query', columns, rows, rowCount: rows.length };
}

/** DML results carry Snowflake's count columns ("number of rows inserted" …). */
export function dmlResult(st: Statement, columns: readonly string[], counts: readonly number[], affected: number): StatementResult {
  return {
    statement: st.text,
    kind: 'command',
    columns: columns.map((name) => ({ name, type: 'NUMBER' })),
    rows: [[...counts]],
    rowCount: affected,
  };
}

/** Result columns from `name` or `name:TYPE` specs (VARCHAR when no type is given). */
export function columnsOf(...specs: string[]): ResultColumnType[] {
  return specs.map((spec) => {
    const [name, type = 'VARCHAR'] = spec.split(':');
    return { name, type };
  });
}

/** Snowflake's LIKE for SHOW: case-insensitive, % and _ wildcards, backslash escapes. */
export function likeMatcher(pattern: string | null): (name: string) => boolean {
  if (pattern === null) return () => true;
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length) re += escapeRegExp(pattern[++i]);
    else if (c === '%') re += '.*';
    else if (c === '_') re += '.';
    else re += escapeRegExp(c);
  }
  const compiled = new RegExp(`^${re}$`, 'is');
  return (name) => compiled.test(name);
}

export const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
