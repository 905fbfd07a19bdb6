/**
 * Training jobs: the guide's `train_and_get_recommendations` as a SageMaker-style job. A job reads
 * a ratings table, cross-validates and fits in a worker thread, writes every user's top-N into an
 * output table (atomically) and leaves a model artifact; its state and log live under
 * `<home>/jobs/<name>/` and survive restarts.
 */
export { JobManager, type JobAuthorizer, type JobManagerOptions, type JobEvents, type JobSource } from './job-manager.js';
export { parseJobSpec, MAX_RUNTIME_CEILING_SECONDS, type JobRequest } from './job-spec.js';
export type { JobTables, TablePlan } from './table-plan.js';
export { INTERRUPTED_REASON } from './job-state.js';
export { JOB_NAME_PATTERN } from './job-name.js';
export {
  isTerminal,
  columnsText,
  type TrainingJob,
  type JobSpec,
  type JobColumns,
  type JobStatus,
  type SecondaryStatus,
  type StatusTransition,
  type JobMetrics,
  type JobProgress,
  type FoldMetrics,
  type MeanStd,
  type PhaseProgress,
  type ProgressPhase,
  type TrainingCurves,
} from './job.js';
