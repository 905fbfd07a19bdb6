import type { CvResult, Exclusions, FactorModel, Split, TopNResult } from '../core/index.js';
import { ComputePool, type PoolOptions } from './pool.js';

export { EpochBatches } from './epoch-batches.js';
export type { EpochsBatch } from './messages.js';
export { ComputePool, type EpochsHandler, type PoolOptions } from './pool.js';

export interface ParallelOptions extends PoolOptions {
  /** A pool to reuse; when absent one is started for the call and closed after it. */
  readonly pool?: ComputePool;
}

async function withPool<T>(opts: ParallelOptions, run: (pool: ComputePool) => Promise<T>): Promise<T> {
  if (opts.pool) return run(opts.pool);
  const pool = new ComputePool(opts);
  try {
    return await run(pool);
  } finally {
    await pool.close();
  }
}

/** Core `crossValidate` with the folds spread over worker threads: same seed, same result, per-fold timings taken in the workers. */
export function crossValidateParallel(
  algorithmId: string,
  rawConfig: Record<string, unknown>,
  splits: readonly Split[],
  opts: ParallelOptions & { readonly seed: number },
): Promise<CvResult> {
  return withPool(opts, (pool) => pool.crossValidate(algorithmId, rawConfig, splits, opts.seed));
}

/** Top-n for every user of the model (inner ids 0…nUsers−1), users split into one block per worker. */
export function recommendAllParallel(
  model: FactorModel,
  exclude: Exclusions,
  n: number,
  itemRank: Int32Array,
  opts: ParallelOptions = {},
): Promise<TopNResult> {
  const users = Int32Array.from({ length: model.userIds.length }, (_, u) => u);
  return withPool(opts, (pool) => pool.topN(model, users, exclude, n, itemRank));
}
