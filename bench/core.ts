/**
 * recpipe's recommender core on ml-latest-small beside Surprise 1.1.4 (figures from
 * shared/baselines/surprise.md, measured on the same kind of 2-core machine): cross-validation on the
 * fixed folds, the guide's full fit + top-10 for every user, peak memory, and whether a second core pays.
 * Run: npm run bench:core   (data: ../shared/data or $RECPIPE_SHARED_DATA)
 */
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import {
  buildTrainset,
  createRng,
  crossValidate,
  evaluateFold,
  exclusionsOf,
  getAlgorithm,
  itemIdRank,
  recommendAll,
  referenceKernels,
  type CvResult,
  type FactorModel,
  type Kernels,
  type Split,
  type Trainset,
} from '../src/core/index.js';
import { ComputePool } from '../src/compute/index.js';
import { readFoldsDir, readRatingsFile } from '../src/datasets/index.js';
import { loadKernels } from '../src/kernels/index.js';
import { hasSharedData, mlSmall, mlSmallFolds, sharedDataSkip } from '../tests/support/shared-data.js';

const SCALE = { min: 0.5, max: 5 };
const SEED = 0;

/** Surprise 1.1.4 on the same folds (shared/baselines/surprise.md); CPU seconds of one core. */
const surprise = {
  svdFit: [0.95, 1.4],
  svdTest: [0.12, 0.2],
  svdFoldRmse: [0.8806, 0.876, 0.8666, 0.8724, 0.8677],
  svdRmse: 0.8726,
  svdMae: 0.6701,
  fullFit: [0.86, 1.03],
  /** build_anti_testset 2.4–2.9 + predict 25.5–32.1 + top-10 3.2–4.7. */
  topAll: [31.1, 39.7],
  peakGiB: 2.7,
  svdppRmse: 0.8626,
  svdppFit: 50.2,
  baselineRmse: 0.8727,
  baselineFit: 0.2,
} as const;

type Row = [label: string, recpipe: string, surprise: string, ratio: string];

const secs = (s: number): string => (s < 1 ? `${(s * 1000).toFixed(0)} ms` : `${s.toFixed(2)} s`).padStart(7);
const range = ([lo, hi]: readonly number[]): string => `${lo}–${hi} s`;
const times = (x: number): string => `${x < 10 ? x.toFixed(1) : x.toFixed(0)}×`;
const speedup = (ref: readonly number[], ours: number): string =>
  ref.length === 1 ? times(ref[0] / ours) : `${times(ref[0] / ours)}–${times(ref[1] / ours)}`;
const rmse = (x: number): string => x.toFixed(4).replace(/^0/, '');
const delta = (ours: number, ref: number): string =>
  `Δ ${ours >= ref ? '+' : '−'}${Math.abs(ours - ref)
    .toFixed(4)
    .replace(/^0/, '')}`;

function timed<T>(run: () => T): [T, number] {
  const t0 = performance.now();
  const out = run();
  return [out, (performance.now() - t0) / 1000];
}

async function timedAsync<T>(run: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const out = await run();
  return [out, (performance.now() - t0) / 1000];
}

function table(title: string, rows: readonly Row[]): string {
  const all: Row[] = [['', 'recpipe', 'Surprise 1.1.4', 'speed-up'], ...rows];
  const width = (c: number) => Math.max(...all.map((r) => r[c].length));
  const line = (r: Row) =>
    [r[0].padEnd(width(0)), r[1].padStart(width(1)), r[2].padStart(width(2)), r[3].padStart(width(3))].join('   ').trimEnd();
  return [title, ...all.map(line)].join('\n');
}

function cv(algorithm: string, splits: readonly Split[], kernels: Kernels): CvResult {
  const algo = getAlgorithm(algorithm);
  return crossValidate(algo, algo.parseConfig({}), splits, { seed: SEED, kernels, clock: () => performance.now() });
}

