import type { SqlParam, Warehouse } from '../warehouse/index.js';
import { displayName, rowRecords } from '../warehouse/index.js';
import type { TaskDefinition, TaskState } from './task.js';

/**
 * Task definitions and run history live in the system database (RECPIPE.PUBLIC.TASKS and
 * TASK_HISTORY), beside the rest of the catalog: transactional, owner-only with the home, and
 * readable with plain SQL. TASK_HISTORY has the columns of Snowflake's TASK_HISTORY table function
 * plus ID (the row) and TASK_ID.
 */
export const TASKS_TABLE = '"RECPIPE"."PUBLIC"."TASKS"';
export const HISTORY_TABLE = '"RECPIPE"."PUBLIC"."TASK_HISTORY"';
const FAILURES_TABLE = '"RECPIPE"."PUBLIC"."TASK_FAILURES"';

const DDL = [
  `CREATE TABLE IF NOT EXISTS ${FAILURES_TABLE} (ROOT_TASK_ID VARCHAR PRIMARY KEY, CONSECUTIVE_FAILURES BIGINT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS ${TASKS_TABLE} (ID VARCHAR PRIMARY KEY, DATABASE_NAME VARCHAR NOT NULL, SCHEMA_NAME VARCHAR NOT NULL, NAME VARCHAR NOT NULL,
     OWNER VARCHAR NOT NULL, WAREHOUSE VARCHAR, SCHEDULE VARCHAR, PREDECESSORS VARCHAR[] NOT NULL, FINALIZE VARCHAR, CONDITION VARCHAR, DEFINITION VARCHAR NOT NULL,
     STATE VARCHAR NOT NULL, ALLOW_OVERLAPPING_EXECUTION BOOLEAN NOT NULL, SUSPEND_TASK_AFTER_NUM_FAILURES BIGINT NOT NULL, TASK_AUTO_RETRY_ATTEMPTS BIGINT NOT NULL,
     USER_TASK_TIMEOUT_MS BIGINT NOT NULL, CONFIG VARCHAR, COMMENT VARCHAR, CREATED_ON TIMESTAMPTZ NOT NULL, LAST_COMMITTED_ON TIMESTAMPTZ,
     LAST_SUSPENDED_ON TIMESTAMPTZ, LAST_SUSPENDED_REASON VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS ${HISTORY_TABLE} (ID VARCHAR PRIMARY KEY, QUERY_ID VARCHAR, NAME VARCHAR NOT NULL, DATABASE_NAME VARCHAR NOT NULL, SCHEMA_NAME VARCHAR NOT NULL,
     QUERY_TEXT VARCHAR, CONDITION_TEXT VARCHAR, STATE VARCHAR NOT NULL, ERROR_CODE VARCHAR, ERROR_MESSAGE VARCHAR, SCHEDULED_TIME TIMESTAMPTZ NOT NULL,
     QUERY_START_TIME TIMESTAMPTZ, NEXT_SCHEDULED_TIME TIMESTAMPTZ, COMPLETED_TIME TIMESTAMPTZ, ROOT_TASK_ID VARCHAR, GRAPH_VERSION BIGINT, RUN_ID BIGINT,
     RETURN_VALUE VARCHAR, SCHEDULED_FROM VARCHAR, ATTEMPT_NUMBER BIGINT, CONFIG VARCHAR, TASK_ID VARCHAR)`,
];

const COLUMNS =
  'ID, DATABASE_NAME, SCHEMA_NAME, NAME, OWNER, WAREHOUSE, SCHEDULE, PREDECESSORS, FINALIZE, CONDITION, DEFINITION, STATE, ALLOW_OVERLAPPING_EXECUTION, ' +
  'SUSPEND_TASK_AFTER_NUM_FAILURES, TASK_AUTO_RETRY_ATTEMPTS, USER_TASK_TIMEOUT_MS, CONFIG, COMMENT, CREATED_ON, LAST_COMMITTED_ON, LAST_SUSPENDED_ON, LAST_SUSPENDED_REASON';

