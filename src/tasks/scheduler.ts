import { randomUUID } from 'node:crypto';
import { RecpipeError, invalid, notFound } from '../core/errors.js';
import type { TableName } from '../warehouse/index.js';
import type { Clock } from './clock.js';
import { parseSchedule, type Schedule } from './schedule.js';
import { qualifiedName, type TaskStore, type HistoryRow } from './task-store.js';
import { TASK_DEFAULTS, type TaskChange, type TaskControl, type TaskDefinition, type TaskProperties, type TaskSpec } from './task.js';

/** What a task run needs from the rest of recpipe (the engine supplies it). */
export interface TaskHost {
  /** Runs SQL as the task's owner role with the task's database and schema current; answers each statement's rows. */
  execute(task: TaskDefinition, sql: string, signal: AbortSignal): Promise<{ rows: unknown[][] }[]>;
  /**
   * Waits for what the body started and asked to wait for (training jobs started with
   * `"wait": true`); throws when one failed. Answers a summary for RETURN_VALUE, or null. When
   * `signal` aborts (the run timed out) the jobs waited for are stopped.
   */
  settle(results: { rows: unknown[][] }[], signal: AbortSignal): Promise<string | null>;
}

export interface SchedulerOptions {
  readonly store: TaskStore;
  readonly clock: Clock;
  readonly host: TaskHost;
  /** A run this late (ms) at start-up was missed while no process owned the home; it is not replayed. */
  readonly missedAfterMs?: number;
}

type Outcome = 'SUCCEEDED' | 'FAILED' | 'SKIPPED';

interface GraphRun {
  readonly root: TaskDefinition;
  readonly runId: number;
  readonly scheduledFrom: HistoryRow['scheduledFrom'];
  readonly outcomes: Map<string, Outcome>;
  readonly started: Set<string>;
}

const key = (t: TableName): string => qualifiedName(t).toUpperCase();

/**
 * Tasks and task graphs, Snowflake's way: a root task runs on its SCHEDULE (or EXECUTE TASK),
 * children run once all their predecessors SUCCEEDED in the same graph run, a finalizer runs when
 * the graph run is over. One wake-up of the injected clock, at the earliest next run of the resumed
 * roots, serves them all; suspended tasks cost no timer. History rows are written as runs move
 * SCHEDULED → EXECUTING → SUCCEEDED | FAILED | SKIPPED.
 */
export class TaskScheduler implements TaskControl {
  private readonly tasks = new Map<string, TaskDefinition>();
  /** Each resumed root's next run. One clock wake-up, at the earliest, serves them all. */
  private readonly due = new Map<string, { at: number; historyId: string }>();
  private wake: { at: number; cancel: () => void } | null = null;
  private readonly runningGraphs = new Map<string, number>();
  private readonly inflight = new Set<Promise<void>>();
  private stopped = false;

  private constructor(private readonly opts: SchedulerOptions) {}

  /**
   * Loads tasks; runs that were EXECUTING when the last owner died become FAILED; a root whose
   * scheduled time passed while no process owned the home gets a SKIPPED row saying so and its next
   * time from now (missed runs are not replayed).
   */
  static async open(opts: SchedulerOptions): Promise<TaskScheduler> {
    const s = new TaskScheduler(opts);
    for (const t of await opts.store.load()) s.tasks.set(key(t), t);
    const pending = await opts.store.pendingSchedules();
    const interrupted = await opts.store.failInterrupted(opts.clock.now());
    for (const rootId of interrupted) {
      const root = [...s.tasks.values()].find((t) => t.id === rootId);
      if (root) await s.countFailures(root, true);
    }
    const now = opts.clock.now();
    for (const root of s.tasks.values()) {
      if (root.state !== 'started' || root.schedule === null || root.predecessors.length > 0) continue;
      const at = pending.get(root.id);
      if (at !== undefined && at < now - (opts.missedAfterMs ?? 1000)) {
        await s.skipScheduled(
          randomUUID(),
          root,
          at,
          now,
          `missed: no recpipe process owned the home at ${new Date(at).toISOString()}; missed runs are not replayed`,
        );
        await s.arm(root, s.scheduleOf(root).next(now));
      } else {
        await s.arm(root, at ?? s.scheduleOf(root).next(now));
      }
    }
    return s;
  }

