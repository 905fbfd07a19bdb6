import type { Dataset } from '../dataset.js';
import { subset } from '../dataset.js';
import { invalid } from '../errors.js';
import { shuffleInPlace, type Rng } from '../random.js';

export interface Split {
  readonly train: Dataset;
  readonly test: Dataset;
}

/**
 * Shuffled K-fold as Surprise's KFold: shuffle row indices, cut them into k contiguous test blocks
 * (the first n mod k blocks one row longer); each trainset is the remaining rows in shuffled order.
 */
export function kFold(ds: Dataset, k: number, rng: Rng, shuffle = true): Split[] {
  if (!Number.isInteger(k) || k < 2) throw invalid(`number of folds must be an integer ≥ 2, got ${k}`);
  if (k > ds.size) throw invalid(`cannot make ${k} folds from ${ds.size} ratings`);
  const idx = Int32Array.from({ length: ds.size }, (_, i) => i);
  if (shuffle) shuffleInPlace(idx, rng);
  const splits: Split[] = [];
  let start = 0;
  for (let f = 0; f < k; f++) {
    const stop = start + Math.floor(ds.size / k) + (f < ds.size % k ? 1 : 0);
    const train = new Int32Array(ds.size - (stop - start));
    train.set(idx.subarray(0, start), 0);
    train.set(idx.subarray(stop), start);
    splits.push({ train: subset(ds, train), test: subset(ds, idx.slice(start, stop)) });
    start = stop;
  }
  return splits;
}
