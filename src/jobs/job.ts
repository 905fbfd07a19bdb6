import type { RankingReport } from '../core/index.js';
import type { SearchReport } from '../tuning/index.js';
import type { FullFitReport } from '../training/index.js';
import type { TableName } from '../warehouse/index.js';

/**
 * A training job as SageMaker describes one (DescribeTrainingJob): a primary status, a finer
 * secondary status with its timestamped history, the data in and out, the algorithm and its
 * hyperparameters, final metrics, the model artifact and, when it ended badly, why.
 */
export type JobStatus = 'InProgress' | 'Completed' | 'Failed' | 'Stopping' | 'Stopped';

/**
 * Starting = queued or launching; Downloading = reading the input table; Training = the worker
 * runs cross-validation, the full fit and top-N; Uploading = writing the artifact and the output table.
 */
export type SecondaryStatus =
  | 'Starting'
  | 'Downloading'
  | 'Training'
  | 'Uploading'
  | 'Stopping'
  | 'Completed'
  | 'Failed'
  | 'Stopped'
  | 'MaxRuntimeExceeded';

export interface StatusTransition {
  readonly status: SecondaryStatus;
  /** ISO-8601. */
  readonly startTime: string;
  /** ISO-8601; absent while this is the current status. */
  readonly endTime?: string;
  readonly statusMessage: string;
}

/** A validated job request (see parseJobSpec), as stored with the job. */
export interface JobSpec {
  readonly input: TableName;
  readonly output: TableName;
  /** The algorithm's id (`svd`, `svdpp`, `baseline`). */
  readonly algorithm: string;
  /** The complete parsed config: defaults filled in, Surprise aliases resolved. */
  readonly hyperparameters: Readonly<Record<string, unknown>>;
  /** K of the K-fold cross-validation; 0 skips it. */
  readonly folds: number;
  readonly topN: number;
  readonly seed: number;
  readonly maxRuntimeSeconds: number;
  /** A hyperparameter search as requested; the job's model is then its best (see metrics.search). */
  readonly search?: Readonly<Record<string, unknown>>;
  /** The input's column of rating times, when named (otherwise one named TIMESTAMP, TS or TIME is used). */
  readonly timestampColumn?: string;
  /** Where a search writes every trial (search.results_table), replaced atomically when the job uploads. */
  readonly resultsTable?: TableName;
  /** The URL of the linked warehouse (a recpipe server) both tables are in; absent: this home's. */
  readonly warehouse?: string;
}

/** Which columns of the job's tables hold what (the output table's names are the user's, whatever they are). */
export interface JobColumns {
  readonly input: { readonly user: string; readonly item: string; readonly rating: string };
  /** `created`: the table did not exist and the job creates it. */
  readonly output: { readonly user: string; readonly recommendations: string; readonly created: boolean };
}

/** The mapping in words, as `describe training job` and `recpipe jobs describe` show it. */
export function columnsText(c: JobColumns): { input: string; output: string } {
  return {
    input: `${c.input.user} (user id), ${c.input.item} (item id), ${c.input.rating} (rating)`,
    output: `${c.output.user} (user id), ${c.output.recommendations} (recommendations)${c.output.created ? ', created by the job' : ''}`,
  };
}

export interface FoldMetrics {
  readonly fold: number;
  readonly rmse: number;
  readonly mae: number;
  readonly fitSeconds: number;
  readonly testSeconds: number;
  /** The fold's training RMSE after each epoch (absent in jobs stored before it was kept). */
  readonly trainRmse?: readonly number[];
  /** The fold's test RMSE after each epoch (the last is `rmse`); absent where the algorithm gives no model mid-fit, and in older jobs. */
  readonly testRmse?: readonly number[];
}

export interface MeanStd {
  readonly rmse: number;
  readonly mae: number;
  readonly fitSeconds: number;
  readonly testSeconds: number;
}

/** Everything measured by a finished job; times in seconds. */
export interface JobMetrics {
  readonly data: {
    readonly rowsRead: number;
    /** Rows trained on: rows read minus repeated (user, item) pairs, of which the last rating is kept. */
    readonly ratings: number;
    readonly duplicates: number;
    readonly users: number;
    readonly items: number;
    readonly scale: { readonly min: number; readonly max: number };
  };
  readonly cv: {
    readonly folds: readonly FoldMetrics[];
    readonly mean: MeanStd;
    readonly std: MeanStd;
    /** Mean top-10 ranking figures over the folds' test parts, beside the popularity and random baselines. */
    readonly ranking?: RankingReport;
  } | null;
  readonly fullFit: FullFitReport;
  readonly topN: { readonly n: number; readonly users: number; readonly seconds: number };
  readonly rowsWritten: number;
  readonly kernels: string;
  /** A search job's trials and its best (whose algorithm and parameters the model has). */
  readonly search?: SearchReport;
  readonly phases: {
    readonly queuedSeconds: number;
    readonly downloadingSeconds: number;
    readonly trainingSeconds: number;
    readonly uploadingSeconds: number;
    readonly totalSeconds: number;
  };
}

export type ProgressPhase = 'cv' | 'fit' | 'top-n';

export interface PhaseProgress {
  readonly done: number;
  readonly total: number;
}

/** Live progress by phase (folds, epochs of the full fit, top-N); cross-validation and the full fit run side by side. */
export type JobProgress = Readonly<Partial<Record<ProgressPhase, PhaseProgress>>>;

/**
 * A job's training RMSE curves so far: the full fit's and each fold's (folds train on the compute
 * pool's threads) grow while they fit, a few batches of epochs a second. A finished job's are its
 * metrics'.
 */
export interface TrainingCurves {
  /** What the training lines measure: RMSE, or the loss a ranking-only model (WRMF, BPR) minimises. */
  readonly measure: 'rmse' | 'loss';
  readonly fullFit: readonly number[];
  readonly folds: readonly { readonly fold: number; readonly trainRmse: readonly number[]; readonly testRmse: readonly number[] }[];
}

export interface TrainingJob {
  /** `train-<yyyyMMdd-HHmmss>-<4 hex>`, unique in the home. */
  readonly name: string;
  /** A UUID, for clients that want an opaque id. */
  readonly id: string;
  readonly spec: JobSpec;
  /** The checked column mapping; null until the tables have been checked (and in jobs stored before it existed). */
  readonly columns: JobColumns | null;
  readonly status: JobStatus;
  readonly secondaryStatus: SecondaryStatus;
  readonly secondaryStatusTransitions: readonly StatusTransition[];
  readonly creationTime: string;
  /** When the job left the queue. */
  readonly trainingStartTime: string | null;
  readonly trainingEndTime: string | null;
  readonly lastModifiedTime: string;
  readonly failureReason: string | null;
  /** Why a Stopped job stopped (a request, the max run time, a shutdown). */
  readonly stopReason: string | null;
  readonly progress: JobProgress | null;
  readonly metrics: JobMetrics | null;
  /** Where the model artifact was written (pass it to deploy_model). */
  readonly artifactUri: string | null;
}

const TERMINAL: ReadonlySet<JobStatus> = new Set(['Completed', 'Failed', 'Stopped']);

export const isTerminal = (status: JobStatus): boolean => TERMINAL.has(status);