  list(): readonly TaskDefinition[] {
    return [...this.tasks.values()].sort((a, b) => key(a).localeCompare(key(b)));
  }

  get(name: TableName): TaskDefinition | undefined {
    return this.tasks.get(key(name));
  }

  async create(spec: TaskSpec, owner: string, mode: { orReplace: boolean; ifNotExists: boolean }): Promise<string> {
    const existing = this.get(spec.name);
    const label = qualifiedName(spec.name);
    if (existing && mode.ifNotExists) return `${spec.name.name} already exists, statement succeeded.`;
    if (existing && !mode.orReplace) throw new RecpipeError('CONFLICT', `SQL compilation error: Object '${label}' already exists.`);
    const properties = { ...TASK_DEFAULTS, ...spec.properties };
    const predecessors = spec.predecessors.map((p) => qualifiedName(this.predecessor(spec.name, p)));
    checkShape(label, properties.schedule, predecessors, spec.finalize);
    for (const p of predecessors) this.requireSuspendedRoots(this.tasks.get(p.toUpperCase())!, 'add a child task to');
    const finalize = spec.finalize === null ? null : qualifiedName(this.predecessor(spec.name, spec.finalize));
    if (properties.schedule !== null) this.scheduleOf({ schedule: properties.schedule } as TaskDefinition);
    const now = new Date(this.opts.clock.now()).toISOString();
    if (existing) await this.remove(existing);
    const task: TaskDefinition = {
      ...properties,
      id: randomUUID(),
      database: spec.name.database,
      schema: spec.name.schema,
      name: spec.name.name,
      owner,
      predecessors,
      finalize,
      condition: spec.condition,
      definition: spec.definition,
      state: 'suspended',
      createdOn: now,
      lastCommittedOn: now,
      lastSuspendedOn: null,
      lastSuspendedReason: null,
    };
    this.checkAcyclic(task);
    await this.save(task);
    return `Task ${spec.name.name} successfully created.`;
  }

  async alter(name: TableName, change: TaskChange, ifExists: boolean): Promise<string> {
    const task = this.get(name);
    if (!task) {
      if (ifExists) return 'Statement executed successfully.';
      throw missing(name);
    }
    switch (change.kind) {
      case 'resume':
        await this.resume(task);
        break;
      case 'suspend':
        await this.suspend(task, 'USER_SUSPENDED');
        break;
      default:
        this.requireSuspendedRoots(task, 'modify');
        await this.save(this.changed(task, change));
    }
    return 'Statement executed successfully.';
  }

  async drop(name: TableName, ifExists: boolean): Promise<string> {
    const task = this.get(name);
    if (!task) {
      if (ifExists) return `Drop statement executed successfully (${name.name} already dropped).`;
      throw missing(name);
    }
    await this.remove(task);
    // As in Snowflake, the children of a dropped task lose that predecessor (becoming roots or standalone).
    const label = qualifiedName(task);
    for (const child of [...this.tasks.values()].filter((t) => t.predecessors.includes(label))) {
      await this.save({ ...child, predecessors: child.predecessors.filter((p) => p !== label) });
    }
    return `${task.name} successfully dropped.`;
  }

  async execute(name: TableName): Promise<string> {
    const task = this.get(name);
    if (!task) throw missing(name);
    if (task.predecessors.length > 0 || task.finalize !== null) {
      throw new RecpipeError(
        'FAILED_PRECONDITION',
        `EXECUTE TASK runs a standalone or root task; ${qualifiedName(task)} runs after ${task.predecessors.join(', ') || task.finalize}`,
      );
    }
    this.startGraph(task, this.opts.clock.now(), 'EXECUTE TASK', randomUUID());
    return `Task ${task.name} is scheduled to run immediately.`;
  }

