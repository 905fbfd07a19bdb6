import { rowRecords, type SqlParam, type Warehouse } from '../warehouse/index.js';
import { SYSTEM_DATABASE } from './identifiers.js';

/**
 * recpipe's own catalog lives in DuckDB tables of the system database RECPIPE (file
 * `<home>/recpipe.duckdb`), so it is transactional, survives restarts with the data, and is
 * queryable with plain SQL — `select * from recpipe.load_history` (or RECPIPE.PUBLIC.LOAD_HISTORY).
 * User SQL may read these tables but never write them. Names compare case-insensitively, as
 * DuckDB's catalog does.
 *
 * LOAD_HISTORY has the columns of Snowflake's INFORMATION_SCHEMA.LOAD_HISTORY view plus
 * CATALOG_NAME and the file's size and modification time (which decide whether COPY INTO without
 * FORCE skips a file it already loaded).
 */
const T = (name: string): string => `"${SYSTEM_DATABASE}"."PUBLIC"."${name}"`;

const DDL = [
  `CREATE SCHEMA IF NOT EXISTS "${SYSTEM_DATABASE}"."PUBLIC"`,
  `CREATE TABLE IF NOT EXISTS ${T('DATABASES')} (NAME VARCHAR PRIMARY KEY, FILE VARCHAR NOT NULL, OWNER VARCHAR, COMMENT VARCHAR, CREATED_ON TIMESTAMPTZ NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS ${T('WAREHOUSES')} (NAME VARCHAR PRIMARY KEY, SIZE VARCHAR NOT NULL, AUTO_SUSPEND BIGINT, AUTO_RESUME BOOLEAN NOT NULL,
     OPTIONS JSON NOT NULL, OWNER VARCHAR, COMMENT VARCHAR, CREATED_ON TIMESTAMPTZ NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS ${T('FILE_FORMATS')} (DATABASE_NAME VARCHAR NOT NULL, SCHEMA_NAME VARCHAR NOT NULL, NAME VARCHAR NOT NULL, TYPE VARCHAR NOT NULL,
     OPTIONS JSON NOT NULL, OWNER VARCHAR, COMMENT VARCHAR, CREATED_ON TIMESTAMPTZ NOT NULL, PRIMARY KEY (DATABASE_NAME, SCHEMA_NAME, NAME))`,
  `CREATE TABLE IF NOT EXISTS ${T('LOAD_HISTORY')} (CATALOG_NAME VARCHAR NOT NULL, SCHEMA_NAME VARCHAR NOT NULL, TABLE_NAME VARCHAR NOT NULL,
     FILE_NAME VARCHAR NOT NULL, FILE_SIZE BIGINT, FILE_MODIFIED TIMESTAMPTZ, LAST_LOAD_TIME TIMESTAMPTZ NOT NULL, STATUS VARCHAR NOT NULL,
     ROW_COUNT BIGINT NOT NULL, ROW_PARSED BIGINT NOT NULL, FIRST_ERROR_MESSAGE VARCHAR, FIRST_ERROR_LINE_NUMBER BIGINT,
     FIRST_ERROR_CHARACTER_POSITION BIGINT, FIRST_ERROR_COL_NAME VARCHAR, ERROR_COUNT BIGINT NOT NULL, ERROR_LIMIT BIGINT NOT NULL)`,
  // DuckDB keeps no creation time for a schema, nor for what the account has from the start (built-in roles, the system catalog).
  `CREATE TABLE IF NOT EXISTS ${T('SCHEMAS')} (DATABASE_NAME VARCHAR NOT NULL, NAME VARCHAR NOT NULL, CREATED_ON TIMESTAMPTZ NOT NULL,
     PRIMARY KEY (DATABASE_NAME, NAME))`,
  `CREATE TABLE IF NOT EXISTS ${T('ACCOUNT')} (CREATED_ON TIMESTAMPTZ NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS ${T('COLUMN_TYPES')} (DATABASE_NAME VARCHAR NOT NULL, SCHEMA_NAME VARCHAR NOT NULL, TABLE_NAME VARCHAR NOT NULL,
     COLUMN_NAME VARCHAR NOT NULL, DECLARED VARCHAR NOT NULL)`,
];

