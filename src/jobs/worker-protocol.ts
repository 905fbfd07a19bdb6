import type { MessagePort } from 'node:worker_threads';
import type { TrainingDataInfo } from '../artifacts/index.js';
import type { CvResult, ErrorCode, Exclusions, FactorModel, RatingScale } from '../core/index.js';
import type { SearchReport } from '../tuning/index.js';
import type { FullFitReport } from '../training/index.js';
import type { ProgressPhase } from './job.js';

/**
 * What crosses between the job manager and its training worker. The ratings go in and the model
 * and top-N lists come back as typed arrays whose buffers are transferred, never as per-row objects;
 * only the id vocabularies travel as string arrays.
 */
export interface TrainTask {
  readonly users: Int32Array;
  readonly items: Int32Array;
  readonly ratings: Float32Array;
  /** When each rating was given (seconds), read for time-aware models. */
  readonly timestamps?: Float64Array;
  readonly userIds: readonly string[];
  readonly itemIds: readonly string[];
  readonly scale: RatingScale;
  readonly algorithm: string;
  readonly hyperparameters: Readonly<Record<string, unknown>>;
  readonly folds: number;
  readonly topN: number;
  readonly seed: number;
  /** Names the training data in the artifact's manifest (the input table). */
  readonly source: string;
  /** Threads of the worker's own compute pool for cross-validation folds. */
  readonly foldWorkers: number;
  /** Below this many rating visits (ratings × epochs × (folds + 1)) the folds and top-N run in the job's own thread. */
  readonly poolMinWork: number;
  /**
   * One port per cross-validation fold (fold f + 1 at index f): its compute thread posts the fold's
   * training and held-out curves there as it fits (`{ from, values, heldOut }` batches), straight to the job's thread.
   */
  readonly curvePorts?: readonly MessagePort[];
  /** A search request: the job's model is then the best candidate's, refitted on all the ratings. */
  readonly search?: Readonly<Record<string, unknown>>;
}

export type ModelPayload = Omit<FactorModel, 'userIds' | 'itemIds'> & {
  readonly userIds: readonly string[];
  readonly itemIds: readonly string[];
};

export interface TrainResult {
  /** What was fitted: the job's own, or a search's best. */
  readonly algorithm: string;
  readonly hyperparameters: Readonly<Record<string, unknown>>;
  readonly search?: SearchReport;
  readonly model: ModelPayload;
  readonly cv: CvResult | null;
  readonly fullFit: FullFitReport;
  /** users × n inner item ids of `model` (users in model order), best first, -1 padded. */
  readonly topN: { readonly n: number; readonly items: Int32Array; readonly seconds: number };
  readonly trainingData: TrainingDataInfo;
  /** The trainset's CSR by the model's inner ids: the items each user rated, stored in the artifact. */
  readonly rated: Exclusions;
  readonly kernels: string;
}

export type WorkerMessage =
  | { readonly kind: 'progress'; readonly phase: ProgressPhase; readonly done: number; readonly total: number }
  | { readonly kind: 'log'; readonly line: string }
  /**
   * Training RMSE of epochs `from`, `from + 1`, … of a curve (fold 0 is the full fit, 1… the folds), in
   * batches as they fit, with a fold's held-out RMSE of the same epochs; a fold's whole curves come once more when it ends.
   */
  | {
      readonly kind: 'curve';
      readonly fold: number;
      readonly from: number;
      readonly values: readonly number[];
      readonly heldOut?: readonly number[];
    }
  | { readonly kind: 'done'; readonly result: TrainResult }
  | { readonly kind: 'failed'; readonly error: { readonly code: ErrorCode; readonly message: string } };

/** A copy of a typed array that owns its buffer, listed for transfer (views into shared or wasm memory cannot be transferred). */
export function owned<T extends Int32Array | Float32Array>(a: T, transfer: ArrayBuffer[]): T {
  const copy = a.slice() as T;
  transfer.push(copy.buffer as ArrayBuffer);
  return copy;
}
