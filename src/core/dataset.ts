import { invalid } from './errors.js';
import type { IdMap } from './ids.js';

export interface RatingScale {
  readonly min: number;
  readonly max: number;
}

/**
 * Ratings as parallel typed arrays in data order. Inner ids index the vocabularies, which may be
 * shared between datasets (a fold's train and test files load into one vocabulary).
 */
export interface Dataset {
  readonly size: number;
  readonly users: Int32Array;
  readonly items: Int32Array;
  readonly ratings: Float32Array;
  /** When each rating was given (a number such as Unix seconds), when the source has a timestamp column. */
  readonly timestamps?: Float64Array;
  readonly userIds: IdMap;
  readonly itemIds: IdMap;
  readonly scale: RatingScale;
}

/**
 * A training set grouped by user (CSR), users in order of first appearance and each user's ratings
 * in data order: the order in which Surprise's SGD visits ratings. Inner ids are local to the
 * trainset; `userOf`/`itemOf` map them back to the dataset's vocabulary.
 */
export interface Trainset {
  readonly nUsers: number;
  readonly nItems: number;
  readonly nRatings: number;
  readonly userPtr: Int32Array;
  readonly itemIdx: Int32Array;
  readonly ratings: Float32Array;
  readonly globalMean: number;
  readonly scale: RatingScale;
  readonly userIds: readonly string[];
  readonly itemIds: readonly string[];
  /** When each rating was given, beside `ratings` (user-grouped), when the dataset has timestamps (time-aware models). */
  readonly timestamps?: Float64Array;
}

/** Held-out ratings addressed by trainset inner ids; -1 marks a user or item the trainset never saw. */
export interface Testset {
  readonly size: number;
  readonly users: Int32Array;
  readonly items: Int32Array;
  readonly ratings: Float32Array;
  /** When each held-out rating was given, when the dataset has timestamps (time-aware models predict at that time). */
  readonly timestamps?: Float64Array;
}

export function inferScale(ratings: Float32Array): RatingScale {
  if (ratings.length === 0) throw invalid('cannot infer a rating scale from no ratings');
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < ratings.length; i++) {
    const r = ratings[i];
    if (r < min) min = r;
    if (r > max) max = r;
  }
  return { min, max };
}

/** Dataset restricted to the given row indices (in the given order), sharing vocabularies. */
export function subset(ds: Dataset, rows: Int32Array): Dataset {
  const users = new Int32Array(rows.length);
  const items = new Int32Array(rows.length);
  const ratings = new Float32Array(rows.length);
  const times = ds.timestamps ? new Float64Array(rows.length) : undefined;
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k];
    users[k] = ds.users[r];
    items[k] = ds.items[r];
    ratings[k] = ds.ratings[r];
    if (times) times[k] = (ds.timestamps as Float64Array)[r];
  }
  return { ...ds, size: rows.length, users, items, ratings, ...(times ? { timestamps: times } : {}) };
}

/** Local inner ids in order of first appearance, plus the dataset-to-local lookup. */
function localIds(ids: Int32Array, vocabSize: number): { local: Int32Array; order: number[]; count: number } {
  const local = new Int32Array(vocabSize).fill(-1);
  const order: number[] = [];
  for (let k = 0; k < ids.length; k++) {
    const g = ids[k];
    if (local[g] === -1) {
      local[g] = order.length;
      order.push(g);
    }
  }
  return { local, order, count: order.length };
}

export interface TrainsetWithLookup {
  readonly trainset: Trainset;
  /** Dataset inner id -> trainset inner id (or -1), for mapping test rows without strings. */
  readonly userLookup: Int32Array;
  readonly itemLookup: Int32Array;
}

