import { RecpipeError } from '../core/index.js';
import type { AccessControl, SecurableObject } from '../access/index.js';
import type { JobAuthorizer } from '../jobs/index.js';
import { SYSTEM_DATABASE, requireCreate, requireTablePrivileges, type Catalog, type PrivilegeScope } from '../sql/index.js';
import { displayName, type TableName } from '../warehouse/index.js';

/** Jobs started before recpipe recorded owners belong to SYSADMIN, the guide's role. */
const UNRECORDED_OWNER = 'SYSADMIN';

export const jobObject = (name: string): SecurableObject => ({ kind: 'TRAINING JOB', name });

const parts = (t: TableName): string[] => [t.database, t.schema, t.name];

/**
 * The privileges a training job needs of its caller's role, Snowflake's way, wherever it is started
 * (SQL functions, tasks, the HTTP jobs API): SELECT on the input and holdout tables when called;
 * once the tables are checked, INSERT and TRUNCATE on an existing output table (its rows are
 * replaced) or CREATE TABLE on the schema of a new one, and the same of a search's results table. The role then owns the job, and the table
 * the job creates (recorded before the job starts).
 */
export class JobAccess {
  constructor(
    private readonly access: AccessControl,
    private readonly catalog: Catalog,
  ) {}

  private scope(role: string): PrivilegeScope {
    return { access: this.access, catalog: this.catalog, session: { role, database: null, schema: null } };
  }

  /** Throws unless `role` may read every table (input, holdout). */
  checkReads(role: string, tables: readonly TableName[]): void {
    for (const t of tables) requireTablePrivileges(this.scope(role), parts(t), ['SELECT']);
  }

  /** The check a job runs once its tables are planned; it records `role` as the job's owner. */
  authorizer(role: string): JobAuthorizer {
    return async (plan, job) => {
      // The output table, and a search's results table, are written alike.
      const writes = [plan.output, ...(plan.results ? [plan.results] : [])];
      for (const { table: out, exists } of writes) {
        if (out.database.toUpperCase() === SYSTEM_DATABASE)
          throw new RecpipeError('PERMISSION_DENIED', `database ${SYSTEM_DATABASE} is recpipe's system catalog and is read-only.`);
        if (exists) requireTablePrivileges(this.scope(role), parts(out), ['INSERT', 'TRUNCATE']);
        else requireCreate(this.scope(role), parts(out), 'TABLE');
      }
      await this.access.recordOwnership(jobObject(job.name), role);
      // The tables the job will create are the role's from the start, so no reader sees them ownerless.
      for (const { table: out, exists } of writes) {
        const db = this.catalog.database(out.database);
        if (!exists && db)
          await this.access.tableCreated(
            { kind: 'TABLE', name: displayName([db.name, out.schema, out.name]) },
            displayName([db.name, out.schema]),
            role,
          );
      }
    };
  }

  /** The role that owns a job. */
  owner(name: string): string {
    return this.access.ownerOf(jobObject(name)) ?? UNRECORDED_OWNER;
  }

  /** Whether `role` may see the job at all (list, describe, logs): it owns it, or holds a privilege on it. */
  canSee(role: string, name: string): boolean {
    return this.access.roleHasAny(role, [this.owner(name)]) || this.access.privilegesOn(role, jobObject(name)).size > 0;
  }

  /** Throws unless `role` owns the job (or inherits its owner): stopping it is the owner's. */
  requireOwner(role: string, name: string, action: string): void {
    const owner = this.owner(name);
    if (!this.access.roleHasAny(role, [owner]))
      throw new RecpipeError(
        'PERMISSION_DENIED',
        `SQL access control error: Insufficient privileges to operate on training job '${name}' (${action} needs its owner role ${owner}; current role ${role})`,
      );
  }
}
