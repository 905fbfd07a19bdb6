import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { resolveArtifactStore } from '../artifacts/index.js';
import { RecpipeError, getAlgorithm, invalid, notFound } from '../core/index.js';
import type { Warehouse } from '../warehouse/index.js';
import { Deadline } from './deadline.js';
import {
  isTerminal,
  type JobSpec,
  type JobMetrics,
  type JobProgress,
  type ProgressPhase,
  type SecondaryStatus,
  type TrainingCurves,
  type TrainingJob,
} from './job.js';
import { newJobName } from './job-name.js';
import { runJob } from './job-runner.js';
import { parseJobSpec, type JobRequest } from './job-spec.js';
import { markInterrupted, moveTo, newJob, snapshot, type JobDraft } from './job-state.js';
import { JobStore } from './job-store.js';
import { jobColumns, planTables, type JobTables, type TablePlan } from './table-plan.js';
import type { TrainingThread } from './training-thread.js';

/** See JobManagerOptions.poolMinWork. */
export const DEFAULT_POOL_MIN_WORK = 5_000_000;

export interface JobManagerOptions {
  /** The recpipe home: jobs live in `<home>/jobs/<name>/`. */
  readonly home: string;
  readonly warehouse: Warehouse;
  /** Jobs trained at the same time; later ones wait in Starting. */
  readonly concurrency?: number;
  /** Jobs allowed to wait for a slot; one more is refused (RESOURCE_EXHAUSTED). */
  readonly maxQueued?: number;
  /** Threads of each job's cross-validation pool (default: cores ÷ concurrency). */
  readonly foldWorkers?: number;
  /**
   * Jobs with fewer rating visits than this (ratings × epochs × (folds + 1)) run their folds and top-N in
   * their own thread, without a compute pool: a pool thread costs ~0.3 CPU-s to start, about what 5M
   * rating visits cost to fit (default 5,000,000).
   */
  readonly poolMinWork?: number;
  /** Wall-clock time for names and timestamps (tests pin it). */
  readonly clock?: () => Date;
  /** Artifact store URI under which `<job>/model` is written (default `file://<home>/artifacts`). */
  readonly artifactRoot?: string;
}

export interface JobEvents {
  /** Every status change, with the job as it now is. */
  status: [job: TrainingJob];
  progress: [name: string, progress: JobProgress];
  log: [name: string, line: string];
  /** Something went wrong outside any job (e.g. job.json could not be written). */
  warning: [message: string];
}

/** A job's tables in another warehouse: its URL (kept with the job) and the way to them (not kept). */
export interface JobSource {
  readonly url: string;
  readonly tables: JobTables;
}

/**
 * Decides, once the tables are checked (the plan says whether the output exists), whether the
 * caller may run the job on them; a throw fails the job with that reason before any data is read.
 */
export type JobAuthorizer = (plan: TablePlan, job: TrainingJob) => Promise<void> | void;

interface StopRequest {
  readonly secondary: 'Stopped' | 'MaxRuntimeExceeded';
  readonly reason: string;
}

interface Entry {
  readonly job: JobDraft;
  /** Where the job reads and writes its tables. */
  readonly tables: JobTables;
  stop: StopRequest | null;
  thread: TrainingThread | null;
  deadline: Deadline | null;
  /** The curves of the run in this process (none for a job loaded from the store). */
  curves: { fullFit: number[]; folds: { fold: number; trainRmse: number[]; testRmse: number[] }[] } | null;
  /** Settles when the job reaches a terminal status. */
  readonly ended: Promise<void>;
  readonly end: () => void;
}

class StopSignal extends Error {}

/**
 * Training jobs with SageMaker's life cycle, persisted under the home. `start` checks the request
 * and the tables before queueing; jobs then run up to `concurrency` at a time, each training in its
 * own worker thread so the owner thread keeps answering SQL and HTTP.
 */
export class JobManager extends EventEmitter<JobEvents> {
  /** Directories under `<home>/jobs` that held no readable job when the manager opened. */
  readonly problems: readonly string[];
  private readonly entries = new Map<string, Entry>();
  private readonly queue: Entry[] = [];
  private readonly running = new Set<Promise<unknown>>();
  /** Call-time checks of submitted jobs, by caller, until the caller settles them. */
  private readonly unsettled = new Map<string, { name: string; checked: Promise<unknown> }[]>();
  private active = 0;
  private closed = false;

  private constructor(
    private readonly store: JobStore,
    private readonly opts: Required<Omit<JobManagerOptions, 'clock'>> & { readonly clock: () => Date },
    problems: string[],
  ) {
    super();
    this.problems = problems;
  }

