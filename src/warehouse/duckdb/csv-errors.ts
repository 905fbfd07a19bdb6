import type { CsvRowError } from '../warehouse.js';
import type { RejectRow } from './read-csv.js';

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL)/;

/**
 * A bad row phrased as Snowflake phrases load errors ("Numeric value 'abc' is not recognized",
 * "Number of columns in file (2) does not match …"), with line, character and column.
 */
export function firstRowError(r: RejectRow, columns: readonly { name: string; type: string; readAs: string }[]): CsvRowError {
  const position = r.columnName === null ? -1 : columns.findIndex((c) => c.name === r.columnName);
  const column = position >= 0 ? columns[position] : undefined;
  return {
    message: describe(r, column, columns.length),
    line: r.line,
    character: characterInLine(r),
    columnName: r.errorType === 'TOO MANY COLUMNS' ? null : r.columnName,
    columnPosition: r.errorType === 'TOO MANY COLUMNS' || position < 0 ? null : position + 1,
  };
}

/**
 * DuckDB reports byte positions; Snowflake counts characters. With CRLF line ends DuckDB's line
 * starts at the previous line's '\n' (kept in csv_line), which is skipped here.
 */
function characterInLine(r: RejectRow): number {
  const bytes = Buffer.from(r.csvLine);
  const lead = bytes[0] === 0x0a ? 1 : 0;
  const offset = Math.max(0, r.bytePosition - r.lineBytePosition - lead);
  return bytes.subarray(lead, lead + offset).toString('utf8').length + 1;
}

function describe(r: RejectRow, column: { type: string; readAs: string } | undefined, expected: number): string {
  switch (r.errorType) {
    case 'MISSING COLUMNS':
    case 'TOO MANY COLUMNS': {
      const found = /Found:\s*(\d+)/.exec(r.message)?.[1] ?? '?';
      return `Number of columns in file (${found}) does not match that of the corresponding table (${expected}), use file format option error_on_column_count_mismatch=false to ignore this error`;
    }
    case 'CAST':
      return castMessage(r, column);
    case 'UNQUOTED VALUE':
      return 'Unterminated quoted field: a field opened with a quote is not closed before the end of the file';
    default:
      return r.message;
  }
}

function castMessage(r: RejectRow, column: { type: string; readAs: string } | undefined): string {
  const value = /Could not convert string "(.*)" to/s.exec(r.message)?.[1] ?? /'(.*)'/.exec(r.message)?.[1] ?? '';
  const type = column?.type ?? '';
  if (type.startsWith('TIMESTAMP')) return `Timestamp '${value}' is not recognized`;
  if (type === 'DATE') return `Date '${value}' is not recognized`;
  if (type === 'BOOLEAN') return `Boolean value '${value}' is not recognized`;
  if (NUMERIC.test(column?.readAs ?? '')) return `Numeric value '${value}' is not recognized`;
  return r.message;
}
