import { DuckDBDoubleVector, DuckDBInstance, type DuckDBConnection, type DuckDBValue, type DuckDBType } from './duckdb-api.js';
import { RatingsBuilder, invalid, type BuiltRatings, type IdChunk, type RatingsBuilderOptions } from '../../core/index.js';
import { quoteIdent, quoteTableName } from '../identifiers.js';
import type { RatingColumns, TableName } from '../warehouse.js';
import { fromDuckDbError } from './errors.js';
import { lineOfRows, sniffRatingsFile, type RatingsFileLayout } from './ratings-file-layout.js';
import { dropRejects, mixedLineEndsError, readCsv, rejectsName, takeRejects, type RejectRow, type Rejects } from './read-csv.js';

export interface ReadRatingsResult extends BuiltRatings {
  /** Reported, counted oddities that are not errors (negative ratings). */
  readonly warnings: readonly string[];
}

export type IdReadKind = 'number' | 'text';

/** How one query's three columns are read; `text` ids come back as strings, `number` ids as doubles. */
interface Attempt {
  readonly user: IdReadKind;
  readonly item: IdReadKind;
}

const MAX_REPORTED = 5;
/** Rejected lines kept to place the builder's refused rows among the file's lines (all of them in any sane file). */
const REJECTS_KEPT = 10_000;

export interface ReadRatingsCsvOptions extends RatingsBuilderOptions {
  /**
   * Keep a timestamp column as Dataset.timestamps (default). `false` leaves the column unread (its
   * values unchecked): 8 bytes a rating saved for readers that never look at time (training).
   */
  readonly timestamps?: boolean;
}

/**
 * The one ratings reader for files: DuckDB's parallel CSV reader with explicit columns (no
 * sniffing of types) and `store_rejects`, streamed chunk by chunk into a RatingsBuilder, so the
 * text never lives in JS. Every bad row is an error naming file, line, column and value; nothing
 * is returned when any row is bad. Negative ratings come back as a counted warning.
 */
export async function readRatingsCsv(conn: DuckDBConnection, path: string, opts: ReadRatingsCsvOptions = {}): Promise<ReadRatingsResult> {
  const layout = await sniffRatingsFile(path);
  const timed = layout.timestampColumn !== null && opts.timestamps !== false;
  let attempt: Attempt = layout.idKinds;
  for (;;) {
    const builder = new RatingsBuilder({ ...opts, expectedRows: layout.expectedRows });
    const rejects = rejectsName();
    const { sql, params, types } = csvQuery(path, layout, attempt, rejects, timed);
    try {
      await stream(conn, sql, params, types, attempt, builder, timed);
    } catch (e) {
      await dropRejects(conn, rejects);
      throw (
        (await mixedLineEndsError(path, e)) ??
        invalid(`${path}: not a readable ratings file: ${fromDuckDbError(e).message.split('\n')[0]}`, { path })
      );
    }
    // A read stopped early (an id beyond 2^53) leaves no rejects table.
    const rejected = builder.inexact ? (await dropRejects(conn, rejects), NONE) : await takeRejects(conn, rejects, REJECTS_KEPT, 200);
    const retry = textRetry(attempt, rejected, layout, builder);
    if (retry) {
      attempt = retry;
      continue;
    }
    if (rejected.errors > 0 || builder.badRows > 0) throw await badRowsError(path, layout, rejected, builder);
    const built = builder.finish(path);
    return { ...built, warnings: await negativeWarning(path, layout, built) };
  }
}

/**
 * The same path for a table (training jobs): the three columns (and a timestamp column when asked)
 * cast in DuckDB (NULLs in-band as NaN or null), streamed into the builder. A numeric id column holding an integer beyond 2^53 is
 * read again as text.
 */
