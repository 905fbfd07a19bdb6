import { randomBytes } from 'node:crypto';
import {
  BIGINT,
  DuckDBDoubleVector,
  DuckDBInstance,
  VARCHAR,
  type DuckDBConnection,
  type DuckDBValue,
  type DuckDBType,
  STRUCT,
  structValue,
} from '@duckdb/node-api';
import { RatingsBuilder, invalid, type BuiltRatings, type IdChunk, type RatingsBuilderOptions } from '../../core/index.js';
import { quoteIdent, quoteTableName } from '../identifiers.js';
import type { RatingColumns, TableName } from '../warehouse.js';
import { fromDuckDbError } from './errors.js';
import { lineOfRows, sniffRatingsFile, type RatingsFileLayout } from './ratings-file-layout.js';

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

/**
 * The one ratings reader for files: DuckDB's parallel CSV reader with explicit columns (no
 * sniffing of types) and `store_rejects`, streamed chunk by chunk into a RatingsBuilder, so the
 * text never lives in JS. Every bad row is an error naming file, line, column and value; nothing
 * is returned when any row is bad. Negative ratings come back as a counted warning.
 */
export async function readRatingsCsv(conn: DuckDBConnection, path: string, opts: RatingsBuilderOptions = {}): Promise<ReadRatingsResult> {
  const layout = await sniffRatingsFile(path);
  let attempt: Attempt = layout.idKinds;
  for (;;) {
    const builder = new RatingsBuilder({ ...opts, expectedRows: layout.expectedRows });
    const rejects = `recpipe_rejects_${randomBytes(6).toString('hex')}`;
    const { sql, params, types } = csvQuery(layout, attempt, rejects);
    try {
      await stream(conn, sql, [path, ...params], [VARCHAR, ...types], attempt, builder, layout.timestampColumn !== null);
    } catch (e) {
      await dropRejects(conn, rejects);
      throw invalid(`${path}: not a readable ratings file: ${fromDuckDbError(e).message.split('\n')[0]}`, { path });
    }
    // A read stopped early (an id beyond 2^53) leaves no rejects table.
    const rejected = builder.inexact ? (await dropRejects(conn, rejects), []) : await readRejects(conn, rejects);
    const retry = textRetry(attempt, rejected, layout, builder);
    if (retry) {
      attempt = retry;
      continue;
    }
    if (rejected.length > 0 || builder.badRows > 0) throw await badRowsError(path, layout, rejected, builder);
    const built = builder.finish(path);
    return { ...built, warnings: await negativeWarning(path, layout, built) };
  }
}

/**
 * The same path for a table (training jobs): the three columns cast in DuckDB (NULLs in-band as
 * NaN or null), streamed into the builder. A numeric id column holding an integer beyond 2^53 is
 * read again as text.
 */
