/**
 * The narrow seam between recpipe and the database that stores tables. The SQL layer translates
 * Snowflake-flavoured statements into the adapter's dialect and hands them to `run`; jobs read and
 * write whole tables through the typed-array methods without going through SQL text at all.
 */

import type { RatingsBuilder } from '../core/ratings-builder.js';

/** A value bound to a statement parameter (`?`). */
export type SqlParam = null | boolean | number | bigint | string;

/** A fully resolved table name, each part exactly as stored (unquoted Snowflake names are upper case). */
export interface TableName {
  readonly database: string;
  readonly schema: string;
  readonly name: string;
}

export interface ResultColumn {
  readonly name: string;
  /** The adapter's type text: BIGINT, DOUBLE, VARCHAR, JSON, DECIMAL(10,2), TIMESTAMP, INTEGER[] … */
  readonly type: string;
}

export interface RunResult {
  readonly columns: readonly ResultColumn[];
  /** JSON-safe values: safe bigints as numbers (else decimal strings), dates and times as ISO strings, JSON parsed. */
  readonly rows: unknown[][];
  /** Rows inserted, updated or deleted by a data-changing statement; 0 otherwise. */
  readonly rowsChanged: number;
  /** True when the statement produces a result set (SELECT, SHOW …), false for DDL and DML. */
  readonly returnsRows: boolean;
  /** The adapter's statement kind, e.g. SELECT, INSERT, UPDATE, DELETE, CREATE, DROP. */
  readonly statementType: string;
}

/** A session's claim on a connection across calls (see Warehouse.withConnection). */
export interface ConnectionPin {
  readonly key: string;
  readonly keep: () => boolean;
}

/** The rows of a result as objects keyed by column name, for readers that name what they read. */
export function rowRecords(r: RunResult): Record<string, unknown>[] {
  return r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c.name, row[i]])));
}

/** A sequence of statements on one connection: a transaction begun here is still open on the next call. */
export interface WarehouseConnection {
  /** The warehouse's number for this connection, as SQL functions see it in FunctionCallContext.connection. */
  readonly id: number;
  run(sql: string, params?: readonly SqlParam[]): Promise<RunResult>;
  /**
   * Where one-part table names resolve; null for "no current database" (nothing resolves). `role`,
   * when given, is the calling session's role that SQL functions see; omitted, the connection keeps its last one.
   * `session`, likewise, is the id of the session whose statements run next (functions see it).
   */
  useSchema(database: string | null, schema: string | null, role?: string, session?: string): Promise<void>;
  /** Cancels what runs on this connection for the rest of the caller's use (each statement fails with an interrupt error). */
  interrupt(): void;
}

export interface ColumnInfo {
  readonly name: string;
  readonly type: string;
  readonly nullable: boolean;
  readonly defaultValue: string | null;
}

export interface TableInfo extends TableName {
  readonly kind: 'TABLE' | 'VIEW';
  readonly rowCount: number | null;
  readonly bytes: number | null;
  readonly comment: string | null;
}

/** How a column is delivered to typed-array readers (the cast happens in the database). */
export type ColumnKind = 'float64' | 'float32' | 'int32' | 'string';

export interface ColumnRequest {
  readonly name: string;
  readonly as: ColumnKind;
}

/** The columns of a ratings table and how its id columns travel (numbers as doubles, or text). */
export interface RatingColumns {
  readonly user: string;
  readonly item: string;
  readonly rating: string;
  readonly userAs: 'number' | 'text';
  readonly itemAs: 'number' | 'text';
  /** A fourth column of when each rating was given, read as seconds: a TIMESTAMP/DATE's epoch, or a number as it is. */
  readonly timestamp?: { readonly name: string; readonly as: 'epoch' | 'number' };
}

export type ColumnArray = Float64Array | Float32Array | Int32Array | (string | null)[];

export interface TableColumns {
  readonly rowCount: number;
  /** Arrays by requested column name; NULL reads as NaN in float columns and as null in strings. */
  readonly columns: Readonly<Record<string, ColumnArray>>;
}

/** Column types a writer may declare; JSON columns take already-serialised JSON text. */
export type WriteColumnType = 'DOUBLE' | 'BIGINT' | 'INTEGER' | 'VARCHAR' | 'JSON' | 'BOOLEAN';

