import type { TableName } from '../warehouse/index.js';

/**
 * The seam between the SQL layer's task statements and the scheduler that owns tasks (src/tasks,
 * wired by the engine). The SQL layer parses and resolves names; the scheduler keeps definitions,
 * schedules and history.
 */

/** A task as stored (one row of RECPIPE.PUBLIC.TASKS). Names are exact, as resolved. */
export interface TaskDefinition extends TaskProperties {
  readonly id: string;
  readonly database: string;
  readonly schema: string;
  readonly name: string;
  /** The role that created the task; its runs use that role. */
  readonly owner: string;
  /** Display names (DB.SCHEMA.NAME) of the tasks this one runs AFTER. */
  readonly predecessors: readonly string[];
  /** The root task (display name) this task finalizes, when it is a finalizer. */
  readonly finalize: string | null;
  /** The WHEN expression as written, or null. */
  readonly condition: string | null;
  /** The body after AS, as written: one statement or a BEGIN … END block. */
  readonly definition: string;
  readonly state: 'started' | 'suspended';
  readonly createdOn: string;
  readonly lastCommittedOn: string | null;
  readonly lastSuspendedOn: string | null;
  readonly lastSuspendedReason: string | null;
}

/** Properties settable with CREATE … name = value and ALTER TASK SET/UNSET. */
export interface TaskProperties {
  readonly warehouse: string | null;
  readonly schedule: string | null;
  readonly allowOverlapping: boolean;
  readonly suspendAfterFailures: number;
  readonly retryAttempts: number;
  readonly timeoutMs: number;
  /** CONFIG as JSON text. */
  readonly config: string | null;
  readonly comment: string | null;
}

/** Snowflake's defaults for properties not given (UNSET restores them). */
export const TASK_DEFAULTS: TaskProperties = {
  warehouse: null,
  schedule: null,
  allowOverlapping: false,
  suspendAfterFailures: 10,
  retryAttempts: 0,
  timeoutMs: 3_600_000,
  config: null,
  comment: null,
};

export interface TaskSpec {
  readonly name: TableName;
  readonly properties: Partial<TaskProperties>;
  readonly predecessors: readonly TableName[];
  readonly finalize: TableName | null;
  readonly condition: string | null;
  readonly definition: string;
}

export type TaskChange =
  | { readonly kind: 'resume' }
  | { readonly kind: 'suspend' }
  | { readonly kind: 'set'; readonly properties: Partial<TaskProperties> }
  | { readonly kind: 'unset'; readonly names: readonly (keyof TaskProperties)[] }
  | { readonly kind: 'modify-as'; readonly definition: string }
  | { readonly kind: 'modify-when'; readonly condition: string | null }
  | { readonly kind: 'add-after' | 'remove-after'; readonly tasks: readonly TableName[] };

export interface TaskControl {
  /** Returns Snowflake's status message. */
  create(spec: TaskSpec, owner: string, mode: { orReplace: boolean; ifNotExists: boolean }): Promise<string>;
  alter(name: TableName, change: TaskChange, ifExists: boolean): Promise<string>;
  drop(name: TableName, ifExists: boolean): Promise<string>;
  /** Starts one run of a standalone or root task now (its graph follows); answers at once. */
  execute(name: TableName): Promise<string>;
  list(): readonly TaskDefinition[];
  get(name: TableName): TaskDefinition | undefined;
}
