import type { MessagePort } from 'node:worker_threads';
import {
  IdMap,
  RecpipeError,
  type Dataset,
  type ErrorCode,
  type Exclusions,
  type FactorModel,
  type RatingScale,
  type Split,
  type SvdRates,
  type StratumShape,
  type SvdUserRows,
} from '../core/index.js';

/**
 * What crosses the thread boundary. Typed arrays travel as fresh copies whose buffers are transferred
 * (a dataset's arrays are often views into a larger buffer that the caller still owns, so they are
 * never transferred themselves); id vocabularies travel as string arrays.
 */
export interface DatasetPayload {
  readonly users: Int32Array;
  readonly items: Int32Array;
  readonly ratings: Float32Array;
  /** When each rating was given, when the dataset has timestamps (time-aware models need them). */
  readonly timestamps?: Float64Array;
  readonly scale: RatingScale;
  /** Absent when the dataset shares the vocabularies of the split's train part. */
  readonly userIds?: readonly string[];
  readonly itemIds?: readonly string[];
}

export interface SplitPayload {
  readonly train: DatasetPayload;
  readonly test: DatasetPayload;
}

export type ModelPayload = Omit<FactorModel, 'userIds' | 'itemIds'> & { readonly userIds: string[]; readonly itemIds: string[] };

export type Task =
  | {
      readonly kind: 'fold';
      readonly algorithm: string;
      readonly config: Record<string, unknown>;
      readonly seed: number;
      readonly fold: number;
      readonly split: SplitPayload;
      /** False skips the ranking figures (a search compares errors only). */
      readonly ranking?: boolean;
      /** True returns the test part's predictions (transferred back). */
      readonly predictions?: boolean;
      /**
       * Where to post the training RMSE per epoch while the fold fits (batched, see EpochBatches): a
       * port straight to whoever draws the curve, so a busy pool owner does not hold the batches up.
       */
      readonly epochs?: MessagePort;
      /** Also post the test part's RMSE after each epoch (EvalContext.heldOut). */
      readonly heldOut?: boolean;
    }
  | { readonly kind: 'topN'; readonly block: TopNBlock; readonly n: number }
  | StrataTask;

/**
 * A stratified SVD fit (svd-strata.ts), one session per fit and worker. `open` sends the worker its
 * user block's strata shapes, the user side (the rows of shared arrays it starts from and saves back
 * into), every item block in shared memory and a shared buffer; each `load` is a piece of a stratum
 * the pool has just written into that buffer; each `run` is one stratum pass on item block b (reply:
 * its sum of squared errors); `close` saves the user side back and drops the session.
 */
export type StrataTask =
  | {
      readonly kind: 'strataOpen';
      readonly session: number;
      readonly shapes: readonly StratumShape[];
      readonly users: SvdUserRows;
      readonly items: readonly ItemSide[];
      readonly buffer: { readonly itemIdx: Int32Array; readonly ratings: Float32Array };
      readonly nFactors: number;
      readonly biased: boolean;
      readonly rates: SvdRates;
    }
  | { readonly kind: 'strataLoad'; readonly session: number; readonly block: number; readonly at: number; readonly n: number }
  | { readonly kind: 'strataRun'; readonly session: number; readonly block: number }
  | { readonly kind: 'strataClose'; readonly session: number };

/** An item block's biases and factors (block-local ids). */
export interface ItemSide {
  readonly itemBias: Float32Array;
  readonly itemFactors: Float32Array;
}

/**
 * Top-N for a block of users: a factor model cut down to those users (all of them, in order) and
 * their exclusions; or, for other families (whose arrays are not per user), the whole model and the
 * block's `users`.
 */
export interface TopNBlock {
  readonly model: ModelPayload;
  readonly exclude: Exclusions;
  readonly itemRank: Int32Array;
  readonly users?: Int32Array;
}

export type Reply =
  | { readonly ok: true; readonly result: unknown }
  | { readonly ok: false; readonly error: { code: ErrorCode; message: string; details: Record<string, unknown> } };

/** Posted to a fold task's `epochs` port while it fits: training RMSE (and held-out RMSE, when asked) of epochs `from`, `from + 1`, … */
export interface EpochsBatch {
  readonly from: number;
  readonly values: number[];
  readonly heldOut?: number[];
}

/** Sent once by a worker after loading its kernels. */
export interface Ready {
  readonly ready: true;
  readonly kernels: string;
  readonly fallback?: string;
}

/** A copy of a typed array with its own buffer, and that buffer listed for transfer. */
export function detached<T extends Int32Array | Float32Array | Float64Array>(a: T, transfer: ArrayBuffer[]): T {
  const copy = a.slice() as T;
  transfer.push(copy.buffer as ArrayBuffer);
  return copy;
}

