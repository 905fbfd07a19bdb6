import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import {
  BIGINT,
  LIST,
  STRUCT,
  VARCHAR,
  listValue,
  structValue,
  type DuckDBConnection,
  type DuckDBType,
  type DuckDBValue,
} from './duckdb-api.js';
import { invalid, type RecpipeError } from '../../core/index.js';
import { quoteIdent } from '../identifiers.js';

/** A column of the file, read as a DuckDB type (no sniffing: bad values come back as rejects). */
export interface CsvColumn {
  readonly name: string;
  readonly readAs: string;
}

export interface CsvDialect {
  /** Lines skipped before the first row. */
  readonly skip: number;
  readonly delimiter: string;
  /** '' when fields are never enclosed. */
  readonly quote: string;
  readonly escape: string;
  /** Field texts read as NULL; when given, a quoted field is never NULL. DuckDB's default otherwise: an empty field. */
  readonly nullStrings?: readonly string[];
  readonly compression?: string;
  /** Short rows are padded with NULLs and long ones cut, instead of rejected. */
  readonly padColumns?: boolean;
}

/** One row of DuckDB's rejects table (`store_rejects = true`). */
export interface RejectRow {
  readonly line: number;
  readonly lineBytePosition: number;
  readonly bytePosition: number;
  /** 1-based. */
  readonly columnIndex: number | null;
  readonly columnName: string | null;
  readonly errorType: string;
  readonly csvLine: string;
  readonly message: string;
}

/** What a read rejected: counted in SQL, the first rows read, so a file of bad lines never fills the heap. */
export interface Rejects {
  readonly errors: number;
  readonly lines: number;
  /** 1-based columns with a value that does not convert to the column's type. */
  readonly castColumns: ReadonlySet<number>;
  readonly first: readonly RejectRow[];
}

/**
 * The one CSV reader: `read_csv(?, …)` over a file with explicit, typed columns, every argument
 * bound. Bad rows are recorded in a rejects table (a name from `rejectsName`) with line, column
 * and error while the good rows stream on, or skipped (a sample). COPY INTO (csv-load.ts) inserts
 * from it; ratings files (ratings-reader.ts) stream it into typed arrays.
 */
export function readCsv(
  path: string,
  columns: readonly CsvColumn[],
  d: CsvDialect,
  bad: { readonly rejects: string } | 'skip',
): { from: string; params: DuckDBValue[]; types: DuckDBType[] } {
  const named: [string, DuckDBValue, DuckDBType][] = [
    ['skip', BigInt(d.skip), BIGINT],
    ['delim', d.delimiter, VARCHAR],
    ['quote', d.quote, VARCHAR],
    ['escape', d.escape, VARCHAR],
    [
      'columns',
      structValue(Object.fromEntries(columns.map((c) => [c.name, c.readAs]))),
      STRUCT(Object.fromEntries(columns.map((c) => [c.name, VARCHAR]))),
    ],
  ];
  const fixed = ['auto_detect = false', 'header = false'];
  if (d.nullStrings) {
    named.push(['nullstr', listValue([...d.nullStrings]), LIST(VARCHAR)]);
    fixed.push('allow_quoted_nulls = false');
  }
  if (d.compression) named.push(['compression', d.compression, VARCHAR]);
  if (d.padColumns) fixed.push('null_padding = true', 'strict_mode = false');
  if (bad === 'skip') fixed.push('ignore_errors = true');
  else {
    fixed.push('store_rejects = true');
    named.push(['rejects_table', bad.rejects, VARCHAR], ['rejects_scan', `${bad.rejects}_scan`, VARCHAR]);
  }
  const args = [...fixed, ...named.map(([k]) => `${k} = ?`)].join(', ');
  return { from: `read_csv(?, ${args})`, params: [path, ...named.map(([, v]) => v)], types: [VARCHAR, ...named.map(([, , t]) => t)] };
}

/** A fresh name for one read's rejects tables (temp tables of the connection). */
export const rejectsName = (): string => `recpipe_rejects_${randomBytes(6).toString('hex')}`;

/**
 * Reads what a `readCsv(…, rejects)` rejected (the first `keep` rows by line, each line's text cut
 * to `lineChars` when given), then drops the rejects tables.
 */
export async function takeRejects(conn: DuckDBConnection, rejects: string, keep: number, lineChars?: number): Promise<Rejects> {
  const table = `temp.main.${quoteIdent(rejects)}`;
  try {
    const counts = await conn.runAndReadAll(
      `SELECT count(*) AS errors, count(DISTINCT line) AS lines, list(DISTINCT column_idx) FILTER (WHERE error_type = 'CAST') AS cast_columns FROM ${table}`,
    );
    const c = counts.getRowObjects()[0];
    const line = lineChars === undefined ? 'csv_line' : `left(csv_line, ${Math.trunc(lineChars)})`;
    const r = await conn.runAndReadAll(
      `SELECT line, line_byte_position, byte_position, column_idx, column_name, error_type, ${line} AS csv_line, error_message
         FROM ${table} ORDER BY line, byte_position LIMIT ${Math.trunc(keep)}`,
    );
    const first = r.getRowObjects().map((row) => ({
      line: Number(row.line),
      lineBytePosition: Number(row.line_byte_position ?? 0),
      bytePosition: Number(row.byte_position ?? 0),
      columnIndex: row.column_idx === null ? null : Number(row.column_idx),
      columnName: row.column_name === null ? null : String(row.column_name),
      errorType: String(row.error_type),
      csvLine: String(row.csv_line ?? ''),
      message: String(row.error_message ?? ''),
    }));
    const cast = (c.cast_columns as { items?: unknown[] } | null)?.items ?? [];
    return { errors: Number(c.errors), lines: Number(c.lines), castColumns: new Set(cast.map(Number)), first };
  } finally {
    await dropRejects(conn, rejects);
  }
}

export async function dropRejects(conn: DuckDBConnection, rejects: string): Promise<void> {
  await conn.run(`DROP TABLE IF EXISTS temp.main.${quoteIdent(rejects)}`).catch(() => undefined);
  await conn.run(`DROP TABLE IF EXISTS temp.main.${quoteIdent(`${rejects}_scan`)}`).catch(() => undefined);
}

/**
 * DuckDB's CSV reader (1.5) cannot read a file whose lines do not all end alike — CRLF lines with
 * LF ones among them, as when lines are appended on another system to a file converted on Windows:
 * strict mode fails the whole read with "The CSV Parser state machine reached an invalid state"
 * and no line (ignore_errors and rejects tables included), and non-strict mode would also pass rows
 * with extra fields. So when a read fails so, this names the first line that ends unlike line 1;
 * null when the failure is something else (or the file is compressed, and not scanned here).
 */
export async function mixedLineEndsError(path: string, failure: unknown, compressed = false): Promise<RecpipeError | null> {
  const message = failure instanceof Error ? failure.message : String(failure);
  if (compressed || !message.includes('state machine reached an invalid state')) return null;
  let line = 0;
  let first: 'CRLF' | 'LF' | null = null;
  let previous = -1;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, nl + 1)) {
      line++;
      const ending = (nl > 0 ? chunk[nl - 1] : previous) === 13 ? 'CRLF' : 'LF';
      first ??= ending;
      if (ending !== first)
        return invalid(
          `${path}: line ${line} ends with ${ending} but line 1 ends with ${first}; the CSV reader takes one kind of line ending per file (convert it, e.g. with dos2unix or unix2dos)`,
          { path, line },
        );
    }
    previous = chunk[chunk.length - 1] ?? previous;
  }
  return null;
}
