import type { Command } from 'commander';
import { resolve } from 'node:path';
import { ComputePool } from '../../compute/index.js';
import { invalid, readsTimestamps, type Dataset, type Kernels, type RatingScale } from '../../core/index.js';
import { readFoldsDir, readRatingsFile, withTimestampsOf } from '../../datasets/index.js';
import { loadKernels, type KernelPreference } from '../../kernels/index.js';
import { writeArtifact } from '../../artifacts/index.js';
import { runTraining, writeRecommendations, type Evaluation, type TrainingObserver } from '../../training/index.js';
import { writeFileAtomic } from '../../util/atomic-file.js';
import type { StartJobRequest } from '../../client/index.js';
import type { ControlOptions } from '../control.js';
import { startProgress, type ProgressBar } from '../progress.js';
import { sparkline } from '../../util/sparkline.js';

interface TrainOptions extends ControlOptions {
  ratings?: string;
  inputTable?: string;
  outputTable?: string;
  database?: string;
  schema?: string;
  maxRuntime?: string;
  algo: string;
  param: string[];
  cv?: string;
  folds?: string;
  seed: string;
  model?: string;
  topN: string;
  recommendations?: string;
  json?: string;
  scale?: string;
  kernels: KernelPreference;
  workers: string;
}

/** Exactly one source of ratings: a file (--ratings) or a table (--input-table); each mode refuses the other's flags. */
export function chooseMode(o: TrainOptions, cmd: Command): Promise<void> {
  const table = o.inputTable !== undefined || o.outputTable !== undefined;
  if (table && o.ratings !== undefined)
    throw invalid('give either --ratings (a file) or --input-table/--output-table (a training job on tables), not both');
  if (table) return trainTable(o, cmd);
  if (o.ratings === undefined) throw invalid('give --ratings FILE --model DIR, or --input-table TABLE --output-table TABLE');
  if (o.model === undefined) throw invalid('--model DIR is required with --ratings: where to write the model artifact');
  for (const flag of ['database', 'schema', 'maxRuntime', 'home', 'server'] as const) {
    if (o[flag] !== undefined) throw invalid(`--${kebab(flag)} is for table mode (--input-table/--output-table), not --ratings`);
  }
  return train({ ...o, ratings: o.ratings, model: o.model });
}

async function train(o: TrainOptions & { ratings: string; model: string }): Promise<void> {
  const seed = integer('--seed', o.seed, -(2 ** 31), 2 ** 32);
  const topN = integer('--top-n', o.topN, 0, 100_000);
  const scale = o.scale === undefined ? undefined : parseScale(o.scale);
  const kernels = loadKernels(o.kernels);
  const workers = integer('--workers', o.workers, 1, 64);
  const t0 = performance.now();
  const phases = new PhaseClock('load', t0);
  // Started before the file is read, so the workers boot on the other core while this one reads;
  // closed here too when training fails or the pool had nothing to do (--cv 0 and --top-n 0).
  const pool = workers > 1 && (o.folds !== undefined || o.cv !== '0' || topN > 0) ? new ComputePool({ workers, kernels: o.kernels }) : null;
  try {
    await trainWith(o, { seed, topN, scale, kernels, t0, phases, pool });
  } finally {
    await pool?.close();
  }
}

interface TrainSetup {
  readonly seed: number;
  readonly topN: number;
  readonly scale: RatingScale | undefined;
  readonly kernels: Kernels;
  readonly t0: number;
  readonly phases: PhaseClock;
  readonly pool: ComputePool | null;
}