  /** Resolves when every run started so far has finished (tests; shutdown). */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  /** Stops scheduling (no new runs); runs already executing finish — await `idle()` for them. */
  stop(): void {
    this.stopped = true;
    this.due.clear();
    this.rearm();
  }

  private scheduleOf(task: Pick<TaskDefinition, 'schedule'>): Schedule {
    return parseSchedule(task.schedule ?? '');
  }

  private predecessor(of: TableName, p: TableName): TaskDefinition {
    const found = this.get(p);
    if (!found) throw missing(p);
    if (found.database !== of.database || found.schema !== of.schema) {
      throw invalid(
        `SQL compilation error: task ${qualifiedName(p)} is in another schema than ${qualifiedName(of)}; the tasks of a graph share one database and schema`,
      );
    }
    return found;
  }

  /** The roots a task descends from (itself when it has no predecessors). */
  private rootsOf(task: TaskDefinition, seen = new Set<string>()): TaskDefinition[] {
    if (seen.has(task.id)) return [];
    seen.add(task.id);
    const parents = [...task.predecessors, ...(task.finalize ? [task.finalize] : [])]
      .map((p) => this.tasks.get(p.toUpperCase()))
      .filter((t): t is TaskDefinition => !!t);
    return parents.length === 0 ? [task] : parents.flatMap((p) => this.rootsOf(p, seen));
  }

  /** Snowflake refuses to change a graph while its root is resumed. */
  private requireSuspendedRoots(task: TaskDefinition, action: string): void {
    const started = this.rootsOf(task).find((r) => r.state === 'started');
    if (started) {
      throw new RecpipeError(
        'FAILED_PRECONDITION',
        `Unable to ${action} task ${qualifiedName(task)}: its root task ${qualifiedName(started)} is not suspended (ALTER TASK ${started.name} SUSPEND first).`,
      );
    }
  }

  private checkAcyclic(task: TaskDefinition): void {
    const label = qualifiedName(task).toUpperCase();
    const visit = (t: TaskDefinition, path: Set<string>): void => {
      for (const p of t.predecessors) {
        const up = p.toUpperCase();
        if (up === label || path.has(up))
          throw invalid(`SQL compilation error: making ${qualifiedName(task)} run after ${p} would create a cycle in the task graph`);
        const parent = this.tasks.get(up);
        if (parent) visit(parent, new Set([...path, up]));
      }
    };
    visit(task, new Set());
  }

  private changed(task: TaskDefinition, change: Exclude<TaskChange, { kind: 'resume' | 'suspend' }>): TaskDefinition {
    const label = qualifiedName(task);
    const committed = { lastCommittedOn: new Date(this.opts.clock.now()).toISOString() };
    switch (change.kind) {
      case 'set': {
        const next = { ...task, ...change.properties, ...committed };
        checkShape(label, next.schedule, next.predecessors, next.finalize);
        if (next.schedule !== null) this.scheduleOf(next);
        return next;
      }
      case 'unset':
        return { ...task, ...Object.fromEntries(change.names.map((n) => [n, TASK_DEFAULTS[n]])), ...committed };
      case 'modify-as':
        return { ...task, definition: change.definition, ...committed };
      case 'modify-when':
        return { ...task, condition: change.condition, ...committed };
      case 'add-after': {
        const added = change.tasks.map((p) => qualifiedName(this.predecessor(task, p)));
        for (const p of added) this.requireSuspendedRoots(this.tasks.get(p.toUpperCase())!, 'add a child task to');
        const next = { ...task, predecessors: [...new Set([...task.predecessors, ...added])], ...committed };
        this.checkAcyclic(next);
        checkShape(label, next.schedule, next.predecessors, next.finalize);
        return next;
      }
      case 'remove-after': {
        const removed = new Set(change.tasks.map((p) => key(p)));
        return { ...task, predecessors: task.predecessors.filter((p) => !removed.has(p.toUpperCase())), ...committed };
      }
    }
  }

