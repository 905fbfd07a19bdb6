import { RecpipeError } from '../core/errors.js';
import type { EndpointDescription, EndpointStatus } from '../endpoints/index.js';
import type { JobStatus, TrainingJob } from '../jobs/index.js';
import type { JobRequest } from '../jobs/job-spec.js';
// The module itself, not jobs/index.js: an HTTP client must not load the job manager.
import { JOB_NAME_PATTERN } from '../jobs/job-name.js';

export type { EndpointDescription, EndpointStatus, TrainingJob };

/** A training job to start: the job spec's options, with table names as text resolved like SQL (against `database`/`schema` when given). */
export type StartJobRequest = Omit<JobRequest, 'input' | 'output'> & {
  readonly input: string;
  readonly output: string;
  readonly database?: string;
  readonly schema?: string;
};

/** What a caller following a job is told. */
export interface JobObserver {
  /** One line of the job's log (multi-line entries such as the cross-validation table arrive line by line). */
  log?(line: string): void;
  /** The job, each time its secondary status or progress is seen to change. */
  update?(job: TrainingJob): void;
}

/**
 * Training jobs and endpoints of a home, the same through a running server (HTTP) or an engine
 * opened in this process; `mode`/`description` say which.
 */
export interface ControlClient {
  readonly mode: 'http' | 'in-process';
  readonly description: string;
  /** Newest first. */
  listJobs(): Promise<TrainingJob[]>;
  describeJob(name: string): Promise<TrainingJob>;
  jobLogs(name: string): Promise<string>;
  stopJob(name: string): Promise<TrainingJob>;
  startJob(request: StartJobRequest): Promise<TrainingJob>;
  /**
   * Reports the job's log from its first line and its status changes until it ends, then resolves
   * with it; with `timeoutMs`, resolves with the job as it is when that time has passed.
   */
  followJob(name: string, observer: JobObserver, timeoutMs?: number): Promise<TrainingJob>;
  listEndpoints(): Promise<EndpointDescription[]>;
  describeEndpoint(name: string): Promise<EndpointDescription>;
  /** Creates or updates endpoint `name` from an artifact URI/path or a Completed training job's name; returns at once (Creating/Updating). */
  deploy(name: string, artifactOrJob: string): Promise<EndpointDescription>;
  /** Resolves once the endpoint has `status`; rejects when it fails, is deleted or `timeoutMs` passes. */
  waitForEndpoint(name: string, status: EndpointStatus, timeoutMs: number): Promise<EndpointDescription>;
  deleteEndpoint(name: string): Promise<EndpointDescription>;
  close(): Promise<void>;
}

const ENDED: ReadonlySet<JobStatus> = new Set(['Completed', 'Failed', 'Stopped']);

export const hasEnded = (job: TrainingJob): boolean => ENDED.has(job.status);

/** Deploy takes an artifact or, as deploy_model does, a training job's name (its artifact). */
export async function artifactFor(ref: string, describe: (job: string) => Promise<TrainingJob>): Promise<string> {
  if (!JOB_NAME_PATTERN.test(ref)) return ref;
  const job = await describe(ref);
  if (job.status !== 'Completed' || !job.artifactUri) {
    throw new RecpipeError(
      'FAILED_PRECONDITION',
      `training job ${ref} is ${job.status}${job.failureReason ? ` (${job.failureReason})` : ''}; deploy a Completed job's model`,
      { job: ref },
    );
  }
  return job.artifactUri;
}

/** What makes a job worth reporting again: a new secondary status or new progress. */
export const jobStateKey = (job: TrainingJob): string =>
  `${job.secondaryStatusTransitions.length}|${job.secondaryStatus}|${JSON.stringify(job.progress)}`;
