/**
 * KNNBaseline() fit + test per fold in a cold process, beside Surprise 1.1.4's 0.28 + 0.99 CPU-s
 * (shared/baselines/surprise.md), issue 16's goal ≥ 10× faster with RMSE within 0.002 of .8748.
 * Each run is a fresh Node process (module load, WebAssembly compile and JIT warm-up included in
 * the first fold), five folds; the figure is the mean per fold, in CPU seconds of that process.
 * Run: npm run bench:knn-cold [-- RUNS]   (data: ../shared/data or $RECPIPE_SHARED_DATA)
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { crossValidate, getAlgorithm } from '../src/core/index.js';
import { readFoldsDir } from '../src/datasets/index.js';
import { loadKernels } from '../src/kernels/index.js';
import { hasSharedData, mlSmallFolds, sharedDataSkip } from '../tests/support/shared-data.js';

const SURPRISE = { rmse: 0.8748, seconds: 0.28 + 0.99 };
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

interface Run {
  readonly rmse: number;
  /** Mean fit + test CPU seconds per fold. */
  readonly perFold: number;
  /** The whole process's CPU seconds, start-up and data load included. */
  readonly process: number;
}

async function child(): Promise<void> {
  const kernels = loadKernels('auto');
  const splits = await readFoldsDir(mlSmallFolds(), { min: 0.5, max: 5 });
  const algo = getAlgorithm('knnbaseline');
  const cv = crossValidate(algo, algo.parseConfig({}), splits, { seed: 0, kernels, clock: cpuMs });
  const run: Run = { rmse: cv.mean.rmse, perFold: cv.mean.fitTime + cv.mean.testTime, process: cpuMs() / 1000 };
  process.stdout.write(JSON.stringify(run));
}

function main(): void {
  if (!hasSharedData) {
    process.stderr.write(`${sharedDataSkip}\n`);
    process.exitCode = 1;
    return;
  }
  const runs = Number(process.argv[2] ?? 5);
  const load = loadavg()[0];
  const out: Run[] = [];
  for (let r = 0; r < runs; r++)
    out.push(JSON.parse(execFileSync(process.execPath, [fileURLToPath(import.meta.url), 'child'], { encoding: 'utf8' })) as Run);
  const perFold = out.map((r) => r.perFold).sort((a, b) => a - b);
  const median = perFold[Math.floor(perFold.length / 2)];
  const ms = (s: number) => `${(s * 1000).toFixed(0)} ms`;
  process.stdout.write(
    `KNNBaseline() on ml-latest-small's fixed folds, ${runs} cold processes, Node ${process.versions.node}, load ${load.toFixed(1)} → ${loadavg()[0].toFixed(1)}\n` +
      `fit + test per fold (CPU): ${perFold.map(ms).join(', ')}; median ${ms(median)} = ${(SURPRISE.seconds / median).toFixed(1)}× faster than Surprise's ${SURPRISE.seconds.toFixed(2)} s (goal ≥ 10×)\n` +
      `whole process (CPU, start-up and loading included): ${out.map((r) => `${r.process.toFixed(2)} s`).join(', ')}\n` +
      `RMSE ${out[0].rmse.toFixed(4)} vs Surprise ${SURPRISE.rmse} (goal within 0.002)\n`,
  );
}

if (process.argv[2] === 'child') await child();
else main();