async function trainWith(
  o: TrainOptions & { ratings: string; model: string },
  { seed, topN, scale, kernels, t0, phases, pool }: TrainSetup,
): Promise<void> {
  const err = process.stderr;
  const params = Object.fromEntries(o.param.map(splitParam));
  // Timestamps cost 8 bytes a rating: read only when the model uses them (timesvd, or a blend with a timesvd component).
  const loaded = await readRatingsFile(o.ratings, { scale, timestamps: readsTimestamps(o.algo, params) });
  const ds = loaded.dataset;
  err.write(
    `Loaded ${ds.size.toLocaleString('en-US')} ratings (${ds.userIds.size.toLocaleString('en-US')} users, ${ds.itemIds.size.toLocaleString('en-US')} items, ` +
      `scale ${ds.scale.min}–${ds.scale.max}) from ${o.ratings} in ${((performance.now() - t0) / 1000).toFixed(2)} s` +
      (loaded.duplicates.count > 0 ? `; ${loaded.duplicates.count} duplicate (user, item) pairs kept their last rating` : '') +
      `\n`,
  );
  for (const warning of loaded.warnings) err.write(`warning: ${warning}\n`);
  phases.begin('setup');
  const evaluation = await evaluationOf(o, ds);
  let bar: ProgressBar | null = null;
  const observer: TrainingObserver = {
    phase(name, total) {
      phases.begin(name);
      bar?.stop();
      bar = startProgress({ cv: 'cross-validate', fit: 'full fit', 'top-n': `top-${topN}` }[name], total);
    },
    tick: () => bar?.tick(),
    log(line) {
      bar?.stop();
      bar = null;
      process.stdout.write(line + '\n');
    },
  };
  const out = await runTraining(
    { dataset: ds, algorithm: o.algo, params, evaluation, seed, topN },
    {
      kernels,
      clock: () => performance.now(),
      evaluateFold: pool && evaluation.kind !== 'none' ? pool.evaluateFold.bind(pool) : undefined,
      topN: pool && topN > 0 ? pool.topN.bind(pool) : undefined,
      svdStrata: pool ? pool.svdStrata.bind(pool) : undefined,
    },
    observer,
  );
  // Ended before the artifact and lists are written: the workers' memory would add to that phase's peak.
  await pool?.close();
  (bar as ProgressBar | null)?.stop();
  phases.begin('artifact');

  process.stdout.write(
    `Full fit on ${ds.size.toLocaleString('en-US')} ratings: ${out.fullFit.seconds.toFixed(2)} s (${kernels.name} kernels` +
      (out.fullFit.parallel ? `, ${out.fullFit.parallel.toUpperCase()} on ${out.fullFit.workers} workers` : '') +
      ')\n',
  );
  if (out.fullFit.trainRmse.length > 1) process.stdout.write(`Training RMSE by epoch: ${sparkline(out.fullFit.trainRmse)}\n`);
  // The artifact first: it refuses a diverged (NaN) model, and then nothing at all is written.
  const manifest = await writeArtifact(o.model, out.model, {
    hyperparameters: out.config,
    metrics: out.cv
      ? { cv: { folds: out.cv.folds.map(({ trainRmse: _, ...f }) => f), mean: out.cv.mean, std: out.cv.std, ranking: out.cv.ranking } }
      : {},
    trainingData: { source: resolve(o.ratings), trainset: out.trainset },
    seed,
    createdAt: new Date().toISOString(),
  });
  process.stdout.write(`Model artifact written to ${manifest.uri}\n`);
  // Its own phase, so the rows/s of the list alone can be read (bench:scale).
  phases.begin('write');
  if (o.recommendations && topN > 0) {
    await writeRecommendations(o.recommendations, out.recommendations);
    process.stdout.write(
      `Top ${topN} predictions for all ${out.recommendations.length.toLocaleString('en-US')} users saved to ${o.recommendations} (${out.topNSeconds.toFixed(2)} s)\n`,
    );
  }
  phases.begin('end');
  if (o.json) {
    const report = {
      algorithm: out.algorithm,
      config: out.config,
      seed,
      kernels: kernels.name,
      data: {
        source: o.ratings,
        ratings: ds.size,
        users: ds.userIds.size,
        items: ds.itemIds.size,
        scale: ds.scale,
        duplicates: loaded.duplicates.count,
      },
      cv: out.cv && { folds: out.cv.folds, mean: out.cv.mean, std: out.cv.std, ranking: out.cv.ranking },
      fullFit: out.fullFit,
      topN: { n: topN, users: out.recommendations.length, seconds: out.topNSeconds, scored: out.topNScored },
      artifact: manifest.uri,
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
      phases: phases.list(),
    };
    await writeFileAtomic(o.json, JSON.stringify(report, null, 2) + '\n');
  }
  process.stdout.write('Training complete.\n');
}

async function evaluationOf(o: TrainOptions, ds: Dataset): Promise<Evaluation> {
  if (o.folds !== undefined) return { kind: 'predefined', splits: withTimestampsOf(await readFoldsDir(o.folds, ds.scale), ds) };
  const k = integer('--cv', o.cv ?? '5', 0, ds.size);
  if (k === 1) throw invalid('--cv must be 0 (no cross-validation) or at least 2');
  return k === 0 ? { kind: 'none' } : { kind: 'kfold', folds: k };
}

/** File-mode flags that mean nothing to a training job; refused rather than ignored. */
const FILE_ONLY = ['model', 'folds', 'recommendations', 'json', 'scale'] as const;
const FILE_ONLY_WITH_DEFAULTS = ['kernels', 'workers'] as const;

