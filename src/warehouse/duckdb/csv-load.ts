import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
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
} from '@duckdb/node-api';
import { invalid, notFound } from '../../core/errors.js';
import { quoteIdent, quoteTableName } from '../identifiers.js';
import type { CsvFileOutcome, CsvLoadRequest, CsvOptions, CsvRowError, OnError, TableName } from '../warehouse.js';
import { firstRowError, type RejectRow } from './csv-errors.js';
import { duckdbCall } from './errors.js';

interface TargetColumn {
  readonly name: string;
  readonly type: string;
}

/** How one target column is read from the file and turned into the stored value. */
interface ColumnPlan extends TargetColumn {
  readonly readAs: string;
  readonly expr: string;
}

/**
 * COPY INTO for CSV files on DuckDB's `read_csv`: explicit columns typed from the target table
 * (no sniffing), `store_rejects` to learn each bad row's line, column and error while the good
 * rows stream on, and transactions to give Snowflake's ON_ERROR semantics:
 * abort — one transaction for all files, rolled back at the first bad file;
 * continue — each file commits its good rows;
 * skip-file — each file commits only when its bad rows stay under the limit.
 */
export async function loadCsv(conn: DuckDBConnection, req: CsvLoadRequest): Promise<CsvFileOutcome[]> {
  const columns = await targetColumns(conn, req.table, req.columns);
  return duckdbCall(async () => {
    if (req.onError.kind === 'abort') return loadAllOrNothing(conn, req, columns);
    const outcomes: CsvFileOutcome[] = [];
    for (const file of req.files) outcomes.push(await loadFileOnItsOwn(conn, req, columns, file));
    return outcomes;
  });
}