/** A table named in full, as the catalog keys what it records about tables. */
export interface TableKey {
  readonly database: string;
  readonly schema: string;
  readonly name: string;
}

const SAME_TABLE = 'upper(DATABASE_NAME) = upper(?) AND upper(SCHEMA_NAME) = upper(?) AND upper(TABLE_NAME) = upper(?)';

export interface DatabaseRecord {
  readonly name: string;
  readonly file: string;
  readonly owner: string | null;
  readonly comment: string | null;
  readonly createdOn: string;
}

export interface WarehouseRecord {
  readonly name: string;
  readonly size: string;
  readonly autoSuspend: number | null;
  readonly autoResume: boolean;
  readonly options: Record<string, unknown>;
  readonly owner: string | null;
  readonly comment: string | null;
  readonly createdOn: string;
}

export interface FileFormatRecord {
  readonly database: string;
  readonly schema: string;
  readonly name: string;
  readonly type: string;
  readonly options: Record<string, unknown>;
  readonly owner: string | null;
  readonly comment: string | null;
  readonly createdOn: string;
}

export interface LoadRecord {
  readonly database: string;
  readonly schema: string;
  readonly table: string;
  readonly file: string;
  readonly fileSize: number;
  readonly fileModified: Date;
  readonly status: string;
  readonly rowCount: number;
  readonly rowParsed: number;
  readonly firstErrorMessage: string | null;
  readonly firstErrorLine: number | null;
  readonly firstErrorCharacter: number | null;
  readonly firstErrorColumn: string | null;
  readonly errorCount: number;
  readonly errorLimit: number;
}

export class Catalog {
  private databases = new Map<string, DatabaseRecord>();
  private schemas = new Map<string, string>();

  private constructor(
    private readonly wh: Warehouse,
    /** When the home was made: the creation time of everything it has from the start (built-in roles, users, the system catalog). */
    readonly createdOn: string,
  ) {}

  /** Creates the system tables when missing; `fresh` seeds what a new Snowflake account has (COMPUTE_WH). */
  static async open(wh: Warehouse, fresh: boolean): Promise<Catalog> {
    await wh.runScript(DDL);
    const catalog = new Catalog(wh, await accountCreatedOn(wh));
    if (fresh) {
      await catalog.putWarehouse(
        { name: 'COMPUTE_WH', size: 'X-Small', autoSuspend: 600, autoResume: true, options: {}, owner: 'SYSADMIN', comment: null },
        false,
      );
    }
    await catalog.refreshDatabases();
    await catalog.refreshSchemas();
    return catalog;
  }

  private async refreshSchemas(): Promise<void> {
    const r = await this.wh.run(`SELECT DATABASE_NAME, NAME, CREATED_ON FROM ${T('SCHEMAS')}`);
    this.schemas = new Map(rowRecords(r).map((row) => [schemaKey(String(row.DATABASE_NAME), String(row.NAME)), String(row.CREATED_ON)]));
  }

  /**
   * When a schema was created: as recorded by CREATE SCHEMA or CREATE DATABASE (its PUBLIC), else the
   * schemas a database has from its start (PUBLIC, INFORMATION_SCHEMA) date from the database, and those
   * of the system catalog from the home. Null only for a schema made before recpipe recorded schemas.
   */
  schemaCreatedOn(database: string, schema: string): string | null {
    const recorded = this.schemas.get(schemaKey(database, schema));
    if (recorded !== undefined) return recorded;
    if (database.toUpperCase() === SYSTEM_DATABASE) return this.createdOn;
    const builtin = schema.toUpperCase() === 'PUBLIC' || schema.toUpperCase() === 'INFORMATION_SCHEMA';
    return builtin ? (this.database(database)?.createdOn ?? null) : null;
  }

  async addSchema(database: string, schema: string): Promise<void> {
    await this.wh.run(`DELETE FROM ${T('SCHEMAS')} WHERE upper(DATABASE_NAME) = upper(?) AND upper(NAME) = upper(?)`, [database, schema]);
    await this.wh.run(`INSERT INTO ${T('SCHEMAS')} VALUES (?, ?, current_timestamp)`, [database, schema]);
    await this.refreshSchemas();
  }