export async function readRatingsTable(
  conn: DuckDBConnection,
  table: TableName,
  columns: RatingColumns,
  open: () => RatingsBuilder,
): Promise<RatingsBuilder> {
  let attempt: Attempt = { user: columns.userAs, item: columns.itemAs };
  for (;;) {
    const builder = open();
    const cast = (name: string, kind: IdReadKind) =>
      kind === 'text' ? `CAST(${quoteIdent(name)} AS VARCHAR)` : `coalesce(CAST(${quoteIdent(name)} AS DOUBLE), 'NaN'::DOUBLE)`;
    const sql = `SELECT ${cast(columns.user, attempt.user)}, ${cast(columns.item, attempt.item)}, ${cast(columns.rating, 'number')} FROM ${quoteTableName(table)}`;
    await stream(conn, sql, [], [], attempt, builder, false).catch((e: unknown) => {
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

/** read_csv over every column of the file, ids and rating typed, NULLs arriving in-band as NaN. */
function csvQuery(layout: RatingsFileLayout, attempt: Attempt, rejects: string) {
  const names = Array.from({ length: layout.fieldCount }, (_, c) => `c${c + 1}`);
  const typeOf = (c: number): string =>
    c === layout.columns.user
      ? kindType(attempt.user)
      : c === layout.columns.item
        ? kindType(attempt.item)
        : c === layout.columns.rating || c === layout.timestampColumn
          ? 'DOUBLE'
          : 'VARCHAR';
  const struct = STRUCT(Object.fromEntries(names.map((n) => [n, VARCHAR])));
  const named: [string, DuckDBValue, DuckDBType][] = [
    ['skip', BigInt(layout.headerLine), BIGINT],
    ['delim', layout.delimiter, VARCHAR],
    ['columns', structValue(Object.fromEntries(names.map((n, c) => [n, typeOf(c)]))), struct],
    ['rejects_table', rejects, VARCHAR],
    ['rejects_scan', `${rejects}_scan`, VARCHAR],
  ];
  const args = [
    'auto_detect = false',
    'header = false',
    "quote = '\"'",
    "escape = '\"'",
    'store_rejects = true',
    ...named.map(([k]) => `${k} = ?`),
  ].join(', ');
  const pick = (c: number, kind: IdReadKind | 'rating') => (kind === 'text' ? names[c] : `coalesce(${names[c]}, 'NaN'::DOUBLE)`);
  const { user, item, rating } = layout.columns;
  const time = layout.timestampColumn === null ? '' : `, ${pick(layout.timestampColumn, 'rating')}`;
  const sql = `SELECT ${pick(user, attempt.user)}, ${pick(item, attempt.item)}, ${pick(rating, 'rating')}${time} FROM read_csv(?, ${args})`;
  return { sql, params: named.map(([, v]) => v), types: named.map(([, , t]) => t) };
}

const kindType = (k: IdReadKind): string => (k === 'number' ? 'DOUBLE' : 'VARCHAR');

interface Reject {
  readonly line: number;
  readonly column: number | null;
  readonly type: string;
  readonly value: string;
  readonly message: string;
}

async function readRejects(conn: DuckDBConnection, rejects: string): Promise<Reject[]> {
  const r = await conn.runAndReadAll(
    `SELECT line, column_idx, error_type, left(csv_line, 200) AS csv_line, left(error_message, 300) AS error_message FROM temp.main.${quoteIdent(rejects)} ORDER BY line, column_idx`,
  );
  await dropRejects(conn, rejects);
  return r.getRowObjects().map((row) => ({
    line: Number(row.line),
    column: row.column_idx === null ? null : Number(row.column_idx),
    type: String(row.error_type),
    value: /Could not convert string "(.*)" to/s.exec(String(row.error_message))?.[1] ?? String(row.csv_line).replace(/^\r?\n/, ''),
    message: String(row.error_message),
  }));
}

async function dropRejects(conn: DuckDBConnection, rejects: string): Promise<void> {
  await conn.run(`DROP TABLE IF EXISTS temp.main.${quoteIdent(rejects)}`).catch(() => undefined);
  await conn.run(`DROP TABLE IF EXISTS temp.main.${quoteIdent(rejects + '_scan')}`).catch(() => undefined);
}

/** An id column sniffed as numeric that holds text (or integers beyond 2^53) is read again as text. */
function textRetry(attempt: Attempt, rejected: readonly Reject[], layout: RatingsFileLayout, builder: RatingsBuilder): Attempt | null {
  const next = { ...attempt };
  if (builder.inexact) next[builder.inexact] = 'text';
  for (const r of rejected) {
    if (r.type !== 'CAST' || r.column === null) continue;
    if (r.column - 1 === layout.columns.user) next.user = 'text';
    if (r.column - 1 === layout.columns.item) next.item = 'text';
  }
  return next.user !== attempt.user || next.item !== attempt.item ? next : null;
}

function describeReject(r: Reject, layout: RatingsFileLayout): string {
  const where = `line ${r.line}`;
  switch (r.type) {
    case 'CAST':
      return `${where}, column ${r.column} (${layout.fieldName(r.column === null ? -1 : r.column - 1)}): ${JSON.stringify(r.value)} is not a number`;
    case 'MISSING COLUMNS':
    case 'TOO MANY COLUMNS':
      return `${where}: expected ${layout.fieldCount} fields like the first line, ${r.message.replace(/^Expected Number of Columns: \d+ /, '')}: ${JSON.stringify(r.value.slice(0, 80))}`;
    case 'LINE SIZE OVER MAXIMUM':
      return `${where}: the line is too long to be a rating (${r.message})`;
    case 'UNQUOTED VALUE':
      return `${where}: unterminated quoted field`;
    default:
      return `${where}${r.column === null ? '' : `, column ${r.column}`}: ${r.message}`;
  }
}

/** Rows DuckDB rejected and rows the builder refused, by line, the first few described. */
async function badRowsError(path: string, layout: RatingsFileLayout, rejected: readonly Reject[], builder: RatingsBuilder) {
  const lines = await lineOfRows(
    path,
    layout,
    builder.problems.map((p) => p.row),
    new Set(rejected.map((r) => r.line)),
  );
  const refused = builder.problems.map((p) => {
    const column = layout.columns[p.field];
    const at = lines.get(p.row);
    const text = at?.text.split(layout.delimiter)[column]?.trim();
    const value = text === undefined ? p.value : JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
    return { line: at?.line ?? 0, text: `line ${at?.line ?? '?'}, column ${column + 1} (${p.field}): ${value} ${p.why}` };
  });
  const byLine = new Map(rejected.map((r) => [r.line, { line: r.line, text: describeReject(r, layout) }]));
  const shown = [...byLine.values(), ...refused].sort((a, b) => a.line - b.line).slice(0, MAX_REPORTED);
  return badRows(
    path,
    byLine.size + builder.badRows,
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
  fn: (read: (path: string, opts?: RatingsBuilderOptions) => Promise<ReadRatingsResult>) => Promise<T>,
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
