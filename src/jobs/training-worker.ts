import { sparkline } from '../util/sparkline.js';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { describeTrainingData } from '../artifacts/index.js';
import { ComputePool, EpochBatches } from '../compute/index.js';
import {
  topNFor,
  IdMap,
  RecpipeError,
  createRng,
  evaluateFold,
  exclusionsOf,
  formatCvTable,
  getAlgorithm,
  itemIdRank,
  kFold,
  summarize,
  type CvResult,
  type Dataset,
  type FoldResult,
  type Kernels,
} from '../core/index.js';
import { loadKernels } from '../kernels/index.js';
import { type BestTrial, formatTrial, parseSearchRequest, runSearch, type SearchReport } from '../tuning/index.js';
import { runTraining } from '../training/index.js';
import type { ProgressPhase } from './job.js';
import { owned, type TrainResult, type TrainTask, type WorkerMessage } from './worker-protocol.js';

/**
 * A training job's worker thread: cross-validation folds go to a compute pool of their own threads
 * while this thread runs the full fit and top-N, so on two cores the two overlap. Progress and log
 * lines stream back as they happen; the job manager terminates this thread to stop the job.
 */
if (!parentPort) throw new RecpipeError('INTERNAL', 'training-worker.js must run as a worker thread');
const port = parentPort;
const post = (message: WorkerMessage, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);
const log = (line: string): void => post({ kind: 'log', line });
const progress = (phase: ProgressPhase, done: number, total: number): void => post({ kind: 'progress', phase, done, total });
const curve = (fold: number, from: number, values: readonly number[], heldOut?: readonly number[]): void =>
  post({ kind: 'curve', fold, from, values: [...values], ...(heldOut ? { heldOut: [...heldOut] } : {}) });
const secs = (s: number): string => `${s.toFixed(2)} s`;

train(workerData as TrainTask).then(
  ([result, transfer]) => post({ kind: 'done', result }, transfer),
  (e: unknown) => {
    const error =
      e instanceof RecpipeError
        ? { code: e.code, message: e.message }
        : { code: 'INTERNAL' as const, message: e instanceof Error ? (e.stack ?? e.message) : String(e) };
    post({ kind: 'failed', error });
  },
);

