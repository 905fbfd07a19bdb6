import type { Split } from '../../src/core/index.js';
import { joinTimestamps } from '../../src/core/index.js';
import { readFoldsDir, readRatingsFile } from '../../src/datasets/index.js';
import { mlSmall, mlSmallFolds } from './shared-data.js';

/**
 * The fixed ml-latest-small folds on the 0.5–5 scale, read once per process: a dozen accuracy
 * suites share a test shard, and each reading costs ~0.9 CPU-s. Nothing mutates a Split (its id
 * maps are only added to while a file is read), so one copy serves every suite.
 */
let folds: Promise<Split[]> | undefined;
let timed: Promise<Split[]> | undefined;

export function mlSmallSplits(): Promise<Split[]> {
  folds ??= readFoldsDir(mlSmallFolds(), { min: 0.5, max: 5 });
  return folds;
}

/** The same folds with each rating's timestamp, from ratings.csv (the fold files carry none). */
export function mlSmallSplitsWithTimestamps(): Promise<Split[]> {
  timed ??= (async () => {
    const all = (await readRatingsFile(mlSmall('ratings.csv'), { scale: { min: 0.5, max: 5 } })).dataset;
    return (await mlSmallSplits()).map((sp) => ({ train: joinTimestamps(sp.train, all), test: joinTimestamps(sp.test, all) }));
  })();
  return timed;
}