  /** Loads the home's job history; jobs that were running when their process died become Failed. */
  static async open(options: JobManagerOptions): Promise<JobManager> {
    const concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1) throw invalid(`concurrency must be an integer ≥ 1, got ${concurrency}`);
    const maxQueued = options.maxQueued ?? 100;
    if (!Number.isInteger(maxQueued) || maxQueued < 0) throw invalid(`maxQueued must be an integer ≥ 0, got ${maxQueued}`);
    // Jobs training side by side share the cores.
    const foldWorkers = options.foldWorkers ?? Math.max(1, Math.floor(availableParallelism() / concurrency));
    if (!Number.isInteger(foldWorkers) || foldWorkers < 1) throw invalid(`foldWorkers must be an integer ≥ 1, got ${foldWorkers}`);
    const artifactRoot = (options.artifactRoot ?? pathToFileURL(join(options.home, 'artifacts')).href).replace(/\/+$/, '');
    resolveArtifactStore(artifactRoot);
    const store = new JobStore(join(options.home, 'jobs'));
    const { jobs, problems } = await store.loadAll();
    const clock = options.clock ?? (() => new Date());
    const poolMinWork = options.poolMinWork ?? DEFAULT_POOL_MIN_WORK;
    if (!Number.isInteger(poolMinWork) || poolMinWork < 0) throw invalid(`poolMinWork must be an integer ≥ 0, got ${poolMinWork}`);
    const manager = new JobManager(store, { ...options, concurrency, maxQueued, foldWorkers, poolMinWork, artifactRoot, clock }, problems);
    for (const job of jobs) {
      const entry = manager.add(job as JobDraft);
      if (!isTerminal(job.status)) {
        markInterrupted(entry.job, clock());
        await manager.store.save(snapshot(entry.job));
        await manager.store.appendLog(job.name, `Failed: ${entry.job.failureReason}\n`);
        entry.end();
      }
    }
    return manager;
  }

  /** Validates the request and both tables, then queues the job; returns it in InProgress / Starting. */
  async start(request: JobRequest, authorize?: JobAuthorizer): Promise<TrainingJob> {
    this.checkOpen();
    const spec = parseJobSpec(request);
    const plan = await planTables(this.opts.warehouse, spec);
    const entry = this.create(spec);
    try {
      await authorize?.(plan, snapshot(entry.job));
    } catch (e) {
      this.fail(entry, e);
      throw e;
    }
    entry.job.columns = jobColumns(plan);
    await this.store.save(snapshot(entry.job));
    return this.enqueue(entry);
  }

  /**
   * For callers that cannot wait (SQL functions run synchronously inside a query): checks the
   * request, creates the job and returns it at once in InProgress / Starting; the table checks run
   * next, before any data is read, and a failed check ends the job Failed with the reason. A
   * `caller` (a SQL session id) collects the checks so `settleSubmitted` can fail its statement.
   */
  submit(request: JobRequest, caller?: string, source?: JobSource, authorize?: JobAuthorizer): TrainingJob {
    this.checkOpen();
    const spec = parseJobSpec(request);
    const entry = this.create(source ? { ...spec, warehouse: source.url } : spec, source?.tables);
    const created = snapshot(entry.job);
    this.emit('status', created);
    // Tracked with the running jobs, so close() waits for the checks before the warehouse goes away.
    const checks = (async () => {
      try {
        await this.store.save(snapshot(entry.job));
        const plan = await planTables(entry.tables, entry.job.spec);
        await authorize?.(plan, snapshot(entry.job));
        entry.job.columns = jobColumns(plan);
      } catch (e) {
        this.fail(entry, e);
        return entry.stop ? null : e;
      }
      this.enqueue(entry);
      return null;
    })().finally(() => this.running.delete(checks));
    this.running.add(checks);
    if (caller !== undefined) {
      const pending = this.unsettled.get(caller) ?? [];
      pending.push({ name: created.name, checked: checks });
      this.unsettled.set(caller, pending);
    }
    return created;
  }

  /**
   * Waits for the table checks of the jobs submitted for `caller` since the last call, and throws
   * the first failure (its code, the job's reason and name): the statement that called
   * train_and_get_recommendations fails at once instead of leaving a Failed job to be found later.
   */
  async settleSubmitted(caller: string): Promise<void> {
    const pending = this.unsettled.get(caller);
    if (!pending) return;
    this.unsettled.delete(caller);
    const failures = (await Promise.all(pending.map(async (p) => ({ name: p.name, error: await p.checked })))).filter(
      (f) => f.error !== null,
    );
    if (failures.length === 0) return;
    const { name, error } = failures[0];
    const more = failures.length > 1 ? `; ${failures.length - 1} more job(s) of this call failed too` : '';
    const message = error instanceof Error ? error.message : String(error);
    throw new RecpipeError(error instanceof RecpipeError ? error.code : 'INTERNAL', `${message} (training job ${name} failed${more})`);
  }

  private create(spec: JobSpec, tables?: JobTables): Entry {
    this.checkOpen();
    if (this.queue.length >= this.opts.maxQueued && this.active >= this.opts.concurrency) {
      throw new RecpipeError(
        'RESOURCE_EXHAUSTED',
        `${this.queue.length} training jobs are already waiting for a slot (limit ${this.opts.maxQueued}); try again when one has finished`,
      );
    }
    const now = this.opts.clock();
    return this.add(
      newJob(
        newJobName(now, (n) => this.entries.has(n)),
        randomUUID(),
        spec,
        now,
      ),
      tables,
    );
  }

  private enqueue(entry: Entry): TrainingJob {
    if (entry.stop) {
      // close() or stop() ran while the job was being saved and checked: it ends here, never queued.
      this.fail(entry, new StopSignal(entry.stop.reason));
      return snapshot(entry.job);
    }
    const queued = snapshot(entry.job);
    this.queue.push(entry);
    this.emit('status', queued);
    this.pump();
    return queued;
  }

  /** Where the job's model artifact is (or will be) written. */
  artifactLocation(name: string): string {
    return `${this.opts.artifactRoot}/${name}/model`;
  }

  get(name: string): TrainingJob {
    return snapshot(this.entry(name).job);
  }

  /** The job's training curves so far (live while it trains; from its metrics once it has them). */
  curves(name: string): TrainingCurves {
    const entry = this.entry(name);
    const m = entry.job.metrics;
    const measure = getAlgorithm(entry.job.spec.algorithm).ranksOnly ? 'loss' : 'rmse';
    if (m)
      return {
        measure,
        fullFit: [...m.fullFit.trainRmse],
        folds: (m.cv?.folds ?? []).map((f) => ({ fold: f.fold, trainRmse: [...(f.trainRmse ?? [])], testRmse: [...(f.testRmse ?? [])] })),
      };
    return { measure, ...structuredClone(entry.curves ?? { fullFit: [], folds: [] }) };
  }

  /** Every job, newest first (as SageMaker lists them). */
  list(): TrainingJob[] {
    return [...this.entries.values()].map((e) => snapshot(e.job)).reverse();
  }

  /** Asks a job to stop: a queued job stops at once, a running one at the next step (its worker is terminated). */
  stop(name: string): TrainingJob {
    const entry = this.entry(name);
    if (isTerminal(entry.job.status))
      throw new RecpipeError('FAILED_PRECONDITION', `training job ${name} has already ended (${entry.job.status}); nothing to stop`);
    this.requestStop(entry, { secondary: 'Stopped', reason: 'Stopped by request' });
    return snapshot(entry.job);
  }

  /** Resolves with the job once it has ended, or with its current state when `timeoutMs` passes first. */
  async wait(name: string, options: { timeoutMs?: number } = {}): Promise<TrainingJob> {
    const entry = this.entry(name);
    if (options.timeoutMs === undefined) {
      await entry.ended;
    } else {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([entry.ended, new Promise<void>((resolve) => (timer = setTimeout(resolve, options.timeoutMs)))]);
      clearTimeout(timer);
    }
    return snapshot(entry.job);
  }

  /** The job's log so far: progress lines, the cross-validation table, the final figures, errors. */
  logs(name: string): Promise<string> {
    this.entry(name);
    return this.store.readLog(name);
  }

  /** Stops every queued and running job (Stopped, "the recpipe service shut down") and waits for them and their files. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const entry of this.entries.values()) {
      if (!isTerminal(entry.job.status)) this.requestStop(entry, { secondary: 'Stopped', reason: 'the recpipe service shut down' });
    }
    await Promise.all(this.running);
    await this.store.flush();
  }

  private add(job: JobDraft, tables: JobTables = this.opts.warehouse): Entry {
    let end!: () => void;
    const ended = new Promise<void>((resolve) => (end = resolve));
    const entry: Entry = { job, tables, stop: null, thread: null, deadline: null, curves: null, ended, end };
    this.entries.set(job.name, entry);
    return entry;
  }

  private entry(name: string): Entry {
    const entry = this.entries.get(name);
    if (!entry) throw notFound(`training job ${JSON.stringify(name)} does not exist`, { job: name });
    return entry;
  }

  private checkOpen(): void {
    if (this.closed) throw new RecpipeError('FAILED_PRECONDITION', 'the job manager is closed');
  }

  private pump(): void {
    while (!this.closed && this.active < this.opts.concurrency && this.queue.length > 0) {
      const entry = this.queue.shift() as Entry;
      this.active++;
      const run = this.execute(entry).finally(() => {
        this.active--;
        this.running.delete(run);
        this.pump();
      });
      this.running.add(run);
    }
  }

  private async execute(entry: Entry): Promise<void> {
    const job = entry.job;
    const startedAt = this.opts.clock();
    job.trainingStartTime = startedAt.toISOString();
    entry.deadline = new Deadline(job.spec.maxRuntimeSeconds * 1000, () =>
      this.requestStop(entry, {
        secondary: 'MaxRuntimeExceeded',
        reason: `the job exceeded its maximum run time of ${job.spec.maxRuntimeSeconds} s`,
      }),
    );
    try {
      const metrics = await runJob({
        spec: job.spec,
        warehouse: entry.tables,
        artifactTarget: this.artifactLocation(job.name),
        foldWorkers: this.opts.foldWorkers,
        poolMinWork: this.opts.poolMinWork,
        queuedSeconds: (startedAt.getTime() - Date.parse(job.creationTime)) / 1000,
        now: this.opts.clock,
        enter: (secondary, message) => this.move(entry, 'InProgress', secondary, message),
        log: (line) => this.log(entry, line),
        progress: (phase, done, total) => this.progress(entry, phase, done, total),
        curve: (fold, from, values, heldOut) => this.curve(entry, fold, from, values, heldOut),
        checkStop: () => {
          if (entry.stop) throw new StopSignal(entry.stop.reason);
        },
        setThread: (thread) => (entry.thread = thread),
        setArtifact: (uri) => (job.artifactUri = uri),
        setColumns: (columns) => (job.columns = columns),
      });
      this.finish(entry, metrics);
    } catch (e) {
      this.fail(entry, e);
    } finally {
      entry.deadline.cancel();
    }
  }

  private finish(entry: Entry, metrics: JobMetrics): void {
    entry.job.metrics = metrics;
    if (entry.stop) this.log(entry, `A stop (${entry.stop.reason}) arrived after the output table was written; the job completed`);
    const m = metrics.cv ? `; mean RMSE ${metrics.cv.mean.rmse.toFixed(4)}` : '';
    this.log(entry, `Training complete in ${metrics.phases.totalSeconds.toFixed(2)} s${m}`);
    this.move(entry, 'Completed', 'Completed', `Training job completed${m}`);
  }

  private fail(entry: Entry, e: unknown): void {
    if (entry.stop) {
      entry.job.stopReason = entry.stop.reason;
      this.log(entry, `Stopped: ${entry.stop.reason}`);
      this.move(entry, 'Stopped', entry.stop.secondary, entry.stop.reason);
      return;
    }
    const reason = e instanceof RecpipeError ? e.message : `internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
    entry.job.failureReason = reason;
    this.log(entry, `Failed: ${reason}`);
    this.move(entry, 'Failed', 'Failed', reason);
  }

  private requestStop(entry: Entry, stop: StopRequest): void {
    if (entry.stop || isTerminal(entry.job.status)) return;
    entry.stop = stop;
    this.move(entry, 'Stopping', 'Stopping', stop.reason);
    const queued = this.queue.indexOf(entry);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.fail(entry, new StopSignal(stop.reason));
      return;
    }
    void entry.thread?.terminate();
  }

  private move(entry: Entry, status: TrainingJob['status'], secondary: SecondaryStatus, message: string): void {
    // A stop request keeps the job in Stopping while the current phase winds down.
    if (entry.stop && status === 'InProgress') return;
    moveTo(entry.job, status, secondary, message, this.opts.clock());
    this.persist(entry);
    this.emit('status', snapshot(entry.job));
    if (isTerminal(status)) entry.end();
  }

  private progress(entry: Entry, phase: ProgressPhase, done: number, total: number): void {
    entry.job.progress = { ...entry.job.progress, [phase]: { done, total } };
    this.emit('progress', entry.job.name, entry.job.progress);
  }

  private curve(entry: Entry, fold: number, from: number, values: readonly number[], heldOut: readonly number[] = []): void {
    const curves = (entry.curves ??= { fullFit: [], folds: [] });
    let line = curves.fullFit;
    let heldOutLine: number[] = [];
    if (fold > 0) {
      let f = curves.folds.find((c) => c.fold === fold);
      if (!f) {
        curves.folds.push((f = { fold, trainRmse: [], testRmse: [] }));
        curves.folds.sort((a, b) => a.fold - b.fold);
      }
      line = f.trainRmse;
      heldOutLine = f.testRmse;
    }
    // Batches come in order; a fold's whole curves at its end overwrite what is there.
    values.forEach((v, i) => (line[from + i] = v));
    heldOut.forEach((v, i) => (heldOutLine[from + i] = v));
  }

  private log(entry: Entry, line: string): void {
    this.store
      .appendLog(entry.job.name, line + '\n')
      .catch((e: Error) => this.emit('warning', `cannot append to the log of ${entry.job.name}: ${e.message}`));
    this.emit('log', entry.job.name, line);
  }

  private persist(entry: Entry): void {
    this.store
      .save(snapshot(entry.job))
      .catch((e: Error) => this.emit('warning', `cannot save training job ${entry.job.name}: ${e.message}`));
  }
}
