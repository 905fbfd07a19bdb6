import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { RecpipeError, invalid } from '../core/errors.js';
import { Catalog, ROLES, SNOWFLAKE_FUNCTIONS, SYSTEM_DATABASE, SqlExecutor, parseObjectName, resolveTableName, type Session, type StatementResult } from '../sql/index.js';
import { openDuckDbWarehouse, type TableName, type Warehouse } from '../warehouse/index.js';
import { EndpointManager } from '../endpoints/index.js';
import { JobManager } from '../jobs/index.js';
import { endpointFunctions } from './endpoint-functions.js';
import { jobFunctions } from './job-functions.js';
import { endpointListing, trainingJobListing } from './listings.js';
import { HomeLayout, lockHome, type HomeLock } from './home.js';

export type { Session, StatementResult, ResultColumnType } from '../sql/index.js';
export type { TableName, Warehouse } from '../warehouse/index.js';
export { describeJobStart, trainRequest } from './job-functions.js';
export { deployModel } from './endpoint-functions.js';

export interface EngineOptions {
  /** The data directory (created when missing); one process owns it at a time. */
  readonly home: string;
  /** Base URL that SQL functions put in the links they return (the service sets its own once listening). */
  readonly publicUrl?: string;
}

export interface SessionInit {
  readonly role?: string;
  readonly database?: string;
  readonly schema?: string;
  readonly warehouse?: string;
}

/**
 * The one object that wires recpipe's parts for a home: the DuckDB warehouse, the system catalog
 * and the Snowflake SQL layer. The HTTP service, the CLI and tests all go through it.
 */
export class Engine {
  private closed = false;

  private constructor(
    readonly home: string,
    readonly warehouse: Warehouse,
    private readonly catalog: Catalog,
    private readonly executor: SqlExecutor,
    private readonly lock: HomeLock,
    readonly endpoints: EndpointManager,
    readonly jobs: JobManager,
    readonly links: { baseUrl: string },
  ) {}

  /** Opens (creating if needed) a home: takes its lock, opens the system catalog and re-attaches every database. */
  static async open(opts: EngineOptions): Promise<Engine> {
    const layout = new HomeLayout(opts.home);
    layout.create();
    const lock = lockHome(layout);
    let warehouse: Warehouse | undefined;
    try {
      const fresh = !existsSync(layout.systemFile);
      warehouse = await openDuckDbWarehouse({ tempDirectory: layout.tempDir, connectionSetup: SNOWFLAKE_FUNCTIONS });
      await warehouse.attachDatabase(SYSTEM_DATABASE, layout.systemFile);
      const catalog = await Catalog.open(warehouse, fresh);
      for (const db of catalog.listDatabases()) {
        if (!existsSync(db.file)) {
          throw new RecpipeError('FAILED_PRECONDITION', `database ${db.name} is in the catalog but its file ${db.file} is missing; restore the file or drop the database`);
        }
        await warehouse.attachDatabase(db.name, db.file);
      }
      const endpoints = await EndpointManager.open({ home: layout.root });
      const jobs = await JobManager.open({ home: layout.root, warehouse });
      const listings = [trainingJobListing(jobs), endpointListing(endpoints)];
      const executor = new SqlExecutor({ warehouse, catalog, databaseFile: (name) => layout.databaseFile(name), listings });
      const links = { baseUrl: opts.publicUrl ?? 'http://127.0.0.1:7878' };
      for (const spec of [...endpointFunctions(endpoints, jobs, links), ...jobFunctions(jobs, links)]) await warehouse.registerFunction(spec);
      return new Engine(layout.root, warehouse, catalog, executor, lock, endpoints, jobs, links);
    } catch (e) {
      await warehouse?.close();
      lock.release();
      throw e;
    }
  }

  /** A new session; names follow Snowflake's identifier rules (unquoted → upper case). */
  createSession(init: SessionInit = {}): Session {
    const role = init.role === undefined ? 'SYSADMIN' : oneName(init.role, 'role');
    if (!(ROLES as readonly string[]).includes(role)) throw new RecpipeError('NOT_FOUND', `Role '${role}' does not exist or not authorized. Known roles: ${ROLES.join(', ')}.`);
    let database: string | null = null;
    if (init.database !== undefined) {
      const db = this.catalog.database(oneName(init.database, 'database'));
      if (!db) throw new RecpipeError('NOT_FOUND', `Database '${init.database}' does not exist or not authorized.`);
      database = db.name;
    }
    const schema = init.schema !== undefined ? oneName(init.schema, 'schema') : database !== null ? 'PUBLIC' : null;
    const warehouse = init.warehouse !== undefined ? oneName(init.warehouse, 'warehouse') : null;
    return { id: randomUUID(), role, database, schema, warehouse };
  }

  /** Runs one or more `;`-separated statements in order; USE and CREATE statements update `session` in place. */
  async execute(session: Session, sqlText: string, params: readonly unknown[] = []): Promise<StatementResult[]> {
    if (this.closed) throw new RecpipeError('FAILED_PRECONDITION', `the engine for ${this.home} is closed`);
    return this.executor.execute(session, sqlText, params);
  }

  /** A table name as SQL functions receive it ('MOVIELENS.PUBLIC.ratings'), resolved for the session. */
  resolveTableName(session: Session, name: string): TableName {
    return resolveTableName(parseObjectName(name), session);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.jobs.close();
      await this.endpoints.close();
      await this.warehouse.close();
    } finally {
      this.lock.release();
    }
  }
}

function oneName(text: string, what: string): string {
  const parts = parseObjectName(text);
  if (parts.length !== 1) throw invalid(`${what} name '${text}' must be a single identifier`);
  return parts[0];
}
