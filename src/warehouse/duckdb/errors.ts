import { RecpipeError, type ErrorCode } from '../../core/errors.js';

/** DuckDB's error classes ("Catalog Error: …") mapped onto recpipe's codes. */
const CODES: ReadonlyArray<[RegExp, ErrorCode]> = [
  [/^Catalog Error: .*already exists/s, 'CONFLICT'],
  [/^Catalog Error/, 'NOT_FOUND'],
  [/^(Parser|Binder|Conversion|Invalid Input|Constraint|Not implemented|Syntax|Out of Range|Dependency) Error/, 'INVALID_ARGUMENT'],
  [/^TransactionContext Error/, 'FAILED_PRECONDITION'],
  [/^Out of Memory Error/, 'RESOURCE_EXHAUSTED'],
  [/^(Permission|IO) Error/, 'PERMISSION_DENIED'],
];

/**
 * Wraps an error thrown by DuckDB in a RecpipeError that keeps DuckDB's own text in `details`
 * (`duckdbType`, `duckdbMessage`) so the SQL layer can phrase it the way Snowflake would.
 */
export function fromDuckDbError(e: unknown): RecpipeError {
  if (e instanceof RecpipeError) return e;
  const message = e instanceof Error ? e.message : String(e);
  const type = /^([A-Za-z ]+) Error:/.exec(message)?.[1] ?? 'Unknown';
  const code = CODES.find(([re]) => re.test(message))?.[1] ?? 'INTERNAL';
  return new RecpipeError(code, message, { duckdbType: type, duckdbMessage: message });
}

export async function duckdbCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw fromDuckDbError(e);
  }
}
