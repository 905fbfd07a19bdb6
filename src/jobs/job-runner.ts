import { performance } from 'node:perf_hooks';
import { writeArtifact } from '../artifacts/index.js';
import { invalid, readsTimestamps, type CvResult, type FactorModel } from '../core/index.js';
import { parseSearchRequest } from '../tuning/index.js';
import type { JobColumns, JobMetrics, JobSpec, MeanStd, ProgressPhase } from './job.js';
import { display } from './job-spec.js';
import { readRatings } from './read-ratings.js';
import { recommendationColumns } from './recommendations-table.js';
import { searchResultColumns } from './search-results-table.js';
import { jobColumns, planTables, type JobTables } from './table-plan.js';
import { startTrainingThread, type TrainingThread } from './training-thread.js';
import type { TrainResult } from './worker-protocol.js';

/** What one run needs from the manager: the phase changes, log and progress go through it. */
export interface RunContext {
  readonly spec: JobSpec;
  readonly warehouse: JobTables;
  /** Where this job's artifact goes (a URI of an artifact store). */
  readonly artifactTarget: string;
  readonly foldWorkers: number;
  readonly poolMinWork: number;
  readonly queuedSeconds: number;
  readonly now: () => Date;
  enter(secondary: 'Downloading' | 'Training' | 'Uploading', message: string): void;
  log(line: string): void;
  progress(phase: ProgressPhase, done: number, total: number): void;
  /** Training RMSE (and a fold's held-out RMSE) of epochs `from`, `from + 1`, … of a curve as the worker reports them (fold 0: the full fit). */
  curve(fold: number, from: number, values: readonly number[], heldOut?: readonly number[]): void;
  /** Throws when a stop was requested, so the run ends at the next phase boundary. */
  checkStop(): void;
  /** The running training thread, so a stop can terminate it. */
  setThread(thread: TrainingThread | null): void;
  setArtifact(uri: string): void;
  /** The column mapping as checked when the job starts reading (the tables may have changed since the call). */
  setColumns(columns: JobColumns): void;
}

const secs = (s: number): string => `${s.toFixed(2)} s`;
/** Made once at load: the first `toLocaleString` of a process loads ICU data, ≈ 10 ms on the owner thread mid-job. */
const COUNT = new Intl.NumberFormat('en-US');
const count = (n: number): string => COUNT.format(n);

/**
 * One job, phase by phase: Downloading (check the tables again, read the input), Training (the
 * worker thread), Uploading (the artifact first, then the output table in one atomic replace, so a
 * job that fails or stops before the end leaves the table as it was).
 */
export async function runJob(ctx: RunContext): Promise<JobMetrics> {
  const { spec, warehouse } = ctx;
  const start = performance.now();
  // A linked warehouse is named wherever its tables are, so the log says which server was read and written.
  const at = spec.warehouse === undefined ? '' : ` at ${spec.warehouse}`;
  ctx.enter('Downloading', `Reading ${display(spec.input)}${at}`);
  const plan = await planTables(warehouse, spec);
  ctx.setColumns(jobColumns(plan));
  const loaded = await readRatings(warehouse, plan, { timestamps: usesTime(spec) });
  const ds = loaded.dataset;
  const readDone = performance.now();
  ctx.log(
    `Read ${count(loaded.rowsRead)} ratings of ${count(ds.userIds.size)} users and ${count(ds.itemIds.size)} movies (scale ${ds.scale.min}–${ds.scale.max}) ` +
      `from ${display(spec.input)}${at} in ${secs((readDone - start) / 1000)}` +
      (loaded.duplicates > 0 ? `; ${count(loaded.duplicates)} repeated (user, movie) pairs kept their last rating` : ''),
  );
  for (const warning of loaded.warnings) ctx.log(`Warning: ${warning}`);
  const odd = unusualRatings(ds.ratings);
  if (odd)
    ctx.log(
      `Warning: ${count(odd.count)} of ${count(ds.size)} ratings of ${display(spec.input)}.${plan.input.rating} ${odd.what}; the scale is taken from the data (${ds.scale.min}–${ds.scale.max})`,
    );
  if (spec.folds > ds.size)
    throw invalid(`cannot make ${spec.folds} cross-validation folds from ${ds.size} ratings of ${display(spec.input)}`);
  ctx.checkStop();

  ctx.enter(
    'Training',
    spec.search ? `Searching hyperparameters on ${count(ds.size)} ratings` : `Training ${spec.algorithm} on ${count(ds.size)} ratings`,
  );
  const thread = startTrainingThread(
    {
      users: ds.users,
      items: ds.items,
      ratings: ds.ratings,
      ...(ds.timestamps ? { timestamps: ds.timestamps } : {}),
      userIds: ds.userIds.rawIds(),
      itemIds: ds.itemIds.rawIds(),
      scale: ds.scale,
      algorithm: spec.algorithm,
      hyperparameters: spec.hyperparameters,
      folds: spec.folds,
      topN: spec.topN,
      seed: spec.seed,
      source: display(spec.input),
      foldWorkers: ctx.foldWorkers,
      poolMinWork: ctx.poolMinWork,
      ...(spec.search ? { search: spec.search } : {}),
    },
    { progress: ctx.progress, log: ctx.log, curve: ctx.curve },
  );
  ctx.setThread(thread);
  const result = await thread.result.finally(() => ctx.setThread(null));
  const trained = performance.now();
  ctx.checkStop();

  ctx.enter('Uploading', `Writing the model artifact and ${display(spec.output)}${at}`);
  const model: FactorModel = result.model;
  const manifest = await writeArtifact(ctx.artifactTarget, model, {
    hyperparameters: result.hyperparameters,
    metrics: {
      ...(result.cv ? cvMetrics(result.cv) : {}),
      ...(result.search?.best
        ? { search: { method: result.search.method, trials: result.search.trials.length, best: result.search.best } }
        : {}),
    },
    seed: spec.seed,
    trainingData: result.trainingData,
    rated: result.rated,
    // Stored so that recommend over the model's users answers from them rather than ranking again.
    ...(result.topN.n > 0 ? { topN: { n: result.topN.n, items: result.topN.items } } : {}),
    createdAt: ctx.now().toISOString(),
  });
  ctx.setArtifact(manifest.uri);
  ctx.log(`Model artifact written to ${manifest.uri}`);
  ctx.checkStop();
  const columns = await recommendationColumns(plan.output, plan.input.itemKind, {
    userIds: model.userIds,
    itemIds: model.itemIds,
    n: result.topN.n,
    items: result.topN.items,
  });
  const rowsWritten = await warehouse.writeTable(spec.output, columns);
  ctx.log(
    `Top ${spec.topN} predictions for all ${count(rowsWritten)} users saved to table ${display(spec.output)}${at} in ${secs((performance.now() - trained) / 1000)}`,
  );
  if (spec.resultsTable && result.search) {
    const trials = await warehouse.writeTable(spec.resultsTable, searchResultColumns(result.search));
    ctx.log(`The search's ${count(trials)} trials saved to table ${display(spec.resultsTable)}${at}, best first`);
  }
  const end = performance.now();
  return metricsOf(result, loaded, rowsWritten, {
    queuedSeconds: ctx.queuedSeconds,
    downloadingSeconds: (readDone - start) / 1000,
    trainingSeconds: (trained - readDone) / 1000,
    uploadingSeconds: (end - trained) / 1000,
    totalSeconds: ctx.queuedSeconds + (end - start) / 1000,
  });
}

