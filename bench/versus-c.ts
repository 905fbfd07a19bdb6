/**
 * ml-latest-small: recpipe's whole `recpipe train` process (node start-up, load, 5-fold CV, full fit,
 * top-10 for every user, writes) and its fold fit beside the C reference of the same pipeline
 * (bench/c-reference/svd-pipeline.c, gcc -O3 -march=native), with issue 14's goals (whole ≤ 3× C,
 * fold fit ≤ 2× C) and both sides' cross-validated RMSE (different RNGs: equal within noise, not bit
 * for bit). Each side runs `--reps` times (default 5) alternately; medians of wall and CPU seconds.
 * Fold fit: recpipe with --workers 1 so folds run one at a time like C's.
 * Run: npm run bench:versus-c [-- --reps 5]   (data: ../shared/data or $RECPIPE_SHARED_DATA)
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { mlSmall, repoRoot } from '../tests/support/shared-data.js';
import { compileCReference, type CRun } from './support/c-reference.js';
import { median } from './support/stats.js';
import { timedChild, type TimedChild } from './support/timed-child.js';

const GOALS = { whole: 3, foldFit: 2 };

interface RecpipeRun extends TimedChild {
  readonly foldFit: number[];
  /** CPU seconds of the cross-validation phase (fits, tests and ranking metrics of every fold). */
  readonly cvCpu: number;
  readonly foldRmse: number[];
}

async function recpipe(ratings: string, dir: string, workers: number): Promise<RecpipeRun> {
  const json = join(dir, 'train.json');
  const model = join(dir, `model-${Math.random().toString(36).slice(2)}`);
  const run = await timedChild(process.execPath, [
    join(repoRoot(), 'bin', 'recpipe.js'),
    'train',
    '--ratings',
    ratings,
    '--cv',
    '5',
    '--workers',
    String(workers),
    '--model',
    model,
    '--recommendations',
    join(dir, 'recommendations.csv'),
    '--json',
    json,
  ]);
  const report = JSON.parse(readFileSync(json, 'utf8')) as {
    cv: { folds: { fitTime: number; rmse: number }[] };
    phases: { name: string; cpuSeconds: number }[];
  };
  const cvCpu = report.phases.find((p) => p.name === 'cv')?.cpuSeconds ?? NaN;
  rmSync(model, { recursive: true, force: true });
  return { ...run, cvCpu, foldFit: report.cv.folds.map((f) => f.fitTime), foldRmse: report.cv.folds.map((f) => f.rmse) };
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const f2 = (x: number) => x.toFixed(2);
const f3 = (x: number) => x.toFixed(3);

async function main(): Promise<void> {
  const at = process.argv.indexOf('--reps');
  const reps = at > 0 ? Number(process.argv[at + 1]) : 5;
  if (!Number.isInteger(reps) || reps < 1) throw new Error(`--reps takes a positive whole number: ${process.argv[at + 1]}`);
  const c = compileCReference();
  if (!c) throw new Error('this bench needs gcc for the C reference');
  const dir = mkdtempSync(join(tmpdir(), 'recpipe-bench-versus-c-'));
  const ratings = mlSmall('ratings.csv');
  const load = loadavg()[0];
  const cRuns: CRun[] = [];
  const whole: RecpipeRun[] = [];
  const single: RecpipeRun[] = [];
  try {
    for (let r = 0; r < reps; r++) {
      cRuns.push(await c.run(ratings, { cv: 5, out: join(dir, 'c-recommendations.csv') }));
      whole.push(await recpipe(ratings, dir, availableParallelism()));
      single.push(await recpipe(ratings, dir, 1));
    }
  } finally {
    c.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const cWall = median(cRuns.map((x) => x.wall));
  const cCpu = median(cRuns.map((x) => x.processCpu ?? NaN));
  const rWall = median(whole.map((x) => x.wall));
  const rCpu = median(whole.map((x) => x.processCpu ?? NaN));
  const cFold = median(cRuns.map((x) => mean(x.folds!.map((f) => f.fitSeconds))));
  const rFold = median(single.map((x) => mean(x.foldFit)));
  const cCv = median(cRuns.map((x) => x.phases.cv?.cpuSeconds ?? NaN));
  const rCv = median(single.map((x) => x.cvCpu));
  const cRmse = mean(cRuns.flatMap((x) => x.folds!.map((f) => f.rmse)));
  const rRmse = mean(whole.flatMap((x) => x.foldRmse));
  const verdict = (ratio: number, goal: number) => `${f2(ratio)}× (goal ≤ ${goal}×: ${ratio <= goal ? 'meets' : 'MISSES'})`;
  process.stdout.write(
    `recpipe vs the C reference on ml-latest-small — Node ${process.versions.node}, ${availableParallelism()} cores, ` +
      `load average ${load.toFixed(2)} at start, ${loadavg()[0].toFixed(2)} at end; SVD 100 factors, 20 epochs, 5-fold CV, top-10; median of ${reps}\n\n` +
      `  whole process   recpipe ${f2(rWall)} s wall / ${f2(rCpu)} CPU-s   C ${f3(cWall)} s wall / ${f3(cCpu)} CPU-s   ` +
      `wall ${verdict(rWall / cWall, GOALS.whole)}, CPU ${f2(rCpu / cCpu)}×\n` +
      `  fold fit (mean) recpipe ${f3(rFold)} s (--workers 1)          C ${f3(cFold)} s                     ${verdict(rFold / cFold, GOALS.foldFit)}\n` +
      `  5-fold CV, CPU  recpipe ${f3(rCv)} CPU-s (--workers 1)      C ${f3(cCv)} CPU-s                 ${f2(rCv / cCv)}× (fits and tests; recpipe also ranks each fold's test users; less sensitive to load than wall time)\n` +
      `  5-fold RMSE     recpipe ${rRmse.toFixed(4)}   C ${cRmse.toFixed(4)}   (different RNGs and shuffles: equal within noise is the check)\n`,
  );
}

await main();