  private async resume(task: TaskDefinition): Promise<void> {
    if (task.state === 'started') return;
    if (task.predecessors.length === 0 && task.finalize === null && task.schedule === null) {
      throw new RecpipeError(
        'FAILED_PRECONDITION',
        `Unable to resume task ${qualifiedName(task)}: it has neither a SCHEDULE nor AFTER predecessors (run it with EXECUTE TASK)`,
      );
    }
    const started: TaskDefinition = { ...task, state: 'started' };
    await this.save(started);
    await this.opts.store.setFailureCount(task.id, 0);
    if (started.schedule !== null && started.predecessors.length === 0)
      await this.arm(started, this.scheduleOf(started).next(this.opts.clock.now()));
  }

  private async suspend(task: TaskDefinition, reason: string): Promise<void> {
    this.disarm(task.id);
    await this.opts.store.dropScheduled(task.id);
    const current = this.tasks.get(key(task)) ?? task;
    if (current.state === 'suspended') return;
    await this.save({
      ...current,
      state: 'suspended',
      lastSuspendedOn: new Date(this.opts.clock.now()).toISOString(),
      lastSuspendedReason: reason,
    });
  }

  private async save(task: TaskDefinition): Promise<void> {
    await this.opts.store.put(task);
    this.tasks.set(key(task), ownStrings(task));
  }

  private async remove(task: TaskDefinition): Promise<void> {
    this.disarm(task.id);
    await this.opts.store.remove(task.id);
    this.tasks.delete(key(task));
  }

  private disarm(id: string): void {
    if (this.due.delete(id)) this.rearm();
  }

  /** Writes the SCHEDULED row of a root's next run and sets its timer. */
  private async arm(root: TaskDefinition, at: number): Promise<void> {
    if (this.stopped) return;
    this.disarm(root.id);
    const historyId = randomUUID();
    await this.record({
      id: historyId,
      task: root,
      state: 'SCHEDULED',
      scheduledTime: at,
      runId: at,
      rootTaskId: root.id,
      scheduledFrom: 'SCHEDULE',
      attempt: 1,
    });
    this.due.set(root.id, { at, historyId });
    this.rearm();
  }

  /** Keeps the one wake-up at the earliest next run (none when no root is resumed). */
  private rearm(): void {
    let earliest = Number.POSITIVE_INFINITY;
    for (const d of this.due.values()) earliest = Math.min(earliest, d.at);
    if (this.wake?.at === earliest) return;
    this.wake?.cancel();
    this.wake = null;
    if (earliest === Number.POSITIVE_INFINITY || this.stopped) return;
    this.wake = { at: earliest, cancel: this.opts.clock.at(earliest, () => this.wakeUp()) };
  }

  /** Starts every root whose time has come, then waits for the next. */
  private wakeUp(): void {
    this.wake = null;
    const now = this.opts.clock.now();
    for (const [id, d] of this.due) {
      if (d.at > now) continue;
      this.due.delete(id);
      this.track(this.fire(id, d.at, d.historyId));
    }
    this.rearm();
  }

  private async fire(rootId: string, at: number, historyId: string): Promise<void> {
    const root = [...this.tasks.values()].find((t) => t.id === rootId);
    if (root?.state !== 'started' || this.stopped) return;
    const schedule = this.scheduleOf(root);
    const now = this.opts.clock.now();
    // Runs that fell due while the process was busy are not replayed: the next time is after now.
    let next = schedule.next(at);
    for (let i = 0; next <= now && i < 1000; i++) next = schedule.next(next);
    if (next <= now) next = schedule.next(now);
    if (!root.allowOverlapping && (this.runningGraphs.get(rootId) ?? 0) > 0) {
      await this.skipScheduled(
        historyId,
        root,
        at,
        now,
        'the previous run of this task graph was still executing (ALLOW_OVERLAPPING_EXECUTION = FALSE)',
        next,
      );
      await this.arm(root, next);
      return;
    }
    // The next SCHEDULED row is written while this run starts, so writing it does not delay the start.
    const armed = this.arm(root, next);
    await this.runGraph({ root, runId: at, scheduledFrom: 'SCHEDULE', outcomes: new Map(), started: new Set() }, historyId, next);
    await armed;
  }