async function train(task: TrainTask): Promise<[TrainResult, ArrayBuffer[]]> {
  const kernels = loadKernels('auto', (reason) => log(reason));
  const dataset: Dataset = {
    size: task.ratings.length,
    users: task.users,
    items: task.items,
    ratings: task.ratings,
    ...(task.timestamps ? { timestamps: task.timestamps } : {}),
    userIds: IdMap.from(task.userIds),
    itemIds: IdMap.from(task.itemIds),
    scale: task.scale,
  };
  // Folds and the top-n blocks share one pool; without folds it exists only to spread top-n over the cores.
  // A small job does both here: each pool thread costs ~0.3 CPU-s to start, more than it would save.
  const poolSize = Math.max(task.folds > 0 ? Math.min(task.foldWorkers, task.folds) : 0, task.topN > 0 ? task.foldWorkers : 0);
  const small = !task.search && (task.hyperparameters.parallel ?? 'none') === 'none' && ratingVisits(task, dataset) < task.poolMinWork;
  const pool = !small && poolSize > 0 && (task.folds > 0 || poolSize > 1) ? new ComputePool({ workers: poolSize, kernels: 'auto' }) : null;
  pool?.ready.then(
    (r) => r.fallback && log(`Compute threads: ${r.fallback}`),
    () => undefined,
  );
  try {
    // A search runs first (its folds on the pool); its best is what the rest of the job fits.
    const searched = task.search ? await search(task, dataset, kernels, pool) : null;
    const algorithm = searched?.best.algorithm ?? task.algorithm;
    const hyperparameters = searched?.best.params ?? task.hyperparameters;
    const cv = searched ? Promise.resolve(searched.cv) : pool && task.folds > 0 ? crossValidate(pool, task, dataset, kernels) : null;
    // Without a pool the folds run after the full fit and top-N, in this thread.
    const cvHere = !searched && !pool && task.folds > 0;
    // Awaited below; marked handled now so a fold failing during the full fit is not an unhandled rejection.
    cv?.catch(() => undefined);
    const fitted = getAlgorithm(algorithm);
    const epochs = fitted.epochs(fitted.parseConfig(hyperparameters));
    progress('fit', 0, epochs);
    // The curve and the epoch count go out together, a few times a second at most.
    const fullFit = new EpochBatches(
      (from, values) => {
        curve(0, from, values);
        progress('fit', from + values.length, epochs);
      },
      () => performance.now(),
    );
    const out = await runTraining(
      { dataset, algorithm, params: hyperparameters, evaluation: { kind: 'none' }, seed: task.seed, topN: 0 },
      // parallel=dsgd runs on the pool; its passes queue behind any folds still running there.
      { kernels, clock: () => performance.now(), ...(pool ? { svdStrata: pool.svdStrata.bind(pool) } : {}) },
      { phase: () => undefined, tick: () => undefined, log, epoch: (rmse) => fullFit.add(rmse) },
    );
    fullFit.flush();
    progress('top-n', 0, 1);
    const t0 = performance.now();
    const users = Int32Array.from({ length: out.model.userIds.length }, (_, u) => u);
    const args = [out.model, users, exclusionsOf(out.trainset), task.topN, itemIdRank(out.model.itemIds)] as const;
    // Blocks of users on the pool give exactly the lists of one kernel call here (compute/pool.test.ts).
    const top = pool && pool.size > 1 ? await pool.topN(...args) : topNFor(...args, kernels);
    const topSeconds = (performance.now() - t0) / 1000;
    progress('top-n', 1, 1);
    const trainingData = describeTrainingData(task.source, out.trainset);

    const cvResult = await (cv ?? (cvHere ? crossValidate(null, task, dataset, kernels) : null));
    if (cvResult) log(formatCvTable(cvResult));
    const parallel = out.fullFit.parallel ? `, ${out.fullFit.parallel.toUpperCase()} on ${out.fullFit.workers} workers` : '';
    log(`Full fit on ${dataset.size.toLocaleString('en-US')} ratings: ${secs(out.fullFit.seconds)} (${kernels.name} kernels${parallel})`);
    if (out.fullFit.trainRmse.length > 1) log(`Training RMSE by epoch: ${sparkline(out.fullFit.trainRmse)}`);
    log(`Top ${task.topN} for ${users.length.toLocaleString('en-US')} users: ${secs(topSeconds)}`);

    const transfer: ArrayBuffer[] = [];
    const m = out.model;
    const model = {
      ...m,
      userBias: owned(m.userBias, transfer),
      itemBias: owned(m.itemBias, transfer),
      userFactors: owned(m.userFactors, transfer),
      itemFactors: owned(m.itemFactors, transfer),
    };
    const items = owned(top.items, transfer);
    const rated = { userPtr: owned(out.trainset.userPtr, transfer), itemIdx: owned(out.trainset.itemIdx, transfer) };
    return [
      {
        algorithm: out.algorithm,
        hyperparameters: out.config as Record<string, unknown>,
        ...(searched ? { search: searched.report } : {}),
        model,
        cv: cvResult,
        fullFit: out.fullFit,
        topN: { n: task.topN, items, seconds: topSeconds },
        trainingData,
        rated,
        kernels: kernels.name,
      },
      transfer,
    ];
  } finally {
    await pool?.close();
  }
}