export async function readRatingsTable(
  conn: DuckDBConnection,
  table: TableName,
  columns: RatingColumns,
  open: (expectedRows?: number) => RatingsBuilder,
): Promise<RatingsBuilder> {
  let attempt: Attempt = { user: columns.userAs, item: columns.itemAs };
  // The arrays sized once: growing them by doubling costs a copy and a zero-fill of every size on the way.
  const counted = await conn.runAndReadAll(`SELECT count(*) FROM ${quoteTableName(table)}`).catch((e: unknown) => {
    throw fromDuckDbError(e);
  });
  const expectedRows = Number(counted.getRows()[0][0]);
  for (;;) {
    const builder = open(expectedRows);
    const cast = (name: string, kind: IdReadKind) =>
      kind === 'text' ? `CAST(${quoteIdent(name)} AS VARCHAR)` : `coalesce(CAST(${quoteIdent(name)} AS DOUBLE), 'NaN'::DOUBLE)`;
    const t = columns.timestamp;
    // epoch() of a TIMESTAMP or DATE is its seconds since 1970 (fractions kept), what a ratings file's timestamp column holds.
    const time = t
      ? `, coalesce(CAST(${t.as === 'epoch' ? `epoch(${quoteIdent(t.name)})` : quoteIdent(t.name)} AS DOUBLE), 'NaN'::DOUBLE)`
      : '';
    const sql = `SELECT ${cast(columns.user, attempt.user)}, ${cast(columns.item, attempt.item)}, ${cast(columns.rating, 'number')}${time} FROM ${quoteTableName(table)}`;
    await stream(conn, sql, [], [], attempt, builder, t !== undefined).catch((e: unknown) => {
      throw fromDuckDbError(e);
    });
    if (!builder.inexact) return builder;
    attempt = { ...attempt, [builder.inexact]: 'text' };
  }
}

async function stream(
  conn: DuckDBConnection,
  sql: string,
  params: DuckDBValue[],
  types: DuckDBType[],
  attempt: Attempt,
  builder: RatingsBuilder,
  timed: boolean,
): Promise<void> {
  const result = types.length > 0 ? await conn.stream(sql, params, types) : await conn.stream(sql);
  for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
    const n = chunk.rowCount;
    const users = idChunk(chunk.getColumnVector(0), attempt.user, n);
    const items = idChunk(chunk.getColumnVector(1), attempt.item, n);
    builder.append(users, items, doubles(chunk.getColumnVector(2), n), n, timed ? doubles(chunk.getColumnVector(3), n) : undefined);
    if (builder.inexact) return;
  }
}

interface ItemSource {
  getItem(i: number): unknown;
}

/**
 * A DOUBLE vector's values (NULLs already NaN in the query). The vector's own Float64Array view of
 * DuckDB's memory is not public API; when it is absent the values are copied one by one.
 */
function doubles(vector: ItemSource, n: number): Float64Array {
  const view = (vector as unknown as { items?: unknown }).items;
  if (vector instanceof DuckDBDoubleVector && view instanceof Float64Array && view.length === n) return view;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = (vector.getItem(i) as number | null) ?? NaN;
  return out;
}

function idChunk(vector: ItemSource, kind: IdReadKind, n: number): IdChunk {
  if (kind === 'number') return doubles(vector, n);
  const out = new Array<string | null>(n);
  for (let i = 0; i < n; i++) out[i] = vector.getItem(i) as string | null;
  return out;
}

/** read_csv over every column of the file, ids, rating and timestamp typed, NULLs arriving in-band as NaN. */
function csvQuery(path: string, layout: RatingsFileLayout, attempt: Attempt, rejects: string, timed: boolean) {
  const names = Array.from({ length: layout.fieldCount }, (_, c) => `c${c + 1}`);
  const typeOf = (c: number): string =>
    c === layout.columns.user
      ? kindType(attempt.user)
      : c === layout.columns.item
        ? kindType(attempt.item)
        : c === layout.columns.rating || c === layout.timestampColumn
          ? 'DOUBLE'
          : 'VARCHAR';
  const columns = names.map((name, c) => ({ name, readAs: typeOf(c) }));
  const dialect = { skip: layout.headerLine, delimiter: layout.delimiter, quote: '"', escape: '"' };
  const { from, params, types } = readCsv(path, columns, dialect, { rejects });
  const pick = (c: number, kind: IdReadKind | 'rating') => (kind === 'text' ? names[c] : `coalesce(${names[c]}, 'NaN'::DOUBLE)`);
  const { user, item, rating } = layout.columns;
  const time = timed && layout.timestampColumn !== null ? `, ${pick(layout.timestampColumn, 'rating')}` : '';
  return {
    sql: `SELECT ${pick(user, attempt.user)}, ${pick(item, attempt.item)}, ${pick(rating, 'rating')}${time} FROM ${from}`,
    params,
    types,
  };
}

const kindType = (k: IdReadKind): string => (k === 'number' ? 'DOUBLE' : 'VARCHAR');

const NONE: Rejects = { errors: 0, lines: 0, castColumns: new Set(), first: [] };

