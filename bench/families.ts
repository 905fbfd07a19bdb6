/**
 * Every model family on ml-latest-small's fixed folds, beside SVD and Surprise 1.1.4's figures
 * (shared/baselines/surprise.md): RMSE, MAE, NDCG@10 (with the popularity baseline's), fit and
 * test time per fold, top-10 for every user after a full fit, and the artifact's size on disk.
 * Goals (issue 16): KNNBaseline within 0.002 of Surprise's RMSE and ≥ 10× faster; EASE NDCG@10 ≥ 1.5×
 * popularity's; top-N of every family ≤ 2× SVD's.
 * Run: npm run bench:families   (data: ../shared/data or $RECPIPE_SHARED_DATA)
 *      npm run bench:families -- KNNBaseline Blend   (only the rows whose label holds one of the words; SVD always runs)
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeArtifact } from '../src/artifacts/index.js';
import { buildTrainset, createRng, crossValidate, getAlgorithm, recommendAll, type CvResult, type Split } from '../src/core/index.js';
import { readFoldsDir, readRatingsFile, withTimestampsOf } from '../src/datasets/index.js';
import { loadKernels } from '../src/kernels/index.js';
import { hasSharedData, mlSmall, mlSmallFolds, sharedDataSkip } from '../tests/support/shared-data.js';

const SCALE = { min: 0.5, max: 5 };
const SEED = 0;

/** Surprise 1.1.4 on the same folds: mean RMSE, MAE, fit + test CPU seconds per fold. */
const SURPRISE: Record<string, { rmse: number; mae: number; fit: number; test: number }> = {
  SVD: { rmse: 0.8726, mae: 0.6701, fit: 1.2, test: 0.16 },
  BaselineOnly: { rmse: 0.8727, mae: 0.6728, fit: 0.2, test: 0.09 },
  KNNBaseline: { rmse: 0.8748, mae: 0.6685, fit: 0.28, test: 0.99 },
  SVDpp: { rmse: 0.8626, mae: 0.661, fit: 50.2, test: 8.6 },
};

interface Entry {
  readonly label: string;
  readonly algorithm: string;
  readonly params: Record<string, unknown>;
  /** The Surprise row it is compared with. */
  readonly surprise?: string;
  readonly ranking?: boolean;
}

const ENTRIES: readonly Entry[] = [
  { label: 'SVD', algorithm: 'svd', params: {}, surprise: 'SVD' },
  { label: 'SVDpp', algorithm: 'svdpp', params: {}, surprise: 'SVDpp' },
  { label: 'BaselineOnly', algorithm: 'baseline', params: {}, surprise: 'BaselineOnly' },
  { label: 'KNNBasic (user, msd)', algorithm: 'knnbasic', params: {} },
  { label: 'KNNWithMeans (user, msd)', algorithm: 'knnwithmeans', params: {} },
  { label: 'KNNBaseline (user, msd)', algorithm: 'knnbaseline', params: {}, surprise: 'KNNBaseline' },
  {
    label: 'KNNBaseline (item, pearson_baseline, 100 kept)',
    algorithm: 'knnbaseline',
    params: { sim_options: { name: 'pearson_baseline', user_based: false }, list_size: 100 },
  },
  { label: 'EASE (lambda 250, 2000 items)', algorithm: 'ease', params: {}, ranking: true },
  { label: 'timeSVD (bins, drift, day biases)', algorithm: 'timesvd', params: {} },
  { label: 'ALS (20 factors, 10 epochs)', algorithm: 'als', params: {} },
  { label: 'ALS (10 factors, 10 epochs)', algorithm: 'als', params: { n_factors: 10 } },
  { label: 'BPMF (10 factors, 150 Gibbs sweeps)', algorithm: 'bpmf', params: {} },
  { label: 'WRMF (32 factors, alpha 0.5)', algorithm: 'wrmf', params: {}, ranking: true },
  { label: 'BPR (64 factors, 60 epochs)', algorithm: 'bpr', params: {}, ranking: true },
  {
    label: 'Blend (SVD + KNNBaseline user + item)',
    algorithm: 'blend',
    params: { components: ['svd', 'knnbaseline', { algorithm: 'knnbaseline:item', params: { list_size: 100 } }] },
  },
];

/** Rows named on the command line (by a word of their label), SVD always: the others are measured against it. */
const only = process.argv.slice(2);
const chosen = ENTRIES.filter((e) => e.algorithm === 'svd' || only.length === 0 || only.some((w) => e.label.includes(w)));

const f4 = (x: number): string => x.toFixed(4).replace(/^0/, '');
const secs = (s: number): string => (s < 1 ? `${(s * 1000).toFixed(0)} ms` : `${s.toFixed(2)} s`);
const mib = (b: number): string => `${(b / 2 ** 20).toFixed(1)} MiB`;