async function loadAllOrNothing(conn: DuckDBConnection, req: CsvLoadRequest, columns: readonly TargetColumn[]): Promise<CsvFileOutcome[]> {
  const outcomes: CsvFileOutcome[] = [];
  await conn.run('BEGIN TRANSACTION');
  try {
    for (const file of req.files) {
      const o = await loadFile(conn, req, columns, file);
      if (o.errorsSeen > 0) {
        await conn.run('ROLLBACK');
        return [...outcomes, o].map((p) => ({ ...p, rowsLoaded: 0, status: 'LOAD_FAILED' }));
      }
      outcomes.push(o);
    }
    await conn.run('COMMIT');
    return outcomes;
  } catch (e) {
    await conn.run('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

async function loadFileOnItsOwn(
  conn: DuckDBConnection,
  req: CsvLoadRequest,
  columns: readonly TargetColumn[],
  file: string,
): Promise<CsvFileOutcome> {
  await conn.run('BEGIN TRANSACTION');
  try {
    const o = await loadFile(conn, req, columns, file);
    if (skipsFile(req.onError, o)) {
      await conn.run('ROLLBACK');
      return { ...o, rowsLoaded: 0, status: 'LOAD_FAILED' };
    }
    await conn.run('COMMIT');
    return o;
  } catch (e) {
    await conn.run('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

function skipsFile(onError: OnError, o: CsvFileOutcome): boolean {
  if (onError.kind !== 'skip-file' || o.errorsSeen === 0) return false;
  const measure = onError.percent ? (100 * o.errorsSeen) / Math.max(1, o.rowsParsed) : o.errorsSeen;
  return measure >= onError.limit;
}

async function loadFile(
  conn: DuckDBConnection,
  req: CsvLoadRequest,
  columns: readonly TargetColumn[],
  file: string,
): Promise<CsvFileOutcome> {
  const size = fileSize(file);
  if (size === 0) return emptyFileOutcome(file);
  const plans = await planColumns(conn, file, req.options, columns);
  const rejects = `recpipe_rejects_${randomBytes(6).toString('hex')}`;
  const { sql, params, types } = insertStatement(req.table, plans, req.options, rejects);
  const inserted = await conn.run(sql, [file, ...params], [VARCHAR, ...types]);
  const rowsLoaded = Number(inserted.rowsChanged);
  const rejectRows = await readRejects(conn, rejects);
  const badLines = new Set(rejectRows.map((r) => r.line)).size;
  const firstError: CsvRowError | null = rejectRows.length > 0 ? firstRowError(rejectRows[0], plans) : null;
  return {
    file,
    status: rejectRows.length === 0 ? 'LOADED' : rowsLoaded > 0 ? 'PARTIALLY_LOADED' : 'LOAD_FAILED',
    rowsParsed: rowsLoaded + badLines,
    rowsLoaded,
    errorsSeen: rejectRows.length,
    firstError,
  };
}

function fileSize(file: string): number {
  try {
    const st = statSync(file);
    if (!st.isFile()) throw invalid(`${file} is not a regular file`);
    return st.size;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw notFound(`file ${file} does not exist`);
    throw e;
  }
}

function emptyFileOutcome(file: string): CsvFileOutcome {
  const firstError = {
    message: 'File is empty: it has no header and no rows to load',
    line: 1,
    character: 1,
    columnName: null,
    columnPosition: null,
  };
  return { file, status: 'LOAD_FAILED', rowsParsed: 0, rowsLoaded: 0, errorsSeen: 1, firstError };
}

async function targetColumns(conn: DuckDBConnection, table: TableName, wanted: readonly string[] | undefined): Promise<TargetColumn[]> {
  const r = await duckdbCall(() =>
    conn.runAndReadAll(
      `SELECT column_name, data_type FROM duckdb_columns()
        WHERE lower(database_name) = lower(?) AND lower(schema_name) = lower(?) AND lower(table_name) = lower(?) ORDER BY column_index`,
      [table.database, table.schema, table.name],
    ),
  );
  const all = r.getRowObjects().map((row) => ({ name: String(row.column_name), type: String(row.data_type) }));
  if (all.length === 0) throw notFound(`table ${quoteTableName(table)} does not exist`);
  if (!wanted) return all;
  return wanted.map((w) => {
    const col = all.find((c) => c.name.toLowerCase() === w.toLowerCase());
    if (!col) throw invalid(`column ${w} does not exist in ${quoteTableName(table)} (columns: ${all.map((c) => c.name).join(', ')})`);
    return col;
  });
}

/**
 * Timestamps may arrive as epoch seconds (ratings.csv) or as text. The first value of each
 * timestamp column decides how the whole column is read, so bad values of that form still come
 * back as rejected rows with their line numbers. Epoch values follow Snowflake's magnitude rule
 * (seconds, then milliseconds, microseconds, nanoseconds).
 */
async function planColumns(conn: DuckDBConnection, file: string, o: CsvOptions, columns: readonly TargetColumn[]): Promise<ColumnPlan[]> {
  const timestamps = columns.filter((c) => c.type.startsWith('TIMESTAMP'));
  const epoch = timestamps.length > 0 ? await epochColumns(conn, file, o, columns, timestamps) : new Set<string>();
  return columns.map((c) => {
    const ref = quoteIdent(c.name);
    if (epoch.has(c.name)) {
      const micros = `CASE WHEN abs(${ref}) < 31536000000 THEN ${ref} * 1000000 WHEN abs(${ref}) < 31536000000000 THEN ${ref} * 1000 WHEN abs(${ref}) < 31536000000000000 THEN ${ref} ELSE ${ref} // 1000 END`;
      return { ...c, readAs: 'BIGINT', expr: `CAST(make_timestamp(${micros}) AS ${c.type})` };
    }
    if (c.type === 'JSON')
      return { ...c, readAs: 'VARCHAR', expr: `CASE WHEN json_valid(${ref}) THEN CAST(${ref} AS JSON) ELSE to_json(${ref}) END` };
    return { ...c, readAs: c.type, expr: ref };
  });
}

async function epochColumns(
  conn: DuckDBConnection,
  file: string,
  o: CsvOptions,
  columns: readonly TargetColumn[],
  timestamps: readonly TargetColumn[],
): Promise<Set<string>> {
  const asText = columns.map((c) => ({ ...c, readAs: 'VARCHAR', expr: quoteIdent(c.name) }));
  const { args, params, types } = readCsvArguments(asText, o, null);
  const firsts = timestamps.map((c) => `first(${quoteIdent(c.name)}) FILTER (WHERE ${quoteIdent(c.name)} IS NOT NULL)`).join(', ');
  const sql = `SELECT ${firsts} FROM (SELECT * FROM read_csv(?, ${args}, ignore_errors = true) LIMIT 100)`;
  const r = await conn.runAndReadAll(sql, [file, ...params], [VARCHAR, ...types]);
  const row = r.getRows()[0] ?? [];
  return new Set(timestamps.filter((_, i) => typeof row[i] === 'string' && /^\s*-?\d+\s*$/.test(row[i] as string)).map((c) => c.name));
}

function insertStatement(table: TableName, plans: readonly ColumnPlan[], o: CsvOptions, rejects: string) {
  const { args, params, types } = readCsvArguments(plans, o, rejects);
  const names = plans.map((p) => quoteIdent(p.name)).join(', ');
  const exprs = plans.map((p) => p.expr).join(', ');
  const sql = `INSERT INTO ${quoteTableName(table)} (${names}) SELECT ${exprs} FROM read_csv(?, ${args})`;
  return { sql, params, types };
}

/** read_csv's named arguments, every value bound (the column struct included). */
function readCsvArguments(plans: readonly ColumnPlan[], o: CsvOptions, rejects: string | null) {
  const nulls = o.emptyFieldAsNull && !o.nullIf.includes('') ? [...o.nullIf, ''] : [...o.nullIf];
  const struct = STRUCT(Object.fromEntries(plans.map((p) => [p.name, VARCHAR])));
  const named: [string, DuckDBValue, DuckDBType][] = [
    ['skip', BigInt(o.skipHeader), BIGINT],
    ['delim', o.delimiter, VARCHAR],
    ['quote', o.quote, VARCHAR],
    ['escape', o.escape || o.quote, VARCHAR],
    ['nullstr', listValue(nulls), LIST(VARCHAR)],
    ['compression', o.compression, VARCHAR],
    ['columns', structValue(Object.fromEntries(plans.map((p) => [p.name, p.readAs]))), struct],
  ];
  if (rejects !== null) named.push(['rejects_table', rejects, VARCHAR], ['rejects_scan', `${rejects}_scan`, VARCHAR]);
  const fixed = ['auto_detect = false', 'header = false', 'allow_quoted_nulls = false'];
  if (rejects !== null) fixed.push('store_rejects = true');
  if (!o.errorOnColumnCountMismatch) fixed.push('null_padding = true', 'strict_mode = false');
  const args = [...fixed, ...named.map(([k]) => `${k} = ?`)].join(', ');
  return { args, params: named.map(([, v]) => v), types: named.map(([, , t]) => t) };
}

async function readRejects(conn: DuckDBConnection, rejects: string): Promise<RejectRow[]> {
  const r = await conn.runAndReadAll(
    `SELECT line, line_byte_position, byte_position, column_idx, column_name, error_type, csv_line, error_message
       FROM temp.main.${quoteIdent(rejects)} ORDER BY line, byte_position`,
  );
  const rows = r.getRowObjects().map((row) => ({
    line: Number(row.line),
    lineBytePosition: Number(row.line_byte_position ?? 0),
    bytePosition: Number(row.byte_position ?? 0),
    columnIndex: row.column_idx === null ? null : Number(row.column_idx),
    columnName: row.column_name === null ? null : String(row.column_name),
    errorType: String(row.error_type),
    csvLine: String(row.csv_line ?? ''),
    message: String(row.error_message ?? ''),
  }));
  await conn.run(`DROP TABLE IF EXISTS temp.main.${quoteIdent(rejects)}`);
  await conn.run(`DROP TABLE IF EXISTS temp.main.${quoteIdent(rejects + '_scan')}`);
  return rows;
}
