import type { JobSpec, JobStatus, SecondaryStatus, StatusTransition, TrainingJob } from './job.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The manager's own copy of a job; callers only ever see snapshots. */
export type JobDraft = Mutable<TrainingJob> & { secondaryStatusTransitions: StatusTransition[] };

export const INTERRUPTED_REASON = 'the recpipe process exited while the job was running';

export function newJob(name: string, id: string, spec: JobSpec, now: Date): JobDraft {
  const at = now.toISOString();
  return {
    name,
    id,
    spec,
    columns: null,
    status: 'InProgress',
    secondaryStatus: 'Starting',
    secondaryStatusTransitions: [{ status: 'Starting', startTime: at, statusMessage: 'Waiting for a free training slot' }],
    creationTime: at,
    trainingStartTime: null,
    trainingEndTime: null,
    lastModifiedTime: at,
    failureReason: null,
    stopReason: null,
    progress: null,
    metrics: null,
    artifactUri: null,
  };
}

/**
 * Moves a job to a new (status, secondary status) pair, closing the current transition. A terminal
 * transition is opened and closed at once, as SageMaker lists its final secondary status.
 */
export function moveTo(job: JobDraft, status: JobStatus, secondary: SecondaryStatus, message: string, now: Date): void {
  const at = now.toISOString();
  const last = job.secondaryStatusTransitions.length - 1;
  if (last >= 0 && job.secondaryStatusTransitions[last].endTime === undefined) {
    job.secondaryStatusTransitions[last] = { ...job.secondaryStatusTransitions[last], endTime: at };
  }
  const terminal = status === 'Completed' || status === 'Failed' || status === 'Stopped';
  job.secondaryStatusTransitions.push({ status: secondary, startTime: at, ...(terminal ? { endTime: at } : {}), statusMessage: message });
  job.status = status;
  job.secondaryStatus = secondary;
  job.lastModifiedTime = at;
  if (terminal) {
    job.trainingEndTime = at;
    job.progress = null;
  }
}

/** A job found running when the store is opened: its process died, so it failed. */
export function markInterrupted(job: JobDraft, now: Date): void {
  job.failureReason = INTERRUPTED_REASON;
  moveTo(job, 'Failed', 'Failed', INTERRUPTED_REASON, now);
}

export const snapshot = (job: JobDraft): TrainingJob => structuredClone(job);
