import type { Engine } from '../engine/index.js';
import {
  artifactFor,
  hasEnded,
  jobStateKey,
  type ControlClient,
  type EndpointDescription,
  type EndpointStatus,
  type JobObserver,
  type StartJobRequest,
  type TrainingJob,
} from './control-client.js';

/**
 * Jobs and endpoints of an engine opened in this process (holding the home's lock). Every log line
 * of a job run by this engine is kept from the start, so following a job started here misses none;
 * a job from the home's history (it ran in an earlier process) is followed from its log file.
 */
export class InProcessControlClient implements ControlClient {
  readonly mode = 'in-process';
  private readonly lines = new Map<string, string[]>();
  private readonly followers = new Map<string, Set<JobObserver>>();
  private readonly onLog = (name: string, entry: string): void => {
    const lines = entry.split('\n');
    this.kept(name).push(...lines);
    for (const o of this.followers.get(name) ?? []) for (const line of lines) o.log?.(line);
  };
  private readonly onStatus = (job: TrainingJob): void => {
    // A job's first event is a status (queued), before any log line: from here on its lines are kept.
    this.kept(job.name);
    for (const o of this.followers.get(job.name) ?? []) o.update?.(job);
  };
  private readonly onProgress = (name: string): void => {
    const followers = this.followers.get(name);
    if (followers?.size) for (const o of followers) o.update?.(this.engine.jobs.get(name));
  };

  private constructor(
    readonly engine: Engine,
    readonly home: string,
  ) {
    engine.jobs.on('log', this.onLog);
    engine.jobs.on('status', this.onStatus);
    engine.jobs.on('progress', this.onProgress);
  }

  static async open(home: string): Promise<InProcessControlClient> {
    // Imported here so HTTP clients never load the engine and its native DuckDB binding.
    const { Engine } = await import('../engine/index.js');
    return new InProcessControlClient(await Engine.open({ home }), home);
  }

  private kept(name: string): string[] {
    let lines = this.lines.get(name);
    if (!lines) this.lines.set(name, (lines = []));
    return lines;
  }

  get description(): string {
    return `no server running; using ${this.home} in-process`;
  }

  async listJobs(): Promise<TrainingJob[]> {
    return this.engine.jobs.list();
  }

  async describeJob(name: string): Promise<TrainingJob> {
    return this.engine.jobs.get(name);
  }

  jobLogs(name: string): Promise<string> {
    return this.engine.jobs.logs(name);
  }

  async stopJob(name: string): Promise<TrainingJob> {
    return this.engine.jobs.stop(name);
  }

  startJob(request: StartJobRequest): Promise<TrainingJob> {
    const { input, output, database, schema, ...options } = request;
    const session = this.engine.createSession({ database, schema });
    return this.engine.jobs.start({
      ...options,
      input: this.engine.resolveTableName(session, input),
      output: this.engine.resolveTableName(session, output),
    });
  }

  async followJob(name: string, observer: JobObserver, timeoutMs?: number): Promise<TrainingJob> {
    const jobs = this.engine.jobs;
    const job = jobs.get(name);
    const kept = this.lines.get(name);
    if (kept === undefined) {
      // Not run by this engine, so it ended in an earlier process: its log file is complete.
      const log = await jobs.logs(name);
      if (log !== '') for (const line of log.replace(/\n$/, '').split('\n')) observer.log?.(line);
      observer.update?.(job);
      return job;
    }
    for (const line of kept) observer.log?.(line);
    let lastState = jobStateKey(job);
    observer.update?.(job);
    if (hasEnded(job)) return job;
    // Reported only when the secondary status or progress differs from the last report.
    const follower: JobObserver = {
      log: (line) => observer.log?.(line),
      update: (j) => {
        const state = jobStateKey(j);
        if (state !== lastState) observer.update?.(j);
        lastState = state;
      },
    };
    const set = this.followers.get(name) ?? new Set<JobObserver>();
    this.followers.set(name, set);
    set.add(follower);
    try {
      return await jobs.wait(name, timeoutMs === undefined ? {} : { timeoutMs });
    } finally {
      set.delete(follower);
    }
  }

  async listEndpoints(): Promise<EndpointDescription[]> {
    return this.engine.endpoints.list();
  }

  async describeEndpoint(name: string): Promise<EndpointDescription> {
    return this.engine.endpoints.describe(name);
  }

  async deploy(name: string, artifactOrJob: string): Promise<EndpointDescription> {
    return this.engine.endpoints.deploy(name, await artifactFor(artifactOrJob, (job) => this.describeJob(job)));
  }

  waitForEndpoint(name: string, status: EndpointStatus, timeoutMs: number): Promise<EndpointDescription> {
    return this.engine.endpoints.waitFor(name, status, timeoutMs);
  }

  deleteEndpoint(name: string): Promise<EndpointDescription> {
    return this.engine.endpoints.delete(name);
  }

  async close(): Promise<void> {
    this.engine.jobs.off('log', this.onLog);
    this.engine.jobs.off('status', this.onStatus);
    this.engine.jobs.off('progress', this.onProgress);
    await this.engine.close();
  }
}