/** The job's search on its k-fold splits; the best trial's folds stand as the job's cross-validation. */
async function search(
  task: TrainTask,
  dataset: Dataset,
  kernels: Kernels,
  pool: ComputePool | null,
): Promise<{ report: SearchReport; best: BestTrial; cv: CvResult }> {
  const plan = parseSearchRequest(task.search, { timestamps: dataset.timestamps !== undefined });
  const splits = kFold(dataset, task.folds, createRng(task.seed));
  const what =
    plan.method === 'tpe' ? `TPE over ${[...plan.spaces.keys()].join(', ')}, time budget ${plan.timeBudgetSeconds} s` : plan.method;
  log(`Searching (${what}) on ${splits.length} folds by mean ${plan.measure.toUpperCase()}`);
  const budget = Math.ceil(plan.timeBudgetSeconds);
  const t0 = performance.now();
  let done = 0;
  const report = await runSearch(
    plan,
    splits,
    task.seed,
    { kernels, clock: () => performance.now(), pool },
    {
      trialDone(trial, best) {
        done++;
        log(formatTrial(trial, best, plan.measure));
        // A budgeted search's progress is its time; a grid's, its candidates (the total is known only at the end).
        if (plan.method === 'tpe') progress('cv', Math.min(budget, Math.round((performance.now() - t0) / 1000)), budget);
        else progress('cv', done, done + 1);
      },
    },
  );
  const best = report.best;
  if (!best) throw new RecpipeError('FAILED_PRECONDITION', `no trial of the search succeeded (${report.trials.length} tried)`);
  progress('cv', 1, 1);
  log(
    `Best of ${report.trials.length} trials (${report.stoppedBy}): ${best.algorithm} ${JSON.stringify(best.params)}, mean RMSE ${best.rmse.toFixed(4)}, MAE ${best.mae.toFixed(4)}`,
  );
  const trial = report.trials[best.trial - 1];
  const folds = trial.folds.map((f): FoldResult => ({ ...f, trainRmse: [] }));
  return { report, best, cv: summarize(getAlgorithm(best.algorithm).displayName, folds) };
}

/** What a job's fits cost, roughly: ratings × epochs × (folds + 1). */
function ratingVisits(task: TrainTask, dataset: Dataset): number {
  const algo = getAlgorithm(task.algorithm);
  return dataset.size * Math.max(1, algo.epochs(algo.parseConfig(task.hyperparameters))) * (task.folds + 1);
}

/**
 * K-fold splits exactly as `runTraining` makes them (same seed, same folds), each fold fitted with fold
 * number 1 and the job's seed: one compute-pool task per fold, or, without a pool (a small job), one after
 * another in this thread, with the same results.
 */
function crossValidate(pool: ComputePool | null, task: TrainTask, dataset: Dataset, kernels: Kernels): Promise<CvResult> {
  const algo = getAlgorithm(task.algorithm);
  const splits = kFold(dataset, task.folds, createRng(task.seed));
  const where = pool ? `${pool.size} worker thread${pool.size === 1 ? '' : 's'}` : "the job's thread (a small job)";
  log(`Cross-validating ${algo.displayName} on ${splits.length} folds in ${where}`);
  if (!pool) for (const port of task.curvePorts ?? []) port.close();
  const config = algo.parseConfig({ ...task.hyperparameters });
  // A pool fold's epochs go straight to the job's thread through the fold's port: this thread is busy
  // with the full fit meanwhile.
  const fit = (split: (typeof splits)[number], f: number): Promise<FoldResult> =>
    pool
      ? pool
          .crossValidate(algo.id, { ...task.hyperparameters }, [split], task.seed, { epochs: [task.curvePorts?.[f]], heldOut: true })
          .then((r) => r.folds[0])
      : Promise.resolve(evaluateFold(algo, config, split, 1, { seed: task.seed, kernels, clock: () => performance.now(), heldOut: true }));
  let done = 0;
  progress('cv', done, splits.length);
  const folds = splits.map((split, f) =>
    fit(split, f).then((fold): FoldResult => {
      progress('cv', ++done, splits.length);
      // The whole curves once more: the last epochs of a batch not yet sent arrive with them.
      if (fold.trainRmse.length > 0) curve(f + 1, 0, fold.trainRmse, fold.testRmse);
      log(
        `Fold ${f + 1}: RMSE ${fold.rmse.toFixed(4)}, MAE ${fold.mae.toFixed(4)}, fit ${secs(fold.fitTime)}, test ${secs(fold.testTime)}`,
      );
      return fold;
    }),
  );
  return Promise.all(folds).then((results) => summarize(algo.displayName, results));
}
