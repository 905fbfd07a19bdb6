import { statSync } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { invalid, notFound } from '../../core/errors.js';
import { quoteIdent, quoteTableName } from '../identifiers.js';
import type { CsvFileOutcome, CsvLoadRequest, CsvOptions, CsvRowError, OnError, TableName } from '../warehouse.js';
import { firstRowError } from './csv-errors.js';
import { duckdbCall } from './errors.js';
import { mixedLineEndsError, readCsv, rejectsName, takeRejects, type CsvDialect } from './read-csv.js';

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
 * COPY INTO for CSV files on the one CSV reader (read-csv.ts): explicit columns typed from the
 * target table (no sniffing), rejects to learn each bad row's line, column and error while the
 * good rows stream on, and transactions to give Snowflake's ON_ERROR semantics:
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
  const rejects = rejectsName();
  let plans: ColumnPlan[];
  let inserted;
  try {
    plans = await planColumns(conn, file, req.options, columns);
    const { sql, params, types } = insertStatement(file, req.table, plans, req.options, rejects);
    inserted = await conn.run(sql, params, types);
  } catch (e) {
    const compressed = req.options.compression === 'gzip' || (req.options.compression === 'auto' && /\.gz$/i.test(file));
    throw (await mixedLineEndsError(file, e, compressed)) ?? e;
  }
  const rowsLoaded = Number(inserted.rowsChanged);
  const rejected = await takeRejects(conn, rejects, 1);
  const firstError: CsvRowError | null = rejected.first.length > 0 ? firstRowError(rejected.first[0], plans) : null;
  return {
    file,
    status: rejected.errors === 0 ? 'LOADED' : rowsLoaded > 0 ? 'PARTIALLY_LOADED' : 'LOAD_FAILED',
    rowsParsed: rowsLoaded + rejected.lines,
    rowsLoaded,
    errorsSeen: rejected.errors,
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
  const asText = columns.map((c) => ({ name: c.name, readAs: 'VARCHAR' }));
  const { from, params, types } = readCsv(file, asText, dialect(o), 'skip');
  const firsts = timestamps.map((c) => `first(${quoteIdent(c.name)}) FILTER (WHERE ${quoteIdent(c.name)} IS NOT NULL)`).join(', ');
  const sql = `SELECT ${firsts} FROM (SELECT * FROM ${from} LIMIT 100)`;
  const r = await conn.runAndReadAll(sql, params, types);
  const row = r.getRows()[0] ?? [];
  return new Set(timestamps.filter((_, i) => typeof row[i] === 'string' && /^\s*-?\d+\s*$/.test(row[i] as string)).map((c) => c.name));
}

function insertStatement(file: string, table: TableName, plans: readonly ColumnPlan[], o: CsvOptions, rejects: string) {
  const { from, params, types } = readCsv(file, plans, dialect(o), { rejects });
  const names = plans.map((p) => quoteIdent(p.name)).join(', ');
  const exprs = plans.map((p) => p.expr).join(', ');
  return { sql: `INSERT INTO ${quoteTableName(table)} (${names}) SELECT ${exprs} FROM ${from}`, params, types };
}

/** Snowflake's file format options as read_csv's: an empty field is NULL only when EMPTY_FIELD_AS_NULL says so. */
function dialect(o: CsvOptions): CsvDialect {
  return {
    skip: o.skipHeader,
    delimiter: o.delimiter,
    quote: o.quote,
    escape: o.escape || o.quote,
    nullStrings: o.emptyFieldAsNull && !o.nullIf.includes('') ? [...o.nullIf, ''] : [...o.nullIf],
    compression: o.compression,
    padColumns: !o.errorOnColumnCountMismatch,
  };
}
