import { DuckDBInstance, type DuckDBConnection } from './duckdb-api.js';
import { STREAM_OFFSETS_SCHEMA, quoteIdent, stringLiteral } from '../identifiers.js';
import type {
  ColumnInfo,
  ColumnRequest,
  ConnectionPin,
  CsvFileOutcome,
  CsvLoadRequest,
  RatingColumns,
  RunResult,
  ScalarFunctionSpec,
  SqlParam,
  TableColumns,
  TableInfo,
  TableName,
  Warehouse,
  WarehouseConnection,
  WriteColumn,
} from '../warehouse.js';
import { rowRecords } from '../warehouse.js';
import { ConnectionPool, transactionEnded } from './connection-pool.js';
import { loadCsv } from './csv-load.js';
import { lockDown, type FileAccess } from './lockdown.js';
import { stagedLoad } from './staged-load.js';
import { catalogClock } from './catalog-clock.js';
import { duckdbCall } from './errors.js';
import type { RatingsBuilder } from '../../core/ratings-builder.js';
import { readColumns } from './read-columns.js';
import { readRatingsTable } from './ratings-reader.js';
import { runStatement } from './run.js';
import { FunctionContexts, registerScalar } from './scalar-functions.js';
import { writeTable } from './write-table.js';

export interface DuckDbWarehouseOptions {
  /** Where DuckDB spills larger-than-memory work; defaults to DuckDB's own choice. */
  readonly tempDirectory?: string;
  /** Statements run once on each new connection (e.g. CREATE TEMP MACRO for dialect functions). */
  readonly connectionSetup?: readonly string[];
  /**
   * Lock DuckDB out of the host: only these files may be opened, and no statement can change that.
   * COPY loads then pass through `stagingDirectory` (which must be one of the allowed directories).
   */
  readonly fileAccess?: FileAccess & { readonly stagingDirectory: string };
}

/** The in-memory catalog DuckDB opens with; "no current database" points here, where nothing lives. */
const EMPTY_CATALOG = 'memory';

/**
 * The embedded warehouse: one DuckDB instance whose main catalog is an empty in-memory database,
 * with each recpipe database attached from its own file.
 */
export async function openDuckDbWarehouse(options: DuckDbWarehouseOptions = {}): Promise<Warehouse> {
  const config: Record<string, string> = {
    // jemalloc keeps the pages a statement freed until the next allocation in the same arena purges
    // them, so an idle process held whatever its last burst of statements left (+11 to +24 MB of RSS
    // after creating 1,100 tasks, of which DuckDB's buffers were 4 MB). Its background thread
    // returns them on its decay clock while nothing runs (issue 12; measured by bench:tasks).
    allocator_background_threads: 'true',
  };
  if (options.tempDirectory) config.temp_directory = options.tempDirectory;
  const instance = await duckdbCall(() => DuckDBInstance.create(':memory:', config));
  if (options.fileAccess) {
    const conn = await instance.connect();
    try {
      await lockDown(conn, options.fileAccess);
    } finally {
      conn.closeSync();
    }
  }
  const setup = options.connectionSetup ?? [];
  const contexts = new FunctionContexts();
  // One call for the whole setup: run separately, its ~50 macros cost a new connection twice the CPU.
  const setupScript = setup.join(';\n');
  const pool = new ConnectionPool(instance, async (conn) => {
    if (setupScript) await duckdbCall(() => conn.run(setupScript));
    await contexts.learn(conn);
  });
  return new DuckDbWarehouse(instance, pool, contexts, options.fileAccess?.stagingDirectory ?? null);
}

class DuckDbWarehouse implements Warehouse {
  constructor(
    private readonly instance: DuckDBInstance,
    private readonly pool: ConnectionPool,
    private readonly contexts: FunctionContexts,
    private readonly stagingDirectory: string | null,
  ) {}

  registerFunction(spec: ScalarFunctionSpec): Promise<void> {
    // DuckDB keeps functions in the instance's catalog: one registration serves every connection.
    return this.pool.use(async (conn) => registerScalar(conn, spec, this.contexts));
  }

  run(sql: string, params: readonly SqlParam[] = []): Promise<RunResult> {
    return this.pool.use((conn) => runStatement(conn, sql, params));
  }

  async runScript(statements: readonly string[]): Promise<void> {
    await this.pool.use(async (conn) => {
      await runStatement(conn, ['BEGIN TRANSACTION', ...statements, 'COMMIT'].join(';\n'), []);
      // The script's last statement committed; had one failed, the pool rolls back the failed use.
      transactionEnded(conn);
    });
  }

  withConnection<T>(fn: (conn: WarehouseConnection) => Promise<T>, pin?: ConnectionPin): Promise<T> {
    return this.pool.use((conn) => fn(wrapConnection(conn, this.contexts, () => this.pool.interrupt(conn))), pin);
  }

  catalogVersion(): number {
    return catalogClock.now();
  }

  releasePinned(key: string): Promise<void> {
    return this.pool.unpin(key);
  }

  async attachDatabase(name: string, file: string): Promise<void> {
    // ATTACH takes no bound parameters, so the path is the one literal recpipe writes itself.
    await this.run(`ATTACH IF NOT EXISTS ${stringLiteral(file)} AS ${quoteIdent(name)}`);
  }

