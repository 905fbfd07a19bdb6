import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { RecpipeError, invalid } from '../core/errors.js';
import {
  Catalog,
  StageStore,
  StreamStore,
  SNOWFLAKE_FUNCTIONS,
  accessListings,
  checkUseRole,
  SYSTEM_DATABASE,
  SqlExecutor,
  parseObjectName,
  resolveTableName,
  type Session,
  type StatementResult,
  type TransferPlan,
} from '../sql/index.js';
import { openDuckDbWarehouse, type ScalarFunctionSpec, type TableName, type Warehouse } from '../warehouse/index.js';
import { EndpointManager } from '../endpoints/endpoint-manager.js';
import { AccessControl, guardFunction } from '../access/index.js';
import { ExternalFunctions } from '../external/index.js';
import { SecretStore } from '../secrets/index.js';
import { JobManager } from '../jobs/index.js';
import { endpointFunctions } from './endpoint-functions.js';
import { jobFunctions } from './job-functions.js';
import { settleWaits, waitFunctions } from './job-waits.js';
import { endpointListing, trainingJobListing } from './listings.js';
import { HomeLayout, lockHome, type HomeLock } from './home.js';
import { ArtifactRefs } from './artifact-refs.js';
import { join } from 'node:path';
import { TaskScheduler, TaskStore, systemClock, type Clock } from '../tasks/index.js';
import { taskHost } from './task-host.js';
import { Deployments, VERSION_COLUMNS } from './deployments.js';
import { JobAccess } from './job-access.js';
import { EndpointAccess } from './endpoint-access.js';

export type { Session, StatementResult, ResultColumnType, TransferPlan } from '../sql/index.js';
export type { TableName, Warehouse } from '../warehouse/index.js';
export { describeJobStart, deployRequest, OPTION_KEYS, resultsTable, trainRequest } from './job-functions.js';
export type { DeployDecision, Deployments } from './deployments.js';
export { deployModel } from './endpoint-functions.js';
export type { ArtifactRefs } from './artifact-refs.js';
export type { JobAccess } from './job-access.js';
export type { EndpointAccess } from './endpoint-access.js';

/** Where this engine is served over HTTP; null when no server serves it. */
export interface Links {
  baseUrl: string | null;
}