function encodeDataset(ds: Dataset, withVocab: boolean, transfer: ArrayBuffer[]): DatasetPayload {
  const arrays = {
    users: detached(ds.users.subarray(0, ds.size), transfer),
    items: detached(ds.items.subarray(0, ds.size), transfer),
    ratings: detached(ds.ratings.subarray(0, ds.size), transfer),
    ...(ds.timestamps ? { timestamps: detached(ds.timestamps.subarray(0, ds.size), transfer) } : {}),
    scale: ds.scale,
  };
  return withVocab ? { ...arrays, userIds: ds.userIds.rawIds(), itemIds: ds.itemIds.rawIds() } : arrays;
}

export function encodeSplit(split: Split, transfer: ArrayBuffer[]): SplitPayload {
  const shared = split.train.userIds === split.test.userIds && split.train.itemIds === split.test.itemIds;
  return { train: encodeDataset(split.train, true, transfer), test: encodeDataset(split.test, !shared, transfer) };
}

export function decodeSplit(p: SplitPayload): Split {
  const userIds = IdMap.from(p.train.userIds ?? []);
  const itemIds = IdMap.from(p.train.itemIds ?? []);
  const dataset = (d: DatasetPayload, users: IdMap, items: IdMap): Dataset => ({
    size: d.ratings.length,
    users: d.users,
    items: d.items,
    ratings: d.ratings,
    ...(d.timestamps ? { timestamps: d.timestamps } : {}),
    scale: d.scale,
    userIds: users,
    itemIds: items,
  });
  const testUsers = p.test.userIds ? IdMap.from(p.test.userIds) : userIds;
  const testItems = p.test.itemIds ? IdMap.from(p.test.itemIds) : itemIds;
  return { train: dataset(p.train, userIds, itemIds), test: dataset(p.test, testUsers, testItems) };
}

/**
 * A factor model's item side and the item ranks in shared memory: every top-N block of the model
 * refers to this one copy instead of carrying its own (at 25M ratings 24 MB a block, left to the
 * workers' garbage collector).
 */
export function sharedItemSide(
  m: FactorModel,
  itemRank: Int32Array,
): { itemBias: Float32Array; itemFactors: Float32Array; itemRank: Int32Array } {
  const copy = <T extends Float32Array | Int32Array>(a: T, make: (b: SharedArrayBuffer) => T): T => {
    const out = make(new SharedArrayBuffer(a.byteLength));
    out.set(a as never);
    return out;
  };
  return {
    itemBias: copy(m.itemBias, (b) => new Float32Array(b)),
    itemFactors: copy(m.itemFactors, (b) => new Float32Array(b)),
    itemRank: copy(itemRank, (b) => new Int32Array(b)),
  };
}

/**
 * The rows of `users` (model inner ids) of the model and of its exclusions, as a self-contained
 * block; the item side copied into it, or `items`, one shared copy (sharedItemSide) all blocks refer to.
 */
export function encodeBlock(
  m: FactorModel,
  users: Int32Array,
  exclude: Exclusions,
  itemRank: Int32Array,
  transfer: ArrayBuffer[],
  items?: ReturnType<typeof sharedItemSide>,
): TopNBlock {
  if (m.extension) {
    // Copied by the structured clone, not transferred: the caller keeps its model.
    return { model: { ...m, userIds: [...m.userIds], itemIds: [...m.itemIds] }, exclude, itemRank, users: users.slice() };
  }
  const k = m.nFactors;
  const userBias = new Float32Array(users.length);
  const userFactors = new Float32Array(users.length * k);
  const userPtr = new Int32Array(users.length + 1);
  users.forEach((u, x) => {
    userBias[x] = m.userBias[u];
    userFactors.set(m.userFactors.subarray(u * k, (u + 1) * k), x * k);
    userPtr[x + 1] = userPtr[x] + exclude.userPtr[u + 1] - exclude.userPtr[u];
  });
  const itemIdx = new Int32Array(userPtr[users.length]);
  users.forEach((u, x) => itemIdx.set(exclude.itemIdx.subarray(exclude.userPtr[u], exclude.userPtr[u + 1]), userPtr[x]));
  transfer.push(userBias.buffer, userFactors.buffer, userPtr.buffer, itemIdx.buffer);
  const model: ModelPayload = {
    ...m,
    userIds: Array.from(users, (u) => m.userIds[u]),
    itemIds: [...m.itemIds],
    userBias,
    userFactors,
    itemBias: items?.itemBias ?? detached(m.itemBias, transfer),
    itemFactors: items?.itemFactors ?? detached(m.itemFactors, transfer),
  };
  return { model, exclude: { userPtr, itemIdx }, itemRank: items?.itemRank ?? detached(itemRank, transfer) };
}

export function encodeError(e: unknown): { code: ErrorCode; message: string; details: Record<string, unknown> } {
  if (e instanceof RecpipeError) return { code: e.code, message: e.message, details: { ...e.details } };
  return { code: 'INTERNAL', message: e instanceof Error ? (e.stack ?? e.message) : String(e), details: {} };
}