/** An id column sniffed as numeric that holds text (or integers beyond 2^53) is read again as text. */
function textRetry(attempt: Attempt, rejected: Rejects, layout: RatingsFileLayout, builder: RatingsBuilder): Attempt | null {
  const next = { ...attempt };
  if (builder.inexact) next[builder.inexact] = 'text';
  if (rejected.castColumns.has(layout.columns.user + 1)) next.user = 'text';
  if (rejected.castColumns.has(layout.columns.item + 1)) next.item = 'text';
  return next.user !== attempt.user || next.item !== attempt.item ? next : null;
}

function describeReject(r: RejectRow, layout: RatingsFileLayout): string {
  const where = `line ${r.line}`;
  const value = /Could not convert string "(.*)" to/s.exec(r.message)?.[1] ?? r.csvLine.replace(/^\r?\n/, '');
  switch (r.errorType) {
    case 'CAST':
      return `${where}, column ${r.columnIndex} (${layout.fieldName(r.columnIndex === null ? -1 : r.columnIndex - 1)}): ${JSON.stringify(value)} is not a number`;
    case 'MISSING COLUMNS':
    case 'TOO MANY COLUMNS':
      return `${where}: expected ${layout.fieldCount} fields like the first line, ${r.message.replace(/^Expected Number of Columns: \d+ /, '')}: ${JSON.stringify(value.slice(0, 80))}`;
    case 'LINE SIZE OVER MAXIMUM':
      return `${where}: the line is too long to be a rating (${r.message.slice(0, 300)})`;
    case 'UNQUOTED VALUE':
      return `${where}: unterminated quoted field`;
    default:
      return `${where}${r.columnIndex === null ? '' : `, column ${r.columnIndex}`}: ${r.message.slice(0, 300)}`;
  }
}

/**
 * Rows DuckDB rejected and rows the builder refused, by line, the first few described. The
 * builder counts the rows DuckDB passed on; its refused rows are placed among the file's lines by
 * skipping the rejected lines, so they are left out when the rejects kept are not all of them.
 */
async function badRowsError(path: string, layout: RatingsFileLayout, rejected: Rejects, builder: RatingsBuilder) {
  const complete = rejected.first.length === rejected.errors;
  const problems = complete ? builder.problems : [];
  const lines = await lineOfRows(
    path,
    layout,
    problems.map((p) => p.row),
    new Set(rejected.first.map((r) => r.line)),
  );
  const refused = problems.map((p) => {
    const column = layout.columns[p.field];
    const at = lines.get(p.row);
    const text = at?.text.split(layout.delimiter)[column]?.trim();
    const value = text === undefined ? p.value : JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
    return { line: at?.line ?? 0, text: `line ${at?.line ?? '?'}, column ${column + 1} (${p.field}): ${value} ${p.why}` };
  });
  const byLine = new Map(rejected.first.map((r) => [r.line, { line: r.line, text: describeReject(r, layout) }]));
  const shown = [...byLine.values(), ...refused].sort((a, b) => a.line - b.line).slice(0, MAX_REPORTED);
  return badRows(
    path,
    rejected.lines + builder.badRows,
    shown.map((s) => s.text),
  );
}

function badRows(path: string, count: number, shown: readonly string[]) {
  const more = count > shown.length ? ` (and ${count - shown.length} more)` : '';
  return invalid(`${path}: ${count} bad row${count === 1 ? '' : 's'}${more}: ${shown.join('; ')}`, { source: path, badRows: count });
}

async function negativeWarning(path: string, layout: RatingsFileLayout, built: BuiltRatings): Promise<string[]> {
  const { count, firstRow } = built.negative;
  if (count === 0) return [];
  const line = (await lineOfRows(path, layout, [firstRow])).get(firstRow)?.line ?? '?';
  return [
    `${path}: ${count.toLocaleString('en-US')} negative rating${count === 1 ? '' : 's'} (the first at line ${line}, column ${layout.columns.rating + 1}); a rating scale that excludes them refuses them`,
  ];
}

/**
 * The entry for reading users' ratings files outside a warehouse (`recpipe train --ratings`,
 * predefined folds): one private in-memory DuckDB for the whole read, closed afterwards.
 */
export async function withRatingsFileReader<T>(
  fn: (read: (path: string, opts?: ReadRatingsCsvOptions) => Promise<ReadRatingsResult>) => Promise<T>,
): Promise<T> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    return await fn((path, opts) => readRatingsCsv(conn, path, opts));
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}