  /** DuckDB refuses to detach a connection's current database, so idle connections step off it first. */
  async detachDatabase(name: string): Promise<void> {
    await this.pool.forEachIdle((conn) => useTarget(conn, EMPTY_CATALOG));
    await this.pool.use(async (conn) => {
      await useTarget(conn, EMPTY_CATALOG);
      await runStatement(conn, `DETACH DATABASE IF EXISTS ${quoteIdent(name)}`, []);
    });
  }

  async listSchemas(database: string): Promise<string[]> {
    const r = await this.run(
      `SELECT schema_name FROM duckdb_schemas() WHERE lower(database_name) = lower(?) AND NOT internal AND schema_name <> ? ORDER BY schema_name`,
      [database, STREAM_OFFSETS_SCHEMA],
    );
    return rowRecords(r).map((row) => String(row.schema_name));
  }

  async listTables(filter: { database?: string; schema?: string }): Promise<TableInfo[]> {
    const matches = `($1::VARCHAR IS NULL OR lower(database_name) = lower($1)) AND ($2::VARCHAR IS NULL OR lower(schema_name) = lower($2)) AND schema_name <> $3`;
    const r = await this.run(
      `SELECT database_name, schema_name, table_name, 'TABLE' AS kind, estimated_size, NULL AS bytes, comment
         FROM duckdb_tables() WHERE NOT internal AND NOT temporary AND ${matches}
       UNION ALL
       SELECT database_name, schema_name, view_name, 'VIEW', NULL, NULL, comment
         FROM duckdb_views() WHERE NOT internal AND NOT temporary AND ${matches}
       ORDER BY 1, 2, 3`,
      [filter.database ?? null, filter.schema ?? null, STREAM_OFFSETS_SCHEMA],
    );
    return rowRecords(r).map((row) => ({
      database: String(row.database_name),
      schema: String(row.schema_name),
      name: String(row.table_name),
      kind: row.kind === 'VIEW' ? 'VIEW' : 'TABLE',
      rowCount: row.estimated_size === null ? null : Number(row.estimated_size),
      bytes: row.bytes === null ? null : Number(row.bytes),
      comment: row.comment === null ? null : String(row.comment),
    }));
  }

  async tableColumns(table: TableName): Promise<ColumnInfo[] | null> {
    const r = await this.run(
      `SELECT column_name, data_type, is_nullable, column_default FROM duckdb_columns()
        WHERE lower(database_name) = lower(?) AND lower(schema_name) = lower(?) AND lower(table_name) = lower(?)
        ORDER BY column_index`,
      [table.database, table.schema, table.name],
    );
    if (r.rows.length === 0) return null;
    return rowRecords(r).map((row) => ({
      name: String(row.column_name),
      type: String(row.data_type),
      nullable: row.is_nullable === true,
      defaultValue: row.column_default === null ? null : String(row.column_default),
    }));
  }

  readColumns(table: TableName, columns: readonly ColumnRequest[]): Promise<TableColumns> {
    return this.pool.use((conn) => readColumns(conn, table, columns));
  }

  readRatings(table: TableName, columns: RatingColumns, open: (expectedRows?: number) => RatingsBuilder): Promise<RatingsBuilder> {
    return this.pool.use((conn) => readRatingsTable(conn, table, columns, open));
  }

  writeTable(table: TableName, columns: readonly WriteColumn[]): Promise<number> {
    return this.pool.use((conn) => writeTable(conn, table, columns));
  }

  loadCsv(request: CsvLoadRequest): Promise<CsvFileOutcome[]> {
    const load = (req: CsvLoadRequest) => this.pool.use((conn) => loadCsv(conn, req));
    return this.stagingDirectory === null ? load(request) : stagedLoad(this.stagingDirectory, request, load);
  }

  async close(): Promise<void> {
    // With a connection still busy past the grace period, the instance stays open for it: closing
    // the database under a running query is what the pool avoids for connections.
    if (await this.pool.closeAll()) this.instance.closeSync();
  }
}

function wrapConnection(conn: DuckDBConnection, contexts: FunctionContexts, interrupt: () => void): WarehouseConnection {
  return {
    id: contexts.idOf(conn),
    run: (sql, params = []) => runStatement(conn, sql, params),
    interrupt,
    useSchema: async (database, schema, role, session) => {
      await useTarget(
        conn,
        database === null ? EMPTY_CATALOG : schema === null ? quoteIdent(database) : `${quoteIdent(database)}.${quoteIdent(schema)}`,
      );
      const last = contexts.current(conn);
      const caller = session ?? last.session;
      contexts.set(conn, { database, schema, role: role ?? last.role, ...(caller === undefined ? {} : { session: caller }) });
    },
  };
}

/** Each connection's current USE target, so repeating the same USE costs no round trip. */
const currentTarget = new WeakMap<DuckDBConnection, string>();

async function useTarget(conn: DuckDBConnection, target: string): Promise<void> {
  if (currentTarget.get(conn) === target) return;
  currentTarget.delete(conn);
  await duckdbCall(() => conn.run(`USE ${target}`));
  currentTarget.set(conn, target);
}