  private startGraph(root: TaskDefinition, at: number, from: HistoryRow['scheduledFrom'], historyId: string): void {
    this.track(
      this.runGraph(
        { root, runId: at, scheduledFrom: from, outcomes: new Map(), started: new Set() },
        historyId,
        this.due.get(root.id)?.at,
      ),
    );
  }

  private track(p: Promise<void>): void {
    const tracked = p
      .catch((e: unknown) => process.emitWarning(`task scheduler: ${e instanceof Error ? e.message : String(e)}`, 'RecpipeTaskWarning'))
      .finally(() => this.inflight.delete(tracked));
    this.inflight.add(tracked);
  }

  private async runGraph(run: GraphRun, rootHistoryId: string, next: number | undefined): Promise<void> {
    const { root } = run;
    this.runningGraphs.set(root.id, (this.runningGraphs.get(root.id) ?? 0) + 1);
    try {
      await this.runInGraph(run, root, rootHistoryId, next);
      const finalizer = [...this.tasks.values()].find((t) => t.finalize?.toUpperCase() === key(root) && t.state === 'started');
      if (finalizer) await this.runInGraph(run, finalizer, randomUUID(), undefined);
      await this.countFailures(run.root, [...run.outcomes.values()].includes('FAILED'));
    } finally {
      this.runningGraphs.set(root.id, (this.runningGraphs.get(root.id) ?? 1) - 1);
    }
  }

  /** Runs one task of a graph run, then each child whose predecessors have all succeeded. */
  private async runInGraph(run: GraphRun, task: TaskDefinition, historyId: string, next: number | undefined): Promise<void> {
    run.started.add(task.id);
    const outcome = await this.runTask(run, task, historyId, next);
    run.outcomes.set(task.id, outcome);
    if (outcome !== 'SUCCEEDED' || task.finalize !== null) return;
    const label = qualifiedName(task);
    const ready = [...this.tasks.values()].filter(
      (c) =>
        c.state === 'started' &&
        c.predecessors.includes(label) &&
        !run.started.has(c.id) &&
        c.predecessors.every((p) => {
          const parent = this.tasks.get(p.toUpperCase());
          return parent !== undefined && run.outcomes.get(parent.id) === 'SUCCEEDED';
        }),
    );
    for (const c of ready) run.started.add(c.id);
    await Promise.all(ready.map((c) => this.runInGraph(run, c, randomUUID(), undefined)));
  }