/**
 * CPU milliseconds of this process, the clock every figure here uses: Surprise's figures are CPU
 * seconds too, and on a shared machine wall time measures the neighbours.
 */
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

function timed<T>(run: () => T): [T, number] {
  const t0 = cpuMs();
  const out = run();
  return [out, (cpuMs() - t0) / 1000];
}

function dirBytes(dir: string): number {
  return readdirSync(dir).reduce((s, f) => s + statSync(join(dir, f)).size, 0);
}

async function main(): Promise<void> {
  if (!hasSharedData) {
    process.stderr.write(`${sharedDataSkip}\n`);
    process.exitCode = 1;
    return;
  }
  const kernels = loadKernels('auto');
  const all = (await readRatingsFile(mlSmall('ratings.csv'), { scale: SCALE })).dataset;
  // The fold files have no timestamps; timeSVD takes each rating's from ratings.csv.
  const splits: Split[] = withTimestampsOf(await readFoldsDir(mlSmallFolds(), SCALE), all);
  const { trainset } = buildTrainset(all);
  const tmp = mkdtempSync(join(tmpdir(), 'recpipe-families-'));
  const head = ['algorithm', 'RMSE', 'MAE', 'NDCG@10', 'pop. NDCG', 'fit/fold', 'test/fold', 'full fit', 'top-10 all', 'size'];
  const rows: string[][] = [];
  const notes: string[] = [];
  let svdTop = Number.NaN;
  try {
    for (const [n, e] of chosen.entries()) {
      const algo = getAlgorithm(e.algorithm);
      const config = algo.parseConfig(e.params);
      const cv: CvResult = crossValidate(algo, config, splits, { seed: SEED, kernels, clock: cpuMs });
      const [model, fitSeconds] = timed(() => algo.fit(trainset, config, { rng: createRng(SEED), kernels }));
      const [, topSeconds] = timed(() => recommendAll(model, trainset, 10, kernels));
      const dir = join(tmp, `m${n}`);
      await writeArtifact(dir, model, {
        hyperparameters: config,
        trainingData: { source: 'ml-latest-small', trainset },
        createdAt: new Date().toISOString(),
      });
      if (e.algorithm === 'svd') svdTop = topSeconds;
      const r = cv.ranking;
      rows.push([
        e.label,
        e.ranking ? '—' : f4(cv.mean.rmse),
        e.ranking ? '—' : f4(cv.mean.mae),
        r ? f4(r.model.ndcg) : '—',
        r ? f4(r.popularity.ndcg) : '—',
        secs(cv.mean.fitTime),
        secs(cv.mean.testTime),
        secs(fitSeconds),
        secs(topSeconds),
        mib(dirBytes(dir)),
      ]);
      const ref = e.surprise ? SURPRISE[e.surprise] : undefined;
      if (ref) {
        const ours = cv.mean.fitTime + cv.mean.testTime;
        notes.push(
          `${e.label}: RMSE ${f4(cv.mean.rmse)} vs Surprise ${f4(ref.rmse)} (Δ ${(cv.mean.rmse - ref.rmse >= 0 ? '+' : '−') + f4(Math.abs(cv.mean.rmse - ref.rmse))}), ` +
            `MAE ${f4(cv.mean.mae)} vs ${f4(ref.mae)}; fit+test per fold ${secs(ours)} vs ${secs(ref.fit + ref.test)} (${((ref.fit + ref.test) / ours).toFixed(1)}× faster)`,
        );
      }
      if (e.ranking && r)
        notes.push(
          `${e.label}: NDCG@10 ${f4(r.model.ndcg)} = ${(r.model.ndcg / r.popularity.ndcg).toFixed(2)}× popularity's ${f4(r.popularity.ndcg)} (goal ≥ 1.50×)`,
        );
      if (e.algorithm !== 'svd')
        notes.push(
          `${e.label}: top-10 for all users ${secs(topSeconds)} = ${(topSeconds / svdTop).toFixed(2)}× SVD's ${secs(svdTop)} (goal ≤ 2×)`,
        );
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const width = head.map((_, c) => Math.max(head[c].length, ...rows.map((r) => r[c].length)));
  const line = (r: string[]) => r.map((cell, c) => (c === 0 ? cell.padEnd(width[c]) : cell.padStart(width[c]))).join('  ');
  process.stdout.write(
    `ml-latest-small, fixed 5 folds, seed ${SEED}, ${kernels.name} kernels, Node ${process.versions.node}; CPU seconds; top-10 and size after a full fit on ${all.size.toLocaleString('en-US')} ratings\n` +
      `${[line(head), ...rows.map(line)].join('\n')}\n\n${notes.join('\n')}\n` +
      `Peak memory (maxRSS): ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB\n`,
  );
}

await main();
