import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { RecpipeError, invalid } from '../core/errors.js';
import { Catalog, StageStore, SNOWFLAKE_FUNCTIONS, accessListings, checkUseRole, SYSTEM_DATABASE, SqlExecutor, parseObjectName, resolveTableName, type Session, type StatementResult } from '../sql/index.js';
import { openDuckDbWarehouse, type TableName, type Warehouse } from '../warehouse/index.js';
import { EndpointManager } from '../endpoints/index.js';
import { AccessControl, guardFunction } from '../access/index.js';
import { ExternalFunctions } from '../external/index.js';
import { SecretStore } from '../secrets/index.js';
import { JobManager } from '../jobs/index.js';
import { endpointFunctions } from './endpoint-functions.js';
import { jobFunctions } from './job-functions.js';
import { endpointListing, trainingJobListing } from './listings.js';
import { HomeLayout, lockHome, type HomeLock } from './home.js';
import { ArtifactRefs } from './artifact-refs.js';
import { join } from 'node:path';

export type { Session, StatementResult, ResultColumnType } from '../sql/index.js';
export type { TableName, Warehouse } from '../warehouse/index.js';
export { describeJobStart, trainRequest } from './job-functions.js';
export { deployModel } from './endpoint-functions.js';
export type { ArtifactRefs } from './artifact-refs.js';

export interface EngineOptions {
  /** The data directory (created when missing); one process owns it at a time. */
  readonly home: string;
  /** Base URL that SQL functions put in the links they return (the service sets its own once listening). */
  readonly publicUrl?: string;
}