/** Whether the job's model, or any its search may try, is time-aware (timesvd), so the input's timestamps are read. */
function usesTime(spec: JobSpec): boolean {
  if (!spec.search) return readsTimestamps(spec.algorithm, spec.hyperparameters);
  return [...parseSearchRequest(spec.search).spaces.keys()].some((a) => readsTimestamps(a));
}

/** Rating scales run 0.5–5 or 1–10; negative ratings or ratings over 10 are most likely a wrong column or a unit mix-up. */
function unusualRatings(ratings: Float32Array): { count: number; what: string } | null {
  let below = 0;
  let above = 0;
  let low = 0;
  let high = 0;
  // An index loop: for…of over a typed array goes through the iterator, half a second per 1M ratings.
  for (let x = 0; x < ratings.length; x++) {
    const r = ratings[x];
    if (r < 0) {
      below++;
      low = Math.min(low, r);
    } else if (r > 10) {
      above++;
      high = Math.max(high, r);
    }
  }
  if (below + above === 0) return null;
  const parts = [
    below > 0 ? `${count(below)} negative (lowest ${low})` : '',
    above > 0 ? `${count(above)} over 10 (highest ${high})` : '',
  ].filter(Boolean);
  return { count: below + above, what: `are outside 0–10: ${parts.join(', ')}` };
}

const meanStd = (m: CvResult['mean']): MeanStd => ({ rmse: m.rmse, mae: m.mae, fitSeconds: m.fitTime, testSeconds: m.testTime });

function cvMetrics(cv: CvResult): NonNullable<JobMetrics['cv']> {
  return {
    folds: cv.folds.map((f, i) => ({
      fold: i + 1,
      rmse: f.rmse,
      mae: f.mae,
      fitSeconds: f.fitTime,
      testSeconds: f.testTime,
      trainRmse: [...f.trainRmse],
      ...(f.testRmse ? { testRmse: [...f.testRmse] } : {}),
    })),
    mean: meanStd(cv.mean),
    std: meanStd(cv.std),
    ...(cv.ranking ? { ranking: cv.ranking } : {}),
  };
}

function metricsOf(
  result: TrainResult,
  loaded: Awaited<ReturnType<typeof readRatings>>,
  rowsWritten: number,
  phases: JobMetrics['phases'],
): JobMetrics {
  const ds = loaded.dataset;
  return {
    data: {
      rowsRead: loaded.rowsRead,
      ratings: ds.size,
      duplicates: loaded.duplicates,
      users: ds.userIds.size,
      items: ds.itemIds.size,
      scale: { ...ds.scale },
    },
    cv: result.cv ? cvMetrics(result.cv) : null,
    fullFit: { ...result.fullFit, trainRmse: [...result.fullFit.trainRmse] },
    topN: { n: result.topN.n, users: result.model.userIds.length, seconds: result.topN.seconds },
    rowsWritten,
    kernels: result.kernels,
    ...(result.search ? { search: result.search } : {}),
    phases,
  };
}