async function main(): Promise<void> {
  // Other processes on a 2-core machine skew the parallel figures most: say how busy it was.
  const load = loadavg()[0];
  if (!hasSharedData) {
    process.stderr.write(`${sharedDataSkip}\n`);
    process.exitCode = 1;
    return;
  }
  let fallback = '';
  const kernels = loadKernels('auto', (reason) => (fallback = reason));
  const splits = await readFoldsDir(mlSmallFolds(), SCALE);
  const svd = getAlgorithm('svd');
  const config = svd.parseConfig({});

  const [svdCv, cvWall] = timed(() => cv('svd', splits, kernels));
  const refFold = evaluateFold(svd, config, splits[0], 1, { seed: SEED, kernels: referenceKernels, clock: () => performance.now() });
  const svdpp = cv('svdpp', splits, kernels);
  const baseline = cv('baseline', splits, kernels);

  const all = (await readRatingsFile(mlSmall('ratings.csv'), { scale: SCALE })).dataset;
  const [full, fitSeconds] = timed(() => {
    const built = buildTrainset(all);
    return { built, model: svd.fit(built.trainset, config, { rng: createRng(SEED), kernels }) };
  });
  const [recs, topSeconds] = timed(() => recommendAll(full.model, full.built.trainset, 10, kernels));
  const [, refTopSeconds] = timed(() => recommendAll(full.model, full.built.trainset, 10, referenceKernels));

  const rows: Row[] = [
    ...svdCv.folds.map(
      (f, i): Row => [
        `SVD fold ${i + 1}: fit time, RMSE`,
        `${secs(f.fitTime)}  ${rmse(f.rmse)}`,
        `${range(surprise.svdFit)}  ${rmse(surprise.svdFoldRmse[i])}`,
        speedup(surprise.svdFit, f.fitTime),
      ],
    ),
    [
      'SVD fold 1 with the TypeScript reference kernel',
      `${secs(refFold.fitTime)}  ${rmse(refFold.rmse)}`,
      `${range(surprise.svdFit)}  ${rmse(surprise.svdFoldRmse[0])}`,
      speedup(surprise.svdFit, refFold.fitTime),
    ],
    ['SVD test, mean per fold', secs(svdCv.mean.testTime), range(surprise.svdTest), speedup(surprise.svdTest, svdCv.mean.testTime)],
    ['SVD mean RMSE', rmse(svdCv.mean.rmse), rmse(surprise.svdRmse), delta(svdCv.mean.rmse, surprise.svdRmse)],
    ['SVD mean MAE', rmse(svdCv.mean.mae), rmse(surprise.svdMae), delta(svdCv.mean.mae, surprise.svdMae)],
    [
      `Full fit (${all.size.toLocaleString('en-US')} ratings)`,
      secs(fitSeconds),
      range(surprise.fullFit),
      speedup(surprise.fullFit, fitSeconds),
    ],
    [`Top-10 for all ${recs.length} users`, secs(topSeconds), range(surprise.topAll), speedup(surprise.topAll, topSeconds)],
    [
      'Top-10 for all users, TypeScript reference kernel',
      secs(refTopSeconds),
      range(surprise.topAll),
      speedup(surprise.topAll, refTopSeconds),
    ],
    ['SVDpp mean RMSE', rmse(svdpp.mean.rmse), rmse(surprise.svdppRmse), delta(svdpp.mean.rmse, surprise.svdppRmse)],
    ['SVDpp fit, mean per fold', secs(svdpp.mean.fitTime), `${surprise.svdppFit} s`, speedup([surprise.svdppFit], svdpp.mean.fitTime)],
    ['BaselineOnly mean RMSE', rmse(baseline.mean.rmse), rmse(surprise.baselineRmse), delta(baseline.mean.rmse, surprise.baselineRmse)],
    [
      'BaselineOnly fit, mean per fold',
      secs(baseline.mean.fitTime),
      `${surprise.baselineFit} s`,
      speedup([surprise.baselineFit], baseline.mean.fitTime),
    ],
  ];
  const parallel = await secondCore(splits, full.model, full.built.trainset, kernels, cvWall, load);
  const peakMiB = process.resourceUsage().maxRSS / 1024;
  rows.push([
    'Peak memory of the whole run (maxRSS)',
    `${peakMiB.toFixed(0)} MiB`,
    `${surprise.peakGiB} GiB`,
    `${times((surprise.peakGiB * 1024) / peakMiB)} less`,
  ]);

  const head = `ml-latest-small, SVD defaults (100 factors, 20 epochs), seed ${SEED}, ${kernels.name} kernels${fallback ? ` (${fallback})` : ''}, Node ${process.versions.node}`;
  process.stdout.write(`${table(head, rows)}\n\n${parallel}\n`);
}

/** The same work on worker threads: CV folds spread over the pool, top-N over user blocks. */
async function secondCore(
  splits: readonly Split[],
  model: FactorModel,
  ts: Trainset,
  kernels: Kernels,
  cvWall: number,
  load: number,
): Promise<string> {
  const workers = availableParallelism();
  const [pool, startSeconds] = await timedAsync(async () => {
    const p = new ComputePool({ workers });
    await p.ready;
    return p;
  });
  try {
    const cpu0 = process.cpuUsage();
    const [par, parWall] = await timedAsync(() => pool.crossValidate('svd', {}, splits, SEED));
    const cpu = process.cpuUsage(cpu0);
    const coresUsed = (cpu.user + cpu.system) / 1e6 / parWall;
    const users = Int32Array.from({ length: model.userIds.length }, (_, u) => u);
    const rank = itemIdRank(model.itemIds);
    const [, seqTop] = timed(() => kernels.topN(model, users, exclusionsOf(ts), 10, rank));
    const [, parTop] = await timedAsync(() => pool.topN(model, users, exclusionsOf(ts), 10, rank));
    const fits = par.folds.map((f) => secs(f.fitTime)).join(', ');
    return [
      `Second core: ${workers} worker threads (pool start-up ${secs(startSeconds).trim()}, paid once; load average before the run ${load.toFixed(2)})`,
      `  SVD 5-fold CV wall clock: sequential ${secs(cvWall)}, parallel ${secs(parWall)} (${times(cvWall / parWall)}, ${coresUsed.toFixed(1)} cores busy on average)`,
      `  fold fits in the workers: ${fits}; mean RMSE ${rmse(par.mean.rmse)}, as sequential`,
      `  Top-10 for all users (kernel call): sequential ${secs(seqTop)}, parallel ${secs(parTop)} (${times(seqTop / parTop)})`,
    ].join('\n');
  } finally {
    await pool.close();
  }
}

await main();
