import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { downloadMovieLens, MOVIELENS_SMALL, verifyMovieLens } from '../datasets/movielens.js';
import { syntheticMovieLens } from '../datasets/synthetic.js';
import { writeFileAtomic } from '../util/atomic-file.js';

export interface QuickstartData {
  /** Folder holding ratings.csv and movies.csv. */
  readonly dir: string;
  readonly kind: 'given' | 'cached' | 'downloaded' | 'synthetic';
  readonly note: string;
}

export interface DataOptions {
  readonly home: string;
  readonly dataDir?: string;
  readonly downloadUrl?: string;
  readonly onDownload?: (received: number, total: number) => void;
}

/**
 * Where the quickstart's MovieLens comes from: the folder given, a verified copy already in the
 * home, a fresh download checked against GroupLens's checksums, or, when the network says no, a
 * generated sample in the same format (said out loud: its figures are not MovieLens's).
 */
export async function quickstartData(o: DataOptions): Promise<QuickstartData> {
  if (o.dataDir) return { dir: resolve(o.dataDir), kind: 'given', note: `using MovieLens files in ${resolve(o.dataDir)}` };
  const cached = join(o.home, 'datasets', MOVIELENS_SMALL.folder);
  if (await verifyMovieLens(cached)) return { dir: cached, kind: 'cached', note: `using ml-latest-small already downloaded to ${cached}` };
  const url = o.downloadUrl ?? MOVIELENS_SMALL.url;
  try {
    await downloadMovieLens(cached, { url, onProgress: o.onDownload, timeoutMs: 30_000 });
    return { dir: cached, kind: 'downloaded', note: `downloaded ml-latest-small from ${url} (checksums verified) to ${cached}` };
  } catch (e) {
    const why = e instanceof Error ? ((e.cause as Error | undefined)?.message ?? e.message) : String(e);
    const dir = join(o.home, 'datasets', 'synthetic-sample');
    await mkdir(dir, { recursive: true });
    const sample = syntheticMovieLens();
    await writeFileAtomic(join(dir, 'ratings.csv'), sample.ratingsCsv);
    await writeFileAtomic(join(dir, 'movies.csv'), sample.moviesCsv);
    return {
      dir,
      kind: 'synthetic',
      note: `could not download MovieLens (${why}); using a generated sample in MovieLens format in ${dir} — pass --data DIR to use real files`,
    };
  }
}
