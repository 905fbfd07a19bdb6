import { call } from '../../api.js';

/** The parts of a training job (the API's DescribeTrainingJob shape) the jobs pages show. */
export interface Transition {
  status: string;
  startTime: string;
  endTime?: string;
  statusMessage: string;
}

export interface Fold {
  fold: number;
  rmse: number;
  mae: number;
  fitSeconds: number;
  testSeconds: number;
  trainRmse?: number[];
  testRmse?: number[];
}

export interface TableName {
  database: string;
  schema: string;
  name: string;
}

export interface TrainingJob {
  name: string;
  status: 'InProgress' | 'Completed' | 'Failed' | 'Stopping' | 'Stopped';
  secondaryStatus: string;
  secondaryStatusTransitions: Transition[];
  creationTime: string;
  trainingStartTime: string | null;
  trainingEndTime: string | null;
  failureReason: string | null;
  stopReason: string | null;
  artifactUri: string | null;
  progress: Record<string, { done: number; total: number }> | null;
  spec: {
    input: TableName;
    output: TableName;
    algorithm: string;
    hyperparameters: Record<string, unknown>;
    folds: number;
    topN: number;
    seed: number;
    maxRuntimeSeconds: number;
  };
  metrics: {
    data: { ratings: number; users: number; items: number };
    cv: { folds: Fold[]; mean: { rmse: number; mae: number }; std: { rmse: number; mae: number } } | null;
    fullFit: { seconds: number; trainRmse: number[] };
    phases: { totalSeconds: number };
  } | null;
}

/** A job's curves so far: the full fit's and each fold's (training and held-out) grow while they fit. */
export interface TrainingCurves {
  /** RMSE, or a ranking-only model's training loss. */
  measure: 'rmse' | 'loss';
  fullFit: number[];
  folds: { fold: number; trainRmse: number[]; testRmse: number[] }[];
}

const path = (name: string, tail = ''): string => `/console/api/jobs/${encodeURIComponent(name)}${tail}`;

export const jobsApi = {
  list: async () => (await call<{ trainingJobs: TrainingJob[] }>('GET', '/console/api/jobs')).trainingJobs,
  describe: (name: string) => call<TrainingJob>('GET', path(name)),
  curves: (name: string) => call<TrainingCurves>('GET', path(name, '/curves')),
  logs: async (name: string) => (await call<{ log: string }>('GET', path(name, '/logs'))).log,
  stop: (name: string) => call<TrainingJob>('POST', path(name, '/stop')),
};

export const isRunning = (job: TrainingJob): boolean => job.status === 'InProgress' || job.status === 'Stopping';

export const tableText = (t: TableName): string => `${t.database}.${t.schema}.${t.name}`;

/** Seconds from the job's creation to its end (or to now while it runs). */
export function durationSeconds(job: TrainingJob, now = Date.now()): number {
  const end = job.trainingEndTime ?? (isRunning(job) ? null : job.secondaryStatusTransitions.at(-1)?.startTime);
  return ((end ? Date.parse(end) : now) - Date.parse(job.creationTime)) / 1000;
}

export function formatSeconds(s: number): string {
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${Math.round(s % 60)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

export const formatTime = (iso: string): string => new Date(iso).toLocaleString('en-GB', { hour12: false });