/** One history row as the scheduler writes it; unset fields stay NULL. */
export interface HistoryRow {
  readonly id: string;
  readonly task: TaskDefinition;
  readonly state: TaskState;
  readonly scheduledTime: number;
  readonly runId: number;
  readonly rootTaskId: string;
  readonly scheduledFrom: 'SCHEDULE' | 'EXECUTE TASK';
  readonly attempt: number;
  readonly queryStartTime?: number;
  readonly completedTime?: number;
  readonly nextScheduledTime?: number;
  readonly errorCode?: string;
  readonly errorMessage?: string;
  readonly returnValue?: string;
  readonly config?: string | null;
}

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

export class TaskStore {
  private constructor(private readonly wh: Warehouse) {}

  static async open(wh: Warehouse): Promise<TaskStore> {
    await wh.runScript(DDL);
    return new TaskStore(wh);
  }

  async load(): Promise<TaskDefinition[]> {
    const r = await this.wh.run(`SELECT ${COLUMNS} FROM ${TASKS_TABLE} ORDER BY DATABASE_NAME, SCHEMA_NAME, NAME`);
    // By name, not position: a column added to the table cannot shift the others.
    return rowRecords(r).map((row) => ({
      id: String(row.ID),
      database: String(row.DATABASE_NAME),
      schema: String(row.SCHEMA_NAME),
      name: String(row.NAME),
      owner: String(row.OWNER),
      warehouse: str(row.WAREHOUSE),
      schedule: str(row.SCHEDULE),
      predecessors: (row.PREDECESSORS as string[] | null) ?? [],
      finalize: str(row.FINALIZE),
      condition: str(row.CONDITION),
      definition: String(row.DEFINITION),
      state: row.STATE === 'started' ? 'started' : 'suspended',
      allowOverlapping: row.ALLOW_OVERLAPPING_EXECUTION === true,
      suspendAfterFailures: Number(row.SUSPEND_TASK_AFTER_NUM_FAILURES),
      retryAttempts: Number(row.TASK_AUTO_RETRY_ATTEMPTS),
      timeoutMs: Number(row.USER_TASK_TIMEOUT_MS),
      config: str(row.CONFIG),
      comment: str(row.COMMENT),
      createdOn: String(row.CREATED_ON),
      lastCommittedOn: str(row.LAST_COMMITTED_ON),
      lastSuspendedOn: str(row.LAST_SUSPENDED_ON),
      lastSuspendedReason: str(row.LAST_SUSPENDED_REASON),
    }));
  }

  /** Writes a task (insert or full replace by id). */
  async put(t: TaskDefinition): Promise<void> {
    const params: SqlParam[] = [
      t.id,
      t.database,
      t.schema,
      t.name,
      t.owner,
      t.warehouse,
      t.schedule,
      JSON.stringify(t.predecessors),
      t.finalize,
      t.condition,
      t.definition,
      t.state,
      t.allowOverlapping,
      t.suspendAfterFailures,
      t.retryAttempts,
      t.timeoutMs,
      t.config,
      t.comment,
      t.createdOn,
      t.lastCommittedOn,
      t.lastSuspendedOn,
      t.lastSuspendedReason,
    ];
    await this.wh.run(
      `INSERT OR REPLACE INTO ${TASKS_TABLE} (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?::VARCHAR[], ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::TIMESTAMPTZ, ?::TIMESTAMPTZ, ?::TIMESTAMPTZ, ?)`,
      params,
    );
  }

  async remove(id: string): Promise<void> {
    await this.wh.run(`DELETE FROM ${TASKS_TABLE} WHERE ID = ?`, [id]);
    await this.setFailureCount(id, 0);
    await this.wh.run(`DELETE FROM ${HISTORY_TABLE} WHERE TASK_ID = ? AND STATE = 'SCHEDULED'`, [id]);
  }

