import { isRecpipeError, RecpipeError } from '../core/errors.js';
import { formatResult, hasRowSet, type OutputFormat } from './format-results.js';
import type { SqlClient, StatementResult } from './sql-client.js';
import { splitStatements, type ScriptStatement } from './sql-text.js';

export interface ScriptOutput {
  format: OutputFormat;
  /** Row sets (and, for tables, status lines) go here: stdout. */
  out: (text: string) => void;
  /** Messages that must not mix into csv/json output go here: stderr. */
  err: (text: string) => void;
}

/**
 * Runs a script statement by statement, printing each result as it arrives. Stops at the first failure
 * and throws it with its place prefixed (`file.sql:12: …` or `statement 2: …`), keeping its code.
 */
export async function runScript(client: SqlClient, script: string, output: ScriptOutput, source?: string): Promise<number> {
  const statements = splitStatements(script);
  for (const [k, statement] of statements.entries()) {
    const t0 = performance.now();
    try {
      const run = await client.execute(statement.text);
      for (const result of run.results) printResult(result, output, performance.now() - t0);
    } catch (e) {
      throw located(e, where(statement, k, statements.length, source));
    }
  }
  return statements.length;
}

/**
 * Tables show every result, as Snowflake's worksheet does. csv/json keep stdout for the row sets of
 * queries; what commands report ("Table T successfully created.", rows inserted) goes to stderr.
 */
function printResult(r: StatementResult, output: ScriptOutput, elapsedMs: number): void {
  const table = output.format === 'table';
  if (!table && r.kind === 'command') {
    output.err(
      r.message !== undefined || !hasRowSet(r) ? `${r.message ?? 'Statement executed successfully.'}\n` : formatResult(r, 'table'),
    );
  } else if (!hasRowSet(r)) {
    output.out(`${r.message ?? 'Statement executed successfully.'}\n`);
  } else {
    output.out(formatResult(r, output.format));
    if (table) output.out(`${r.rows.length} Row(s) produced. Time Elapsed: ${(elapsedMs / 1000).toFixed(3)}s\n`);
  }
}

function where(s: ScriptStatement, k: number, count: number, source?: string): string {
  if (source !== undefined) return `${source}:${s.line}`;
  return count > 1 ? `statement ${k + 1} (line ${s.line})` : '';
}

function located(e: unknown, place: string): RecpipeError {
  const prefix = place ? `${place}: ` : '';
  if (isRecpipeError(e)) return new RecpipeError(e.code, prefix + e.message, { ...e.details });
  return new RecpipeError('INTERNAL', prefix + (e instanceof Error ? e.message : String(e)));
}