/**
 * Text cells as UTF-8 bytes, row r being bytes[offsets[r] … offsets[r+1]): written without a JS
 * string per row. In a JSON column the writer trusts the bytes to be valid JSON (no re-parse).
 */
export interface TextBytes {
  readonly bytes: Uint8Array;
  readonly offsets: Int32Array;
}

/**
 * A JSON column of integer arrays: row r is the JSON array of ids[items[r × width + j]] for j <
 * width, stopping at the first -1. Top-N lists in this form become JSON inside the warehouse,
 * without a text round trip; ids must be safe integers.
 */
export interface IdLists {
  readonly items: Int32Array;
  readonly width: number;
  readonly ids: Float64Array;
}

export const isTextBytes = (v: WriteColumn['values']): v is TextBytes => 'bytes' in v && 'offsets' in v;

export const isIdLists = (v: WriteColumn['values']): v is IdLists => 'items' in v && 'width' in v && 'ids' in v;

/** Rows in a write column, whatever its representation. */
export const columnRows = (values: WriteColumn['values']): number =>
  isTextBytes(values) ? values.offsets.length - 1 : isIdLists(values) ? values.items.length / values.width : values.length;

const utf8 = new TextDecoder();

/** Row `r` of a write column as a plain value (text bytes decoded, id lists as JSON text): for writers that bind values one by one. */
export function columnValue(values: WriteColumn['values'], r: number): string | number | boolean | null {
  if (isTextBytes(values)) return utf8.decode(values.bytes.subarray(values.offsets[r], values.offsets[r + 1]));
  if (isIdLists(values)) {
    const row: number[] = [];
    for (let j = 0; j < values.width; j++) {
      const item = values.items[r * values.width + j];
      if (item < 0) break;
      row.push(values.ids[item]);
    }
    return JSON.stringify(row);
  }
  return values[r];
}

/** One column of a table write; in DOUBLE and INTEGER columns NaN writes as NULL. */
export interface WriteColumn {
  readonly name: string;
  readonly type: WriteColumnType;
  readonly values: Float64Array | Float32Array | Int32Array | readonly (string | number | boolean | null)[] | TextBytes | IdLists;
}

/** CSV dialect and error policy of one load (the adapter-neutral form of a Snowflake file format). */
export interface CsvOptions {
  readonly skipHeader: number;
  readonly delimiter: string;
  /** '' when fields are never enclosed. */
  readonly quote: string;
  readonly escape: string;
  /** Field texts read as NULL. */
  readonly nullIf: readonly string[];
  /** Unquoted empty fields read as NULL (a quoted empty field stays an empty string). */
  readonly emptyFieldAsNull: boolean;
  readonly errorOnColumnCountMismatch: boolean;
  readonly compression: 'auto' | 'gzip' | 'none';
}

/**
 * `abort` loads nothing when any row of any file is bad; `continue` loads the good rows;
 * `skip-file` loads nothing from a file with at least `skipFileAfter` bad rows (1 = any).
 */
export type OnError =
  | { readonly kind: 'abort' }
  | { readonly kind: 'continue' }
  | { readonly kind: 'skip-file'; readonly limit: number; readonly percent: boolean };

export interface CsvLoadRequest {
  readonly table: TableName;
  /** Target columns in file order (default: all columns of the table in table order). */
  readonly columns?: readonly string[];
  readonly files: readonly string[];
  readonly options: CsvOptions;
  readonly onError: OnError;
}

/** The first bad row of a file: 1-based line (header lines count) and character within that line. */
export interface CsvRowError {
  readonly message: string;
  readonly line: number;
  readonly character: number;
  readonly columnName: string | null;
  /** 1-based position of the column in the load's column list, when known. */
  readonly columnPosition: number | null;
}

export interface CsvFileOutcome {
  readonly file: string;
  readonly status: 'LOADED' | 'LOAD_FAILED' | 'PARTIALLY_LOADED';
  readonly rowsParsed: number;
  readonly rowsLoaded: number;
  readonly errorsSeen: number;
  readonly firstError: CsvRowError | null;
}

/** Where the calling statement's one-part names resolve: its session's current database and schema. */
export interface FunctionCallContext {
  readonly database: string | null;
  readonly schema: string | null;
  /** The calling session's current role (for privilege checks); null when no session set one. */
  readonly role: string | null;
  /** The calling session's id, when the caller named one (functions that start work report back to it). */
  readonly session?: string;
  /** The calling connection (WarehouseConnection.id), so per-statement state can follow a call; absent when unknown. */
  readonly connection?: number;
}