  /** Inserts or replaces one history row. */
  async record(h: HistoryRow): Promise<void> {
    const t = h.task;
    await this.wh.run(
      `INSERT OR REPLACE INTO ${HISTORY_TABLE} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::TIMESTAMPTZ, ?::TIMESTAMPTZ, ?::TIMESTAMPTZ, ?::TIMESTAMPTZ, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        h.id,
        h.state === 'SCHEDULED' ? null : h.id,
        t.name,
        t.database,
        t.schema,
        t.definition,
        t.condition,
        h.state,
        h.errorCode ?? null,
        h.errorMessage ?? null,
        iso(h.scheduledTime),
        iso(h.queryStartTime),
        iso(h.nextScheduledTime),
        iso(h.completedTime),
        h.rootTaskId,
        1,
        h.runId,
        h.returnValue ?? null,
        h.scheduledFrom,
        h.attempt,
        h.config ?? t.config,
        t.id,
      ],
    );
  }

  async dropScheduled(taskId: string): Promise<void> {
    await this.wh.run(`DELETE FROM ${HISTORY_TABLE} WHERE TASK_ID = ? AND STATE = 'SCHEDULED'`, [taskId]);
  }

  /** The time of a root task's pending SCHEDULED row (what a restart compares with the clock). */
  async pendingSchedules(): Promise<Map<string, number>> {
    const r = await this.wh.run(`SELECT TASK_ID, epoch_ms(SCHEDULED_TIME) AS AT FROM ${HISTORY_TABLE} WHERE STATE = 'SCHEDULED'`);
    return new Map(rowRecords(r).map((row) => [String(row.TASK_ID), Number(row.AT)]));
  }

  /**
   * A run that was EXECUTING when its process died can never finish: it is FAILED on restart.
   * Answers the root task ids of the graph runs that failed so.
   */
  async failInterrupted(now: number): Promise<string[]> {
    const r = await this.wh.run(
      `SELECT DISTINCT ROOT_TASK_ID FROM ${HISTORY_TABLE} WHERE STATE = 'EXECUTING' AND ROOT_TASK_ID IS NOT NULL`,
    );
    await this.wh.run(
      `UPDATE ${HISTORY_TABLE} SET STATE = 'FAILED', ERROR_CODE = 'INTERNAL', COMPLETED_TIME = ?::TIMESTAMPTZ,
         ERROR_MESSAGE = 'the recpipe process that owned the home ended while this run was executing; the run did not complete'
       WHERE STATE = 'EXECUTING'`,
      [iso(now)],
    );
    await this.wh.run(`DELETE FROM ${HISTORY_TABLE} WHERE STATE = 'SCHEDULED'`);
    return rowRecords(r).map((row) => String(row.ROOT_TASK_ID));
  }

  /** Consecutive failed graph runs of a root (SUSPEND_TASK_AFTER_NUM_FAILURES), kept on disk so a restart does not forget them. */
  async failureCount(rootId: string): Promise<number> {
    const r = await this.wh.run(`SELECT CONSECUTIVE_FAILURES FROM ${FAILURES_TABLE} WHERE ROOT_TASK_ID = ?`, [rootId]);
    return r.rows.length === 0 ? 0 : Number(rowRecords(r)[0].CONSECUTIVE_FAILURES);
  }

  async setFailureCount(rootId: string, count: number): Promise<void> {
    if (count === 0) await this.wh.run(`DELETE FROM ${FAILURES_TABLE} WHERE ROOT_TASK_ID = ?`, [rootId]);
    else await this.wh.run(`INSERT OR REPLACE INTO ${FAILURES_TABLE} VALUES (?, ?)`, [rootId, count]);
  }
}

export const qualifiedName = (t: { database: string; schema: string; name: string }): string => displayName([t.database, t.schema, t.name]);

const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