export function buildTrainset(ds: Dataset): TrainsetWithLookup {
  if (ds.size === 0) throw invalid('cannot train on an empty set of ratings');
  const u = localIds(ds.users, ds.userIds.size);
  const i = localIds(ds.items, ds.itemIds.size);
  const userPtr = new Int32Array(u.count + 1);
  for (let k = 0; k < ds.size; k++) userPtr[u.local[ds.users[k]] + 1]++;
  for (let x = 0; x < u.count; x++) userPtr[x + 1] += userPtr[x];
  const common = { nUsers: u.count, nItems: i.count, nRatings: ds.size, userPtr, scale: ds.scale };
  const names = { userIds: u.order.map((g) => ds.userIds.raw(g)), itemIds: i.order.map((g) => ds.itemIds.raw(g)) };
  if (!ds.timestamps && inCsrOrder(ds, u.local, i.local)) {
    // A whole file grouped by user (as MovieLens ships) is its own CSR: share its arrays instead of
    // copying them, which at 25M ratings is 200 MB less held through the fit and the top-n.
    const ratings = ds.ratings.subarray(0, ds.size);
    const trainset = { ...common, itemIdx: ds.items.subarray(0, ds.size), ratings, globalMean: sumOf(ratings) / ds.size, ...names };
    return { trainset, userLookup: u.local, itemLookup: i.local };
  }
  const fill = userPtr.slice(0, u.count);
  const itemIdx = new Int32Array(ds.size);
  const ratings = new Float32Array(ds.size);
  const times = ds.timestamps ? new Float64Array(ds.size) : undefined;
  let sum = 0;
  for (let k = 0; k < ds.size; k++) {
    const at = fill[u.local[ds.users[k]]]++;
    itemIdx[at] = i.local[ds.items[k]];
    ratings[at] = ds.ratings[k];
    if (times) times[at] = (ds.timestamps as Float64Array)[k];
    sum += ds.ratings[k];
  }
  const trainset: Trainset = { ...common, itemIdx, ratings, globalMean: sum / ds.size, ...names, ...(times ? { timestamps: times } : {}) };
  return { trainset, userLookup: u.local, itemLookup: i.local };
}

/**
 * Whether the dataset's own order is the trainset's: users in contiguous runs, and users and items
 * numbered in order of first appearance (local ids = dataset ids), so the CSR arrays equal its own.
 */
function inCsrOrder(ds: Dataset, userLocal: Int32Array, itemLocal: Int32Array): boolean {
  for (let g = 0; g < userLocal.length; g++) if (userLocal[g] !== g) return false;
  for (let g = 0; g < itemLocal.length; g++) if (itemLocal[g] !== g) return false;
  for (let k = 1; k < ds.size; k++) if (ds.users[k] !== ds.users[k - 1] && ds.users[k] !== ds.users[k - 1] + 1) return false;
  return true;
}

function sumOf(xs: Float32Array): number {
  let sum = 0;
  for (let k = 0; k < xs.length; k++) sum += xs[k];
  return sum;
}

export function buildTestset(ds: Dataset, built: TrainsetWithLookup): Testset {
  const users = new Int32Array(ds.size);
  const items = new Int32Array(ds.size);
  for (let k = 0; k < ds.size; k++) {
    users[k] = ds.users[k] < built.userLookup.length ? built.userLookup[ds.users[k]] : -1;
    items[k] = ds.items[k] < built.itemLookup.length ? built.itemLookup[ds.items[k]] : -1;
  }
  return { size: ds.size, users, items, ratings: ds.ratings, ...(ds.timestamps ? { timestamps: ds.timestamps } : {}) };
}

/** Item-major view (CSC) of a trainset, for algorithms that sweep items (ALS baselines). */
export function byItem(ts: Trainset): { itemPtr: Int32Array; userIdx: Int32Array; ratings: Float32Array } {
  const itemPtr = new Int32Array(ts.nItems + 1);
  for (let k = 0; k < ts.nRatings; k++) itemPtr[ts.itemIdx[k] + 1]++;
  for (let x = 0; x < ts.nItems; x++) itemPtr[x + 1] += itemPtr[x];
  const fill = itemPtr.slice(0, ts.nItems);
  const userIdx = new Int32Array(ts.nRatings);
  const ratings = new Float32Array(ts.nRatings);
  for (let u = 0; u < ts.nUsers; u++) {
    for (let k = ts.userPtr[u]; k < ts.userPtr[u + 1]; k++) {
      const at = fill[ts.itemIdx[k]]++;
      userIdx[at] = u;
      ratings[at] = ts.ratings[k];
    }
  }
  return { itemPtr, userIdx, ratings };
}