  private async refreshDatabases(): Promise<void> {
    const r = await this.wh.run(`SELECT NAME, FILE, OWNER, COMMENT, CREATED_ON FROM ${T('DATABASES')} ORDER BY NAME`);
    this.databases = new Map(
      rowRecords(r).map((row) => [
        String(row.NAME).toUpperCase(),
        {
          name: String(row.NAME),
          file: String(row.FILE),
          owner: str(row.OWNER),
          comment: str(row.COMMENT),
          createdOn: String(row.CREATED_ON),
        },
      ]),
    );
  }

  listDatabases(): DatabaseRecord[] {
    return [...this.databases.values()];
  }

  database(name: string): DatabaseRecord | undefined {
    return this.databases.get(name.toUpperCase());
  }

  async addDatabase(rec: Omit<DatabaseRecord, 'createdOn'>): Promise<void> {
    await this.wh.run(`INSERT INTO ${T('DATABASES')} VALUES (?, ?, ?, ?, current_timestamp)`, [rec.name, rec.file, rec.owner, rec.comment]);
    await this.refreshDatabases();
  }

  async removeDatabase(name: string): Promise<void> {
    await this.wh.run(`DELETE FROM ${T('DATABASES')} WHERE upper(NAME) = upper(?)`, [name]);
    await this.wh.run(`DELETE FROM ${T('SCHEMAS')} WHERE upper(DATABASE_NAME) = upper(?)`, [name]);
    await this.wh.run(`DELETE FROM ${T('FILE_FORMATS')} WHERE upper(DATABASE_NAME) = upper(?)`, [name]);
    await this.wh.run(`DELETE FROM ${T('LOAD_HISTORY')} WHERE upper(CATALOG_NAME) = upper(?)`, [name]);
    await this.wh.run(`DELETE FROM ${T('COLUMN_TYPES')} WHERE upper(DATABASE_NAME) = upper(?)`, [name]);
    await this.refreshDatabases();
    await this.refreshSchemas();
  }

  async warehouses(): Promise<WarehouseRecord[]> {
    const r = await this.wh.run(
      `SELECT NAME, SIZE, AUTO_SUSPEND, AUTO_RESUME, OPTIONS, OWNER, COMMENT, CREATED_ON FROM ${T('WAREHOUSES')} ORDER BY NAME`,
    );
    return rowRecords(r).map((row) => ({
      name: String(row.NAME),
      size: String(row.SIZE),
      autoSuspend: row.AUTO_SUSPEND === null ? null : Number(row.AUTO_SUSPEND),
      autoResume: row.AUTO_RESUME === true,
      options: (row.OPTIONS ?? {}) as Record<string, unknown>,
      owner: str(row.OWNER),
      comment: str(row.COMMENT),
      createdOn: String(row.CREATED_ON),
    }));
  }

  async warehouse(name: string): Promise<WarehouseRecord | undefined> {
    return (await this.warehouses()).find((w) => w.name.toUpperCase() === name.toUpperCase());
  }

  /** Inserts a warehouse, or replaces it when `replace` (keeping nothing of the old one, as CREATE OR REPLACE does). */
  async putWarehouse(w: Omit<WarehouseRecord, 'createdOn'>, replace: boolean): Promise<void> {
    if (replace) await this.removeWarehouse(w.name);
    await this.wh.run(`INSERT INTO ${T('WAREHOUSES')} VALUES (?, ?, ?, ?, ?, ?, ?, current_timestamp)`, [
      w.name,
      w.size,
      w.autoSuspend,
      w.autoResume,
      JSON.stringify(w.options),
      w.owner,
      w.comment,
    ]);
  }

  async removeWarehouse(name: string): Promise<void> {
    await this.wh.run(`DELETE FROM ${T('WAREHOUSES')} WHERE upper(NAME) = upper(?)`, [name]);
  }