/** Argument and result types of JS-implemented SQL functions; ANY takes whatever the caller passes. */
export type FunctionValueType = 'ANY' | 'VARCHAR' | 'DOUBLE' | 'BIGINT' | 'JSON';

/** A value as a function receives it: decimals arrive as numbers, integers beyond 2^53 as bigint. */
export type FunctionArg = null | boolean | number | bigint | string;

/**
 * A scalar SQL function implemented in JavaScript. The database calls `invoke` synchronously with
 * one batch of rows at a time (argument columns, up to a few thousand rows), so long work must be
 * started, not awaited. Throwing fails the calling statement with the error's message.
 */
export interface ScalarFunctionSpec {
  readonly name: string;
  readonly parameters: readonly FunctionValueType[];
  readonly returns: Exclude<FunctionValueType, 'ANY'>;
  readonly invoke: (args: readonly (readonly FunctionArg[])[], rows: number, ctx: FunctionCallContext) => ArrayLike<unknown>;
  /**
   * Throws the function's "Unknown function" error when, for the calling session, no function stands behind
   * this name (a dropped external function stays registered in DuckDB): a guard asks before refusing a role.
   */
  readonly requireDefined?: (ctx: FunctionCallContext) => void;
}

export interface Warehouse {
  /** Runs one statement on a pooled connection. */
  run(sql: string, params?: readonly SqlParam[]): Promise<RunResult>;
  /**
   * Runs statements without parameters (a store's CREATE … IF NOT EXISTS) as one transaction in one
   * call: every home open runs some forty of them, and one commit is a fraction of the cost of forty.
   */
  runScript(statements: readonly string[]): Promise<void>;
  /**
   * Runs `fn` on one connection held for its whole duration (statements, transactions, search path).
   * With `pin`, the connection stays with `pin.key` (a session) after `fn` while `pin.keep()` is true,
   * and the next call with that key gets it again: a transaction spans requests.
   */
  withConnection<T>(fn: (conn: WarehouseConnection) => Promise<T>, pin?: ConnectionPin): Promise<T>;
  /** Rolls back and frees the connection pinned to `key`, if any. */
  releasePinned(key: string): Promise<void>;
  /**
   * A number that changes whenever the catalog (tables and their columns) may have changed, so facts
   * read from it can be cached until then; absent when the warehouse cannot tell (nothing is cached).
   */
  catalogVersion?(): number;

  /** Makes a database file available under `name`, creating the file if missing. */
  attachDatabase(name: string, file: string): Promise<void>;
  detachDatabase(name: string): Promise<void>;
  listSchemas(database: string): Promise<string[]>;
  listTables(filter: { database?: string; schema?: string }): Promise<TableInfo[]>;
  /** Columns of a table or view in order, or null when it does not exist. */
  tableColumns(table: TableName): Promise<ColumnInfo[] | null>;

  /** Reads whole columns into typed arrays (the fast path for training jobs). */
  readColumns(table: TableName, columns: readonly ColumnRequest[]): Promise<TableColumns>;
  /**
   * Streams a ratings table's three columns, in table order, into a builder from `open` (given the
   * table's row count, to size its arrays once; ids read as
   * numbers or text; a numeric id column holding an integer beyond 2^53 is read again as text,
   * into a fresh builder). Returns the builder that saw every row.
   */
  readRatings(table: TableName, columns: RatingColumns, open: (expectedRows?: number) => RatingsBuilder): Promise<RatingsBuilder>;
  /** Creates or replaces `table` with exactly these rows, atomically: readers see the old or the new table. */
  writeTable(table: TableName, columns: readonly WriteColumn[]): Promise<number>;
  /**
   * Loads CSV files into an existing table, one outcome per file processed. Under `abort` the first
   * bad file stops the load and is the last outcome; every file's rows are rolled back, so every
   * outcome is then LOAD_FAILED with no rows loaded.
   */
  loadCsv(request: CsvLoadRequest): Promise<CsvFileOutcome[]>;

  /** Makes a JS function callable from SQL on every connection. */
  registerFunction(spec: ScalarFunctionSpec): Promise<void>;

  close(): Promise<void>;
}
