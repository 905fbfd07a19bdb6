import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  IdMap,
  invalid,
  joinTimestamps,
  notFound,
  type Dataset,
  type DuplicatePolicy,
  type RatingScale,
  type Split,
} from '../core/index.js';
import { withRatingsFileReader, type ReadRatingsResult } from '../warehouse/duckdb/index.js';

export interface ReadRatingsOptions {
  readonly scale?: RatingScale;
  readonly duplicates?: DuplicatePolicy;
  readonly userIds?: IdMap;
  readonly itemIds?: IdMap;
  /** Keep the file's timestamp column (default); training never looks at it, so leaves it unread. */
  readonly timestamps?: boolean;
}

/** Reads a ratings CSV/TSV file with the one ratings reader (see readRatingsCsv for shapes and errors). */
export function readRatingsFile(path: string, opts: ReadRatingsOptions = {}): Promise<ReadRatingsResult> {
  return withRatingsFileReader((read) => read(path, opts));
}

/**
 * Predefined folds: `fold<N>.train.csv` / `fold<N>.test.csv` pairs in a directory (Surprise's
 * PredefinedKFold). Each pair shares one vocabulary; all folds share `scale` when given, else the
 * scale is inferred over all files so every fold clips alike.
 */
export async function readFoldsDir(dir: string, scale?: RatingScale): Promise<Split[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    throw notFound(`folds directory not found: ${dir}`, { path: dir });
  }
  const folds = names
    .map((n) => /^fold(\d+)\.train\.(csv|tsv|txt)$/.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .sort((a, b) => Number(a[1]) - Number(b[1]));
  if (folds.length === 0) throw invalid(`${dir}: no fold<N>.train.csv files found`, { path: dir });
  const pairs = await withRatingsFileReader(async (read) => {
    const out: Split[] = [];
    for (const m of folds) {
      const test = join(dir, `fold${m[1]}.test.${m[2]}`);
      const userIds = new IdMap();
      const itemIds = new IdMap();
      const train = await read(join(dir, m[0]), { scale, userIds, itemIds });
      const testSet = await read(test, { scale, userIds, itemIds }).catch((e: Error) => {
        throw notFound(`fold ${m[1]}: ${e.message}`, { path: test });
      });
      out.push({ train: train.dataset, test: testSet.dataset });
    }
    return out;
  });
  if (scale) return pairs;
  const all = pairs.flatMap((p) => [p.train.scale, p.test.scale]);
  const common = { min: Math.min(...all.map((s) => s.min)), max: Math.max(...all.map((s) => s.max)) };
  return pairs.map((p) => ({ train: { ...p.train, scale: common }, test: { ...p.test, scale: common } }));
}

/** Fold files carry no time: with a timed ratings file they take each rating's timestamp from it (for time-aware models). */
export function withTimestampsOf(splits: readonly Split[], all: Dataset): Split[] {
  if (!all.timestamps) return [...splits];
  return splits.map((s) => ({ train: joinTimestamps(s.train, all), test: joinTimestamps(s.test, all) }));
}