  async fileFormats(filter: { database?: string; schema?: string }): Promise<FileFormatRecord[]> {
    const r = await this.wh.run(
      `SELECT DATABASE_NAME, SCHEMA_NAME, NAME, TYPE, OPTIONS, OWNER, COMMENT, CREATED_ON FROM ${T('FILE_FORMATS')}
        WHERE ($1::VARCHAR IS NULL OR upper(DATABASE_NAME) = upper($1)) AND ($2::VARCHAR IS NULL OR upper(SCHEMA_NAME) = upper($2))
        ORDER BY DATABASE_NAME, SCHEMA_NAME, NAME`,
      [filter.database ?? null, filter.schema ?? null],
    );
    return rowRecords(r).map((row) => ({
      database: String(row.DATABASE_NAME),
      schema: String(row.SCHEMA_NAME),
      name: String(row.NAME),
      type: String(row.TYPE),
      options: (row.OPTIONS ?? {}) as Record<string, unknown>,
      owner: str(row.OWNER),
      comment: str(row.COMMENT),
      createdOn: String(row.CREATED_ON),
    }));
  }

  async fileFormat(database: string, schema: string, name: string): Promise<FileFormatRecord | undefined> {
    return (await this.fileFormats({ database, schema })).find((f) => f.name.toUpperCase() === name.toUpperCase());
  }

  async putFileFormat(f: Omit<FileFormatRecord, 'createdOn'>, replace: boolean): Promise<void> {
    if (replace) await this.removeFileFormat(f.database, f.schema, f.name);
    const params: SqlParam[] = [f.database, f.schema, f.name, f.type, JSON.stringify(f.options), f.owner, f.comment];
    await this.wh.run(`INSERT INTO ${T('FILE_FORMATS')} VALUES (?, ?, ?, ?, ?, ?, ?, current_timestamp)`, params);
  }

  async removeFileFormat(database: string, schema: string, name: string): Promise<void> {
    await this.wh.run(
      `DELETE FROM ${T('FILE_FORMATS')} WHERE upper(DATABASE_NAME) = upper(?) AND upper(SCHEMA_NAME) = upper(?) AND upper(NAME) = upper(?)`,
      [database, schema, name],
    );
  }

  async removeSchemaObjects(database: string, schema: string): Promise<void> {
    await this.wh.run(`DELETE FROM ${T('SCHEMAS')} WHERE upper(DATABASE_NAME) = upper(?) AND upper(NAME) = upper(?)`, [database, schema]);
    this.schemas.delete(schemaKey(database, schema));
    await this.wh.run(`DELETE FROM ${T('FILE_FORMATS')} WHERE upper(DATABASE_NAME) = upper(?) AND upper(SCHEMA_NAME) = upper(?)`, [
      database,
      schema,
    ]);
    await this.wh.run(`DELETE FROM ${T('LOAD_HISTORY')} WHERE upper(CATALOG_NAME) = upper(?) AND upper(SCHEMA_NAME) = upper(?)`, [
      database,
      schema,
    ]);
    await this.wh.run(`DELETE FROM ${T('COLUMN_TYPES')} WHERE upper(DATABASE_NAME) = upper(?) AND upper(SCHEMA_NAME) = upper(?)`, [
      database,
      schema,
    ]);
  }