export interface SessionInit {
  /** The user the session acts as (default: the built-in administrator, who may use every role). */
  readonly user?: string;
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
    private readonly externals: ExternalFunctions,
    /** Roles, users and grants; `access.hasUsage(role, fn)` backs privilege checks outside SQL. */
    readonly access: AccessControl,
    /** What a deploy may name (job, home artifact, stage path); `resolve` refuses the rest alike. */
    readonly artifactRefs: ArtifactRefs,
  ) {}

  /** Opens (creating if needed) a home: takes its lock, opens the system catalog and re-attaches every database. */
  static async open(opts: EngineOptions): Promise<Engine> {
    const layout = new HomeLayout(opts.home);
    layout.create();
    const lock = lockHome(layout);
    let warehouse: Warehouse | undefined;
    try {
      const fresh = !existsSync(layout.systemFile);
      warehouse = await openDuckDbWarehouse({
        tempDirectory: layout.tempDir,
        connectionSetup: SNOWFLAKE_FUNCTIONS,
        // SQL sessions reach no host file: only the home's databases, spill space and load staging.
        fileAccess: { directories: [layout.databasesDir, layout.tempDir], paths: ['', '.wal', '.wal.checkpoint', '.wal.recovery'].map((suffix) => layout.systemFile + suffix), stagingDirectory: layout.stagingDir },
      });
      await warehouse.attachDatabase(SYSTEM_DATABASE, layout.systemFile);
      const catalog = await Catalog.open(warehouse, fresh);
      const access = await AccessControl.open(warehouse, `"${SYSTEM_DATABASE}"."PUBLIC"`);
      for (const db of catalog.listDatabases()) {
        if (!existsSync(db.file)) {
          throw new RecpipeError('FAILED_PRECONDITION', `database ${db.name} is in the catalog but its file ${db.file} is missing; restore the file or drop the database`);
        }
        await warehouse.attachDatabase(db.name, db.file);
      }
      const endpoints = await EndpointManager.open({ home: layout.root });
      const jobs = await JobManager.open({ home: layout.root, warehouse });
      const listings = [trainingJobListing(jobs), endpointListing(endpoints), ...accessListings(access)];
      const links = servedLinks(opts.publicUrl);
      // External functions of the same name/arity override built-ins per schema (see ExternalFunctions).
      const externals = await ExternalFunctions.open({ warehouse, ownUrl: () => links.served, guard: (spec) => guardFunction(spec, access), secrets: new SecretStore(layout.root) });
      const stages = await StageStore.open(warehouse, layout.stagesDir);
      const artifactRefs = new ArtifactRefs(jobs, join(layout.root, 'artifacts'), stages, access);
      const executor = new SqlExecutor({ warehouse, catalog, databaseFile: (name) => layout.databaseFile(name), listings, externals, access, stages });
      // The usage check wraps outermost, so it also covers an external function overriding a built-in.
      for (const spec of [...endpointFunctions(endpoints, artifactRefs, links), ...jobFunctions(jobs, links)]) await warehouse.registerFunction(guardFunction(externals.wrapBuiltin(spec), access));
      await externals.registerStored();
      return new Engine(layout.root, warehouse, catalog, executor, lock, endpoints, jobs, links, externals, access, artifactRefs);
    } catch (e) {
      await warehouse?.close();
      lock.release();
      throw e;
    }
  }

  /** A new session; names follow Snowflake's identifier rules (unquoted → upper case). */
  createSession(init: SessionInit = {}): Session {
    const user = init.user === undefined ? undefined : this.knownUser(init.user);
    const defaultRole = user === undefined ? 'SYSADMIN' : (this.access.user(user)?.defaultRole ?? 'PUBLIC');
    const role = checkUseRole(this.access, user, init.role === undefined ? defaultRole : oneName(init.role, 'role'));
    let database: string | null = null;
    if (init.database !== undefined) {
      const db = this.catalog.database(oneName(init.database, 'database'));
      if (!db) throw new RecpipeError('NOT_FOUND', `Database '${init.database}' does not exist or not authorized.`);
      database = db.name;
    }
    const schema = init.schema !== undefined ? oneName(init.schema, 'schema') : database !== null ? 'PUBLIC' : null;
    const warehouse = init.warehouse !== undefined ? oneName(init.warehouse, 'warehouse') : null;
    return { id: randomUUID(), ...(user === undefined ? {} : { user }), role, database, schema, warehouse };
  }

  private knownUser(name: string): string {
    const found = this.access.user(oneName(name, 'user'));
    if (!found) throw new RecpipeError('NOT_FOUND', `User '${name}' does not exist or not authorized.`);
    return found.name;
  }

  /** Runs one or more `;`-separated statements in order; USE and CREATE statements update `session` in place. */
  async execute(session: Session, sqlText: string, params: readonly unknown[] = []): Promise<StatementResult[]> {
    if (this.closed) throw new RecpipeError('FAILED_PRECONDITION', `the engine for ${this.home} is closed`);
    return this.executor.execute(session, sqlText, params);
  }

  /** PUT from a client: `bytes` stored as `name` in the stage `target` (@~ or an internal stage), as the session's user and role. */
  async upload(session: Session, target: string, name: string, bytes: Uint8Array): Promise<StatementResult> {
    if (this.closed) throw new RecpipeError('FAILED_PRECONDITION', `the engine for ${this.home} is closed`);
    return this.executor.upload(session, target, name, bytes);
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
      this.externals.close();
      await this.warehouse.close();
    } finally {
      this.lock.release();
    }
  }
}

/**
 * The links SQL functions put in their answers. The service sets `baseUrl` once it listens, which
 * also tells external functions which URL is this process's own (calling it would deadlock).
 */
function servedLinks(publicUrl: string | undefined): { baseUrl: string; readonly served: string | null } {
  let url = publicUrl ?? 'http://127.0.0.1:7878';
  let served: string | null = publicUrl ?? null;
  return {
    get baseUrl() {
      return url;
    },
    set baseUrl(u: string) {
      url = u;
      served = u;
    },
    get served() {
      return served;
    },
  };
}

function oneName(text: string, what: string): string {
  const parts = parseObjectName(text);
  if (parts.length !== 1) throw invalid(`${what} name '${text}' must be a single identifier`);
  return parts[0];
}
