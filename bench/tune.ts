/**
 * The built-in search against issue 16's quality goals, beside Surprise's figures
 * (shared/baselines/surprise.md): a TPE search over every built-in algorithm with its default space,
 * (1) on ml-latest-small's fixed 5 folds within 10 minutes all told (goal: mean RMSE ≤ 0.850), and
 * (2) on generated MovieLens-100K-shaped data (no ml-100k here; see datasets/movielens-100k-shaped.ts)
 * with Surprise's KFold(5) (goal ≤ 0.890). Run: npm run bench:tune   (data: ../shared/data or $RECPIPE_SHARED_DATA)
 */
import { rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ComputePool } from '../src/compute/index.js';
import { buildTrainset, createRng, crossValidate, getAlgorithm, kFold, type Dataset, type Split } from '../src/core/index.js';
import { movielens100kShaped, readFoldsDir, readRatingsFile } from '../src/datasets/index.js';
import { loadKernels } from '../src/kernels/index.js';
import { formatTrial, parseSearchRequest, runSearch } from '../src/tuning/index.js';
import { hasSharedData, mlSmall, mlSmallFolds } from '../tests/support/shared-data.js';

const kernels = loadKernels('auto');
const clock = () => performance.now();
const f4 = (x: number) => x.toFixed(4).replace(/^0/, '');

async function search(
  name: string,
  dataset: Dataset,
  splits: Split[],
  budget: number,
  goal: number,
  wallGoal: number,
  refs: [string, string][],
) {
  const plan = parseSearchRequest({ time_budget: budget });
  const t0 = clock();
  // CPU seconds of every thread here (the pool's workers are threads of this process): what a loaded machine does not inflate.
  const cpu0 = process.cpuUsage();
  const pool = new ComputePool({ workers: availableParallelism(), kernels: 'auto' });
  const report = await runSearch(
    plan,
    splits,
    0,
    { kernels, clock, pool },
    {
      trialDone: (t, best) => process.stderr.write(`  ${formatTrial(t, best, 'rmse')}\n`),
    },
  ).finally(() => pool.close());
  const best = report.best;
  if (!best) throw new Error('no trial succeeded');
  const algo = getAlgorithm(best.algorithm);
  const tFit = clock();
  algo.fit(buildTrainset(dataset).trainset, algo.parseConfig(best.params), { rng: createRng(0), kernels });
  const wall = (clock() - t0) / 1000;
  const used = process.cpuUsage(cpu0);
  const cpuSeconds = (used.user + used.system) / 1e6;
  const perAlgo = [...plan.spaces.keys()].map((a) => {
    const mine = report.trials.filter((t) => t.algorithm === a && t.status === 'ok');
    return `${a} ${mine.length} (best ${mine.length ? f4(Math.min(...mine.map((t) => t.rmse))) : '–'})`;
  });
  console.log(`\n## ${name}`);
  console.log(`| figure | recpipe | goal / reference |`);
  console.log(`|---|---|---|`);
  console.log(
    `| best mean ${splits.length}-fold RMSE | **${f4(best.rmse)}** (${best.algorithm}) | ≤ ${f4(goal)} ${best.rmse <= goal ? '✔' : '✘ missed'} |`,
  );
  console.log(`| its MAE | ${f4(best.mae)} | |`);
  for (const [label, value] of refs) console.log(`| ${label} | | ${value} |`);
  console.log(
    `| search + refit on all data, wall | ${wall.toFixed(0)} s (budget ${budget} s, refit ${((clock() - tFit) / 1000).toFixed(1)} s) | ≤ ${wallGoal} s ${wall <= wallGoal ? '✔' : '✘'} |`,
  );
  console.log(`| search + refit, CPU seconds (all threads) | ${cpuSeconds.toFixed(0)} s on ${availableParallelism()} cores | |`);
  const pruned = report.trials.filter((t) => t.status === 'pruned').length;
  console.log(`| trials (ok per algorithm; pruned after fold 1) | ${report.trials.length}: ${perAlgo.join(', ')}; ${pruned} pruned | |`);
  console.log(`| best parameters | \`${JSON.stringify(best.params)}\` (trial ${best.trial}) | |`);
}

function defaults(splits: Split[]): [string, string][] {
  return ['svd', 'baseline'].map((id) => {
    const a = getAlgorithm(id);
    const cv = crossValidate(a, a.parseConfig({}), splits, { seed: 0, kernels, clock, ranking: false });
    return [`recpipe ${a.displayName}() defaults, same folds`, f4(cv.mean.rmse)];
  });
}

console.log(
  `# bench:tune — ${availableParallelism()} cores, load average ${loadavg()[0].toFixed(1)} at start (other work on the machine slows the search and so lowers what it finds in its budget)`,
);
if (hasSharedData) {
  const { dataset } = await readRatingsFile(mlSmall('ratings.csv'), { timestamps: false });
  const splits = await readFoldsDir(mlSmallFolds(), dataset.scale);
  await search('ml-latest-small, fixed 5 folds', dataset, splits, 540, 0.85, 600, [
    ['Surprise SVD(random_state=0) defaults', '.8726'],
    ['Surprise SVDpp(random_state=0) defaults', '.8626'],
    ['Surprise BaselineOnly', '.8727'],
  ]);
} else console.log('\n## ml-latest-small: skipped (no shared data; set RECPIPE_SHARED_DATA)');

const generated = movielens100kShaped();
const file = join(tmpdir(), `recpipe-ml100k-shaped-${process.pid}.tsv`);
writeFileSync(file, generated.tsv);
const { dataset } = await readRatingsFile(file, { timestamps: false });
rmSync(file);
const splits = kFold(dataset, 5, createRng(0));
await search('MovieLens-100K-shaped (generated: 943 users, 1,682 items, 100,000 ratings), KFold(5)', dataset, splits, 300, 0.89, 600, [
  ['noise floor of the generated data (oracle RMSE)', f4(generated.oracleRmse)],
  ...defaults(splits),
  ['Surprise on the real ml-100k (its README): SVD / SVDpp / BaselineOnly', '.934 / .920 / .944'],
]);