  async recordLoad(l: LoadRecord): Promise<void> {
    await this.wh.run(`INSERT INTO ${T('LOAD_HISTORY')} VALUES (?, ?, ?, ?, ?, ?, current_timestamp, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
      l.database,
      l.schema,
      l.table,
      l.file,
      l.fileSize,
      l.fileModified.toISOString(),
      l.status,
      l.rowCount,
      l.rowParsed,
      l.firstErrorMessage,
      l.firstErrorLine,
      l.firstErrorCharacter,
      l.firstErrorColumn,
      l.errorCount,
      l.errorLimit,
    ]);
  }

  /**
   * Forgets every load into a table: Snowflake keeps load metadata with the table object, so a
   * truncated, replaced or dropped table loads the same files again.
   */
  async forgetLoads(table: { database: string; schema: string; name: string }): Promise<void> {
    await this.wh.run(
      `DELETE FROM ${T('LOAD_HISTORY')} WHERE upper(CATALOG_NAME) = upper(?) AND upper(SCHEMA_NAME) = upper(?) AND upper(TABLE_NAME) = upper(?)`,
      [table.database, table.schema, table.name],
    );
  }

  /**
   * Column types as CREATE TABLE / ALTER TABLE declared them (VARCHAR(20), NUMBER(10,0) …), which
   * DuckDB's storage types do not keep; `columns` replaces what was recorded for the table (null
   * forgets the table). Metadata shows a declared type only while it fits the stored one.
   */
  async setColumnTypes(table: TableKey, columns: readonly (readonly [string, string])[] | null): Promise<void> {
    await this.wh.run(`DELETE FROM ${T('COLUMN_TYPES')} WHERE ${SAME_TABLE}`, [table.database, table.schema, table.name]);
    if (!columns?.length) return;
    // One INSERT for all the columns: one commit, where a statement per column cost one each.
    await this.wh.run(
      `INSERT INTO ${T('COLUMN_TYPES')} VALUES ${columns.map(() => '(?, ?, ?, ?, ?)').join(', ')}`,
      columns.flatMap(([column, declared]) => [table.database, table.schema, table.name, column, declared]),
    );
  }

  /** Declared column types of a database (or one table), keyed `SCHEMA.TABLE.COLUMN` upper-cased. */
  async columnTypes(database: string, table?: TableKey): Promise<Map<string, string>> {
    const r = await this.wh.run(
      `SELECT SCHEMA_NAME, TABLE_NAME, COLUMN_NAME, DECLARED FROM ${T('COLUMN_TYPES')} WHERE upper(DATABASE_NAME) = upper($1)
         AND ($2::VARCHAR IS NULL OR (upper(SCHEMA_NAME) = upper($2) AND upper(TABLE_NAME) = upper($3)))`,
      [database, table?.schema ?? null, table?.name ?? null],
    );
    return new Map(
      rowRecords(r).map((row) => [
        columnKey(String(row.SCHEMA_NAME), String(row.TABLE_NAME), String(row.COLUMN_NAME)),
        String(row.DECLARED),
      ]),
    );
  }

  /** ALTER TABLE … RENAME TO: the declared types follow the table. */
  async renameColumnTypes(from: TableKey, to: TableKey): Promise<void> {
    await this.wh.run(`UPDATE ${T('COLUMN_TYPES')} SET DATABASE_NAME = ?, SCHEMA_NAME = ?, TABLE_NAME = ? WHERE ${SAME_TABLE}`, [
      to.database,
      to.schema,
      to.name,
      from.database,
      from.schema,
      from.name,
    ]);
  }

  /** Whether this exact file (path, size, modification time) was already loaded into the table. */
  async wasLoaded(table: { database: string; schema: string; name: string }, file: string, size: number, modified: Date): Promise<boolean> {
    const r = await this.wh.run(
      `SELECT count(*) AS N FROM ${T('LOAD_HISTORY')} WHERE upper(CATALOG_NAME) = upper(?) AND upper(SCHEMA_NAME) = upper(?) AND upper(TABLE_NAME) = upper(?)
         AND FILE_NAME = ? AND FILE_SIZE = ? AND FILE_MODIFIED = ?::TIMESTAMPTZ AND STATUS IN ('LOADED', 'PARTIALLY_LOADED')`,
      [table.database, table.schema, table.name, file, size, modified.toISOString()],
    );
    return Number(rowRecords(r)[0].N) > 0;
  }
}

export const columnKey = (schema: string, table: string, column: string): string => `${schema}.${table}.${column}`.toUpperCase();

const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

const schemaKey = (database: string, schema: string): string => `${database.toUpperCase()}.${schema.toUpperCase()}`;

/**
 * The home's creation time, recorded once. A home made before it was recorded takes the earliest
 * time it has (COMPUTE_WH is made with the home), else now.
 */
async function accountCreatedOn(wh: Warehouse): Promise<string> {
  const read = async (): Promise<unknown> => rowRecords(await wh.run(`SELECT min(CREATED_ON) AS AT FROM ${T('ACCOUNT')}`))[0].AT;
  const at = await read();
  if (at !== null && at !== undefined) return String(at);
  await wh.run(
    `INSERT INTO ${T('ACCOUNT')} SELECT coalesce(min(CREATED_ON), current_timestamp) FROM
       (SELECT CREATED_ON FROM ${T('WAREHOUSES')} UNION ALL SELECT CREATED_ON FROM ${T('DATABASES')})`,
  );
  return String(await read());
}