export interface EngineOptions {
  /** The data directory (created when missing); one process owns it at a time. */
  readonly home: string;
  /** Base URL that SQL functions put in the links they return (the service sets its own once listening). */
  readonly publicUrl?: string;
  /** The task scheduler's clock (tests inject a ManualClock); tasks run only while an Engine owns the home. */
  readonly clock?: Clock;
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
    readonly links: Links,
    private readonly externals: ExternalFunctions,
    /** Roles, users and grants; `access.hasUsage(role, fn)` backs privilege checks outside SQL. */
    readonly access: AccessControl,
    /** What a deploy may name (job, home artifact, stage path); `resolve` refuses the rest alike. */
    readonly artifactRefs: ArtifactRefs,
    /** Tasks and task graphs; they run while this Engine is open (no process owning the home, no runs). */
    readonly tasks: TaskScheduler,
    /** What a training job needs of its caller's role (tables, ownership), wherever it is started. */
    readonly jobAccess: JobAccess,
    /** Endpoint owners: who may redeploy or delete an endpoint. */
    readonly endpointAccess: EndpointAccess,
    /** Deploy-when-done decisions and endpoint versions. */
    readonly deployments: Deployments,
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
        fileAccess: {
          directories: [layout.databasesDir, layout.tempDir],
          paths: ['', '.wal', '.wal.checkpoint', '.wal.recovery'].map((suffix) => layout.systemFile + suffix),
          stagingDirectory: layout.stagingDir,
        },
      });
      await warehouse.attachDatabase(SYSTEM_DATABASE, layout.systemFile);
      const catalog = await Catalog.open(warehouse, fresh);
      const access = await AccessControl.open(warehouse, `"${SYSTEM_DATABASE}"."PUBLIC"`);
      for (const db of catalog.listDatabases()) {
        if (!existsSync(db.file)) {
          throw new RecpipeError(
            'FAILED_PRECONDITION',
            `database ${db.name} is in the catalog but its file ${db.file} is missing; restore the file or drop the database`,
          );
        }
        await warehouse.attachDatabase(db.name, db.file);
      }
      const endpoints = await EndpointManager.open({ home: layout.root });
      const jobs = await JobManager.open({ home: layout.root, warehouse });
      const deployments = await Deployments.open(warehouse, endpoints, jobs);
      const jobAccess = new JobAccess(access, catalog);
      const endpointAccess = new EndpointAccess(access, endpoints);
      const versions = {
        plural: ['ENDPOINT', 'VERSIONS'],
        singular: ['ENDPOINT', 'VERSION'],
        columns: VERSION_COLUMNS,
        list: () => deployments.list(),
        describe: () => null,
        // A version is seen with its endpoint: by the roles that own it or hold a privilege on it.
        owned: { kind: 'ENDPOINT' as const, owner: (name: string) => endpointAccess.owner(name) },
      };
      const listings = [
        trainingJobListing(jobs, jobAccess),
        // Before the versions: GRANT … ON ENDPOINT looks endpoints up in the first ENDPOINT listing.
        endpointListing(endpoints, endpointAccess),
        versions,
        ...accessListings(access, catalog.createdOn),
      ];
      const links = servedLinks(opts.publicUrl);
      // External functions of the same name/arity override built-ins per schema (see ExternalFunctions).
      const externals = await ExternalFunctions.open({
        warehouse,
        guard: (spec) => guardFunction(spec, access),
        secrets: new SecretStore(layout.root),
      });
      const stages = await StageStore.open(warehouse, layout.stagesDir);
      const artifactRefs = new ArtifactRefs(jobs, join(layout.root, 'artifacts'), stages, access);
      let executor: SqlExecutor | undefined;
      const tasks = await TaskScheduler.open({
        store: await TaskStore.open(warehouse),
        clock: opts.clock ?? systemClock,
        host: taskHost(() => executor!, jobs, deployments),
      });
      executor = new SqlExecutor({
        warehouse,
        catalog,
        databaseFile: (name) => layout.databaseFile(name),
        listings,
        externals,
        access,
        stages,
        tasks,
        streams: await StreamStore.open(warehouse),
        statementDone: async (session) => {
          await jobs.settleSubmitted(session.id);
          await endpointAccess.recorded();
        },
        settleResult: settleWaits(jobs, deployments),
      });
      // The usage check wraps outermost, so it also covers an external function overriding a built-in.
      for (const spec of [
        ...endpointFunctions(endpoints, artifactRefs, links, endpointAccess).map((f) => recordingVersions(f, deployments)),
        ...jobFunctions(jobs, links, deployments, jobAccess, endpointAccess),
      ]) {
        await warehouse.registerFunction(guardFunction(externals.wrapBuiltin(spec), access));
      }
      // Like Snowflake's SYSTEM$ functions, waiting for a job needs no grant.
      for (const spec of waitFunctions(jobs)) await warehouse.registerFunction(spec);
      await externals.registerStored();
      return new Engine(
        layout.root,
        warehouse,
        catalog,
        executor,
        lock,
        endpoints,
        jobs,
        links,
        externals,
        access,
        artifactRefs,
        tasks,
        jobAccess,
        endpointAccess,
        deployments,
      );
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
      // As USE DATABASE: a database the role has no USAGE on reads as absent.
      if (
        !db ||
        !this.access.hasPrivilege(
          role,
          'USAGE',
          { kind: 'DATABASE', name: db.name },
          this.access.ownerOf({ kind: 'DATABASE', name: db.name }) ?? db.owner,
        )
      )
        throw new RecpipeError('NOT_FOUND', `Database '${init.database}' does not exist or not authorized.`);
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
  /** `signal` cancels the request: a statement running in DuckDB is interrupted and no further statement starts. */
  async execute(session: Session, sqlText: string, params: readonly unknown[] = [], signal?: AbortSignal): Promise<StatementResult[]> {
    if (this.closed) throw new RecpipeError('FAILED_PRECONDITION', `the engine for ${this.home} is closed`);
    return this.executor.execute(session, sqlText, params, signal);
  }

  /**
   * One `INSERT INTO t [(columns)] VALUES (?, …)` whose rows are CSV files (a driver's array binds through
   * its bind stage), loaded as COPY INTO loads files: typed by the table's columns, all rows or none.
   */
  async insertFiles(session: Session, sqlText: string, files: readonly string[], signal?: AbortSignal): Promise<StatementResult[]> {
    if (this.closed) throw new RecpipeError('FAILED_PRECONDITION', `the engine for ${this.home} is closed`);
    return this.executor.execute(session, sqlText, [], signal, files);
  }

  /** Ends a session: a transaction it left open is rolled back and its connection freed. */
  endSession(session: Session): Promise<void> {
    return this.executor.endSession(session);
  }

  /** PUT from a client: `bytes` stored as `name` in the stage `target` (@~ or an internal stage), as the session's user and role. */
  async upload(session: Session, target: string, name: string, bytes: Uint8Array): Promise<StatementResult> {
    if (this.closed) throw new RecpipeError('FAILED_PRECONDITION', `the engine for ${this.home} is closed`);
    return this.executor.upload(session, target, name, bytes);
  }

  /** A driver's PUT or GET (Snowflake protocol): the files and stage it names, checked as the session's user and role. */
  async transfer(session: Session, sql: string): Promise<TransferPlan> {
    if (this.closed) throw new RecpipeError('FAILED_PRECONDITION', `the engine for ${this.home} is closed`);
    return this.executor.transfer(session, sql);
  }

  /** A table name as SQL functions receive it ('MOVIELENS.PUBLIC.ratings'), resolved for the session. */
  resolveTableName(session: Session, name: string): TableName {
    return resolveTableName(parseObjectName(name), session);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      this.tasks.stop();
      await this.jobs.close();
      await this.tasks.idle();
      await this.endpoints.close();
      this.externals.close();
      await this.warehouse.close();
    } finally {
      this.lock.release();
    }
  }
}