  private async runTask(run: GraphRun, task: TaskDefinition, historyId: string, next: number | undefined): Promise<Outcome> {
    const attempts = run.root.retryAttempts + 1;
    let outcome: Outcome = 'FAILED';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const id = attempt === 1 ? historyId : randomUUID();
      const base = {
        id,
        task,
        scheduledTime: run.runId,
        runId: run.runId,
        rootTaskId: run.root.id,
        scheduledFrom: run.scheduledFrom,
        attempt,
        config: run.root.config,
        queryStartTime: this.opts.clock.now(),
        ...(next === undefined ? {} : { nextScheduledTime: next }),
      };
      await this.record({ ...base, state: 'EXECUTING' });
      try {
        const value = await this.withTimeout(task, (signal) => this.body(task, signal));
        outcome = value === SKIPPED ? 'SKIPPED' : 'SUCCEEDED';
        await this.record({
          ...base,
          state: outcome,
          completedTime: this.opts.clock.now(),
          ...(value === SKIPPED ? { errorMessage: 'the WHEN condition was not TRUE' } : value === null ? {} : { returnValue: value }),
        });
        return outcome;
      } catch (e) {
        const err = e instanceof RecpipeError ? e : new RecpipeError('INTERNAL', e instanceof Error ? e.message : String(e));
        await this.record({
          ...base,
          state: 'FAILED',
          completedTime: this.opts.clock.now(),
          errorCode: err.code,
          errorMessage: err.message,
        });
      }
    }
    return outcome;
  }

  /** The WHEN condition, then the body, then whatever the body asked to wait for. */
  private async body(task: TaskDefinition, signal: AbortSignal): Promise<string | null | typeof SKIPPED> {
    if (task.condition !== null) {
      const [r] = await this.opts.host.execute(task, `SELECT (${task.condition})`, signal);
      if (r?.rows[0]?.[0] !== true) return SKIPPED;
    }
    const results = await this.opts.host.execute(task, task.definition, signal);
    return this.opts.host.settle(results, signal);
  }

  /**
   * USER_TASK_TIMEOUT_MS: at the timeout the body is cancelled — its running statement interrupted,
   * the training jobs it waits for stopped — and once it has stopped the run fails with Snowflake's
   * timeout message.
   */
  private async withTimeout<T>(task: TaskDefinition, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const cancel = this.opts.clock.at(this.opts.clock.now() + task.timeoutMs, () => controller.abort());
    try {
      return await work(controller.signal);
    } catch (e) {
      if (!controller.signal.aborted) throw e;
      throw new RecpipeError(
        'RESOURCE_EXHAUSTED',
        `Statement reached its statement or warehouse timeout of ${task.timeoutMs / 1000} second(s) and was canceled (task ${qualifiedName(task)}, USER_TASK_TIMEOUT_MS = ${task.timeoutMs}).`,
      );
    } finally {
      cancel();
    }
  }

  /** SUSPEND_TASK_AFTER_NUM_FAILURES counts consecutive graph runs with a failed task (on disk: a restart keeps the count). */
  private async countFailures(root: TaskDefinition, failed: boolean): Promise<void> {
    const count = failed ? (await this.opts.store.failureCount(root.id)) + 1 : 0;
    await this.opts.store.setFailureCount(root.id, count);
    const current = this.tasks.get(key(root));
    if (current && failed && current.suspendAfterFailures > 0 && count >= current.suspendAfterFailures && current.state === 'started') {
      await this.suspend(
        current,
        `SUSPENDED_DUE_TO_ERRORS: ${count} consecutive failed runs (SUSPEND_TASK_AFTER_NUM_FAILURES = ${current.suspendAfterFailures})`,
      );
    }
  }

  /** A scheduled run of a graph that did not start: SKIPPED in history, with the reason. */
  private skipScheduled(
    id: string,
    root: TaskDefinition,
    at: number,
    now: number,
    errorMessage: string,
    nextScheduledTime?: number,
  ): Promise<void> {
    return this.record({
      id,
      task: root,
      state: 'SKIPPED',
      scheduledTime: at,
      runId: at,
      rootTaskId: root.id,
      scheduledFrom: 'SCHEDULE',
      attempt: 1,
      completedTime: now,
      ...(nextScheduledTime === undefined ? {} : { nextScheduledTime }),
      errorMessage,
    });
  }

  private record(h: HistoryRow): Promise<void> {
    return this.opts.store.record(h);
  }
}

const SKIPPED = Symbol('skipped');

/**
 * The task with each string copied. A body or WHEN parsed out of a request is a V8 slice of the
 * whole request's text, and a slice keeps its parent alive: one task created by a large script would
 * hold the script for as long as the task exists. UTF-16 round-trips every string exactly.
 */
function ownStrings(task: TaskDefinition): TaskDefinition {
  const copy = (v: unknown): unknown =>
    typeof v === 'string' ? Buffer.from(v, 'utf16le').toString('utf16le') : Array.isArray(v) ? v.map(copy) : v;
  return Object.fromEntries(Object.entries(task).map(([k, v]) => [k, copy(v)])) as unknown as TaskDefinition;
}

function checkShape(label: string, schedule: string | null, predecessors: readonly string[], finalize: unknown): void {
  if (schedule !== null && predecessors.length > 0)
    throw invalid(
      `SQL compilation error: task ${label} cannot have both a SCHEDULE and AFTER predecessors; only the root task of a graph is scheduled`,
    );
  if (finalize !== null && (schedule !== null || predecessors.length > 0))
    throw invalid(`SQL compilation error: the finalizer task ${label} cannot have a SCHEDULE or AFTER predecessors`);
}

const missing = (name: TableName): RecpipeError =>
  notFound(`SQL compilation error: Task '${qualifiedName(name)}' does not exist or not authorized.`);

export type { TaskProperties };