/**
 * Table mode: a training job through the home's server (or the home opened here), followed to
 * its end with its log lines as they come; exits 1 unless it Completed.
 */
async function trainTable(o: TrainOptions, cmd: Command): Promise<void> {
  const misplaced = [
    ...FILE_ONLY.filter((f) => o[f] !== undefined),
    ...FILE_ONLY_WITH_DEFAULTS.filter((f) => cmd.getOptionValueSource(f) === 'cli'),
  ];
  if (misplaced.length > 0) {
    const flags = misplaced.map((f) => `--${kebab(f)}`).join(', ');
    throw invalid(
      `${flags} ${misplaced.length === 1 ? 'applies' : 'apply'} only to --ratings; a training job keeps its model artifact under the home and writes recommendations to --output-table`,
    );
  }
  if (o.inputTable === undefined || o.outputTable === undefined) throw invalid('table mode needs both --input-table and --output-table');
  const request: StartJobRequest = {
    input: o.inputTable,
    output: o.outputTable,
    algorithm: o.algo,
    hyperparameters: Object.fromEntries(o.param.map(splitParam)),
    folds: wholeNumber('--cv', o.cv ?? '5'),
    topN: wholeNumber('--top-n', o.topN),
    seed: wholeNumber('--seed', o.seed),
    ...(o.maxRuntime === undefined ? {} : { maxRuntimeSeconds: wholeNumber('--max-runtime', o.maxRuntime) }),
    ...(o.database === undefined ? {} : { database: o.database }),
    ...(o.schema === undefined ? {} : { schema: o.schema }),
  };
  // Table mode's modules (config, client, job reports) loaded here: file mode's start-up never needs them.
  const [{ withControl }, { reportOutcome }] = await Promise.all([import('../control.js'), import('./jobs.js')]);
  await withControl(o, async (client) => {
    const job = await client.startJob(request);
    const { input, output } = job.spec;
    process.stderr.write(
      `Started training job ${job.name}: ${input.database}.${input.schema}.${input.name} → ${output.database}.${output.schema}.${output.name}\n`,
    );
    const stopOnInterrupt = () => {
      process.stderr.write(`stopping training job ${job.name}…\n`);
      void client.stopJob(job.name).catch(() => undefined);
    };
    // In-process the job dies with this process: Ctrl-C stops it cleanly instead. A server's job keeps running.
    if (client.mode === 'in-process') process.once('SIGINT', stopOnInterrupt);
    else
      process.stderr.write(
        `(Ctrl-C stops following; the job keeps running: recpipe jobs wait ${job.name} / recpipe jobs stop ${job.name})\n`,
      );
    try {
      reportOutcome(await client.followJob(job.name, { log: (line) => void process.stdout.write(line + '\n') }));
    } finally {
      process.off('SIGINT', stopOnInterrupt);
    }
  });
}

function wholeNumber(flag: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isSafeInteger(n)) throw invalid(`${flag} must be an integer, got '${value}'`);
  return n;
}

const kebab = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

export function integer(flag: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw invalid(`${flag} must be an integer in ${min}..${max}, got '${value}'`);
  return n;
}

function splitParam(kv: string): [string, string] {
  const at = kv.indexOf('=');
  if (at <= 0) throw invalid(`--param expects name=value, got '${kv}'`);
  return [kv.slice(0, at).trim(), kv.slice(at + 1).trim()];
}

function parseScale(s: string): { min: number; max: number } {
  const [min, max] = s.split(',').map(Number);
  if (!Number.isFinite(min) || !Number.isFinite(max) || min >= max) throw invalid(`--scale expects min,max with min < max, got '${s}'`);
  return { min, max };
}

/** Wall time, CPU time (all threads) and peak RSS so far at the end of each phase, for --json (the scale benchmark reads them). */
class PhaseClock {
  private readonly done: { name: string; seconds: number; cpuSeconds: number; peakRssBytes: number }[] = [];
  private cpu = process.cpuUsage();

  constructor(
    private current: string,
    private since: number,
  ) {}

  /** Ends the running phase and starts `name`. */
  begin(name: string): void {
    const now = performance.now();
    const cpu = process.cpuUsage(this.cpu);
    this.done.push({
      name: this.current,
      seconds: (now - this.since) / 1000,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
    });
    this.cpu = process.cpuUsage();
    this.current = name;
    this.since = now;
  }

  list(): readonly { name: string; seconds: number; cpuSeconds: number; peakRssBytes: number }[] {
    return this.done;
  }
}