/**
 * The links SQL functions put in their answers. The service sets `baseUrl` once it listens. An
 * engine no server serves (in-process CLI, tests) has none, so answers never point at a port nobody serves.
 */
function servedLinks(publicUrl: string | undefined): Links {
  let url: string | null = publicUrl ?? null;
  return {
    get baseUrl() {
      return url;
    },
    set baseUrl(u: string | null) {
      url = u;
    },
  };
}

/** deploy_model calls become endpoint versions (SHOW ENDPOINT VERSIONS). */
function recordingVersions(spec: ScalarFunctionSpec, deployments: Deployments): ScalarFunctionSpec {
  if (spec.name !== 'deploy_model') return spec;
  return {
    ...spec,
    invoke(args, rows, ctx) {
      const out = spec.invoke(args, rows, ctx) as (string | null)[];
      for (const answer of out) {
        if (answer === null) continue;
        const d = JSON.parse(answer) as { EndpointName: string; ArtifactUri: string };
        deployments
          .recordManual(d.EndpointName, d.ArtifactUri)
          .catch((e: Error) => process.emitWarning(`endpoint version not recorded: ${e.message}`, 'RecpipeEndpointWarning'));
      }
      return out;
    },
  };
}

function oneName(text: string, what: string): string {
  const parts = parseObjectName(text);
  if (parts.length !== 1) throw invalid(`${what} name '${text}' must be a single identifier`);
  return parts[0];
}
