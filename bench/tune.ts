/**
 * The built-in search against issue 16's quality goals, beside Surprise's figures
 * (shared/baselines/surprise.md): a TPE search over every built-in algorithm with its default space,
 * (1) on ml-latest-small's fixed 5 folds within 10 minutes all told (goal: mean RMSE ≤ 0.850), and
 * (2) on the real MovieLens-100K (`u.data`, tab-separated, no header; path in $RECPIPE_ML100K, "not
 * available" without it) with Surprise's KFold(5) shuffled by seed 0 (goal ≤ 0.890).
 * Run: npm run bench:tune   (data: ../shared/data or $RECPIPE_SHARED_DATA; budget: $RECPIPE_TUNE_BUDGET seconds each, default 540; the search builds a blend of its best algorithms' trials at the end)
 */
import { existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { ComputePool } from '../src/compute/index.js';
import { buildTrainset, createRng, crossValidate, getAlgorithm, kFold, type Dataset, type Split } from '../src/core/index.js';
import { readFoldsDir, readRatingsFile, withTimestampsOf } from '../src/datasets/index.js';
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
  const plan = parseSearchRequest({ time_budget: budget }, { timestamps: dataset.timestamps !== undefined });
  const t0 = clock();
  // CPU seconds of every thread here (the pool's workers are threads of this process): what a loaded machine does not inflate.
  const cpu0 = process.cpuUsage();
  const cpuNow = () => {
    const u = process.cpuUsage(cpu0);
    return (u.user + u.system) / 1e6;
  };
  let reached = { wall: 0, cpu: 0, rmse: Number.POSITIVE_INFINITY };
  const pool = new ComputePool({ workers: availableParallelism(), kernels: 'auto' });
  const report = await runSearch(
    plan,
    splits,
    0,
    { kernels, clock, pool },
    {
      trialDone: (t, best) => {
        if (best && best.rmse < reached.rmse) reached = { wall: (clock() - t0) / 1000, cpu: cpuNow(), rmse: best.rmse };
        process.stderr.write(`  ${formatTrial(t, best, 'rmse')}\n`);
      },
    },
  ).finally(() => pool.close());
  const best = report.best;
  if (!best) throw new Error('no trial succeeded');
  const algo = getAlgorithm(best.algorithm);
  const tFit = clock();
  algo.fit(buildTrainset(dataset).trainset, algo.parseConfig(best.params), { rng: createRng(0), kernels });
  const wall = (clock() - t0) / 1000;
  const cpuSeconds = cpuNow();
  const cores = availableParallelism();
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
  console.log(`| search + refit, CPU seconds (all threads) | ${cpuSeconds.toFixed(0)} s on ${cores} cores | |`);
  console.log(`| load average (1 min) at the end | ${loadavg()[0].toFixed(1)} | |`);
  console.log(
    `| best found after | ${reached.wall.toFixed(0)} s wall, ${reached.cpu.toFixed(0)} CPU-s: ≈ ${(reached.cpu / cores).toFixed(0)} s on a quiet ${cores}-core machine | ≤ ${wallGoal} s |`,
  );
  const pruned = report.trials.filter((t) => t.status === 'pruned').length;
  console.log(`| trials (ok per algorithm; pruned after fold 1) | ${report.trials.length}: ${perAlgo.join(', ')}; ${pruned} pruned | |`);
  const blend = report.trials.find((t) => t.algorithm === 'blend');
  if (blend) {
    const p = blend.params as { components: { algorithm: string }[]; weights: number[]; intercept: number };
    const parts = p.components.map((c, x) => {
      const alone = report.trials.filter((t) => t.algorithm === c.algorithm && t.status === 'ok');
      return `${c.algorithm} ×${p.weights[x].toFixed(3)} (alone ${f4(Math.min(...alone.map((t) => t.rmse)))})`;
    });
    console.log(
      `| blend the search built (nested: each fold's weights from the other folds) | ${f4(blend.rmse)}: ${p.intercept.toFixed(3)} + ${parts.join(' + ')} | |`,
    );
  }
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
const budget = (fallback: number) => Number(process.env.RECPIPE_TUNE_BUDGET ?? fallback);
if (hasSharedData) {
  const { dataset } = await readRatingsFile(mlSmall('ratings.csv'));
  // The fold files have no timestamps; time-aware models take each rating's from ratings.csv.
  const splits = withTimestampsOf(await readFoldsDir(mlSmallFolds(), dataset.scale), dataset);
  await search('ml-latest-small, fixed 5 folds', dataset, splits, budget(540), 0.85, 600, [
    ['Surprise SVD(random_state=0) defaults', '.8726'],
    ['Surprise SVDpp(random_state=0) defaults', '.8626'],
    ['Surprise BaselineOnly', '.8727'],
  ]);
} else console.log('\n## ml-latest-small: skipped (no shared data; set RECPIPE_SHARED_DATA)');

const ml100k = process.env.RECPIPE_ML100K;
if (ml100k && existsSync(ml100k)) {
  const { dataset } = await readRatingsFile(ml100k);
  const splits = kFold(dataset, 5, createRng(0));
  await search(
    `MovieLens-100K (${ml100k}: ${dataset.size.toLocaleString('en-US')} ratings, ${dataset.userIds.size} users, ${dataset.itemIds.size} items), KFold(5) shuffled by seed 0`,
    dataset,
    splits,
    budget(540),
    0.89,
    600,
    [
      ...defaults(splits),
      ['Surprise on ml-100k (its README): SVD / SVDpp / KNNBaseline / BaselineOnly', '.934 / .920 / .931 / .944'],
      ['published: tuned SVD++ / Bayesian MF; best recent', '~.90; .889'],
    ],
  );
} else console.log(`\n## MovieLens-100K: not available (set RECPIPE_ML100K to its u.data${ml100k ? `; ${ml100k} does not exist` : ''})`);
