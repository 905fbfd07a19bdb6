import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { writeArtifact } from '../../artifacts/index.js';
import { ComputePool } from '../../compute/index.js';
import { createRng, invalid, kFold, readsTimestamps, type Split } from '../../core/index.js';
import { readFoldsDir, readRatingsFile, withTimestampsOf } from '../../datasets/index.js';
import { loadKernels, type KernelPreference } from '../../kernels/index.js';
import { runTraining } from '../../training/index.js';
import { formatTrial, formatTrialTable, parseSearchRequest, runSearch, type SearchReport } from '../../tuning/index.js';
import { writeFileAtomic } from '../../util/atomic-file.js';
import { integer } from './train.js';

interface TuneOptions {
  ratings: string;
  folds?: string;
  cv: string;
  timeBudget?: string;
  algos?: string;
  search?: string;
  maxTrials?: string;
  json?: string;
  model?: string;
  seed: string;
  scale?: string;
  kernels: KernelPreference;
  workers: string;
}

export async function tune(o: TuneOptions): Promise<void> {
  const err = process.stderr;
  const seed = integer('--seed', o.seed, -(2 ** 31), 2 ** 32);
  const workers = integer('--workers', o.workers, 1, 64);
  const request = await searchRequestOf(o);
  // Timestamps cost 8 bytes a rating: read only when a searched algorithm uses them (timesvd).
  const timed = [...parseSearchRequest(request).spaces.keys()].some((a) => readsTimestamps(a));
  if (o.folds !== undefined && o.cv !== '5') throw invalid('give --folds DIR or --cv K, not both');
  const [min, max] = o.scale?.split(',').map(Number) ?? [];
  if (o.scale !== undefined && !(Number.isFinite(min) && Number.isFinite(max) && min < max))
    throw invalid(`--scale expects min,max with min < max, got '${o.scale}'`);
  const { dataset, warnings } = await readRatingsFile(o.ratings, { scale: o.scale ? { min, max } : undefined, timestamps: timed });
  for (const w of warnings) err.write(`warning: ${w}\n`);
  const plan = parseSearchRequest(request, { timestamps: dataset.timestamps !== undefined });
  const splits: Split[] =
    o.folds !== undefined
      ? withTimestampsOf(await readFoldsDir(o.folds, dataset.scale), dataset)
      : kFold(dataset, cvFolds(o.cv, dataset.size), createRng(seed));
  const kernels = loadKernels(o.kernels);
  const algos = [...plan.spaces.keys()].join(', ');
  err.write(
    `Searching ${plan.method === 'tpe' ? `${algos} (TPE, time budget ${plan.timeBudgetSeconds} s${plan.maxTrials ? `, at most ${plan.maxTrials} trials` : ''})` : `${algos} (${plan.method === 'grid' ? 'GridSearchCV' : `RandomizedSearchCV, n_iter ${plan.nIter}`})`} ` +
      `on ${dataset.size.toLocaleString('en-US')} ratings, ${splits.length} folds, by mean ${plan.measure.toUpperCase()}, ${workers} worker thread${workers === 1 ? '' : 's'}\n`,
  );
  const pool = workers > 1 ? new ComputePool({ workers, kernels: o.kernels }) : null;
  let report: SearchReport;
  try {
    report = await runSearch(
      plan,
      splits,
      seed,
      { kernels, clock: () => performance.now(), pool },
      { trialDone: (t, best) => err.write(`${formatTrial(t, best, plan.measure)}\n`) },
    );
  } finally {
    await pool?.close();
  }
  const best = report.best;
  if (!best) throw invalid(`no trial of the search succeeded (${report.trials.length} tried); see the errors above`);
  process.stdout.write(
    `Best of ${report.trials.length} trials in ${report.elapsedSeconds.toFixed(1)} s (${report.stoppedBy}): ${best.algorithm} ${JSON.stringify(best.params)}\n` +
      `  mean ${splits.length}-fold RMSE ${best.rmse.toFixed(4)}, MAE ${best.mae.toFixed(4)} (trial ${best.trial})\n\n` +
      `Trials ranked by mean ${report.measure.toUpperCase()}:\n${formatTrialTable(report.trials, report.measure)}\n`,
  );
  let artifact: string | undefined;
  if (o.model !== undefined) {
    const out = await runTraining(
      { dataset, algorithm: best.algorithm, params: best.params, evaluation: { kind: 'none' }, seed, topN: 0 },
      { kernels, clock: () => performance.now() },
      { phase: () => undefined, tick: () => undefined, log: (line) => process.stdout.write(`${line}\n`) },
    );
    const manifest = await writeArtifact(o.model, out.model, {
      hyperparameters: out.config,
      metrics: {
        cv: { mean: { rmse: best.rmse, mae: best.mae }, folds: splits.length },
        search: { method: report.method, trials: report.trials.length, best: best.trial, measure: report.measure },
      },
      trainingData: { source: resolve(o.ratings), trainset: out.trainset },
      seed,
      createdAt: new Date().toISOString(),
    });
    artifact = manifest.uri;
    process.stdout.write(
      `Best model refitted on all ${dataset.size.toLocaleString('en-US')} ratings in ${out.fullFit.seconds.toFixed(2)} s, written to ${artifact}\n`,
    );
  }
  if (o.json) {
    const json = {
      ...report,
      data: { source: o.ratings, ratings: dataset.size, users: dataset.userIds.size, items: dataset.itemIds.size, scale: dataset.scale },
      seed,
      workers,
      ...(artifact ? { artifact } : {}),
    };
    await writeFileAtomic(o.json, `${JSON.stringify(json, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`);
  }
}

/** --search (JSON text or a file of it) with --algos, --time-budget and --max-trials on top. */
async function searchRequestOf(o: TuneOptions): Promise<Record<string, unknown>> {
  let request: Record<string, unknown> = {};
  if (o.search !== undefined) {
    const text = o.search.trim().startsWith('{')
      ? o.search
      : await readFile(o.search, 'utf8').catch(() => {
          throw invalid(`--search is neither JSON nor a readable file: ${o.search}`);
        });
    try {
      request = JSON.parse(text) as Record<string, unknown>;
    } catch (e) {
      throw invalid(`--search ${o.search === text ? '' : `(${o.search}) `}is not valid JSON: ${(e as Error).message}`);
    }
  }
  if (o.algos !== undefined) request = { ...request, algorithms: o.algos };
  if (o.timeBudget !== undefined) {
    const s = Number(o.timeBudget);
    if (o.timeBudget.trim() === '' || !Number.isFinite(s))
      throw invalid(`--time-budget must be a number of seconds, got '${o.timeBudget}'`);
    request = { ...request, time_budget: s };
  }
  if (o.maxTrials !== undefined) request = { ...request, max_trials: integer('--max-trials', o.maxTrials, 1, 1_000_000) };
  return request;
}

function cvFolds(cv: string, size: number): number {
  const k = integer('--cv', cv, 2, size);
  return k;
}
