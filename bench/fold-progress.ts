/**
 * What streaming a fold's training curve costs (issue 15): one ml-latest-small fold fitted on a compute
 * worker with and without per-epoch progress messages, alternating, the fit time taken in the worker.
 * Goal: no measurable slowdown (the difference within the run-to-run spread).
 * Run: npm run bench:fold-progress   (data: ../shared/data or $RECPIPE_SHARED_DATA)
 */
import { loadavg } from 'node:os';
import { ComputePool } from '../src/compute/index.js';
import { createRng, kFold } from '../src/core/index.js';
import { readRatingsFile } from '../src/datasets/index.js';
import { hasSharedData, mlSmall } from '../tests/support/shared-data.js';

if (!hasSharedData) {
  console.log('bench:fold-progress skipped: no shared data (set RECPIPE_SHARED_DATA)');
  process.exit(0);
}
const ROUNDS = 5;
const config = { n_factors: 100, n_epochs: 200 };
const { dataset } = await readRatingsFile(mlSmall('ratings.csv'), { timestamps: false });
const pool = new ComputePool({ workers: 1, kernels: 'auto' });
const kernels = (await pool.ready).kernels;
const times = { off: [] as number[], on: [] as number[] };
const cpu = { off: 0, on: 0 };
let batches = 0;
try {
  for (let round = 0; round < ROUNDS * 2; round++) {
    const on = round % 2 === 1;
    // A fresh split each time: the pool transfers (and so takes) a split's buffers.
    const [split] = kFold(dataset, 5, createRng(0));
    const cpu0 = process.cpuUsage();
    const opts: Parameters<ComputePool['evaluateFold']>[5] = on ? { ranking: false, epochs: () => void batches++ } : { ranking: false };
    const fold = await pool.evaluateFold('svd', config, split, 1, 0, opts);
    const used = process.cpuUsage(cpu0);
    times[on ? 'on' : 'off'].push(fold.fitTime);
    cpu[on ? 'on' : 'off'] += (used.user + used.system) / 1e6;
  }
} finally {
  await pool.close();
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const spread = (xs: number[]) => Math.max(...xs) - Math.min(...xs);
const row = (label: string, xs: number[], cpuSeconds: number) =>
  `| ${label} | ${median(xs).toFixed(3)} s | ${spread(xs).toFixed(3)} s | ${(cpuSeconds / ROUNDS).toFixed(3)} s |`;
console.log(
  `# bench:fold-progress — one fold of ml-latest-small (80,668 ratings), SVD ${JSON.stringify(config)}, ${kernels} kernels, ${ROUNDS} fits each, load average ${loadavg()[0].toFixed(1)}`,
);
console.log('| fold fit | median fit time (in the worker) | spread (max − min) | CPU per fit, whole process |');
console.log('|---|---|---|---|');
console.log(row('without progress messages', times.off, cpu.off));
console.log(row('with progress messages', times.on, cpu.on));
const diff = median(times.on) - median(times.off);
const noise = Math.max(spread(times.off), spread(times.on));
console.log(
  `| difference | ${diff >= 0 ? '+' : ''}${(diff * 1000).toFixed(0)} ms (${((diff / median(times.off)) * 100).toFixed(1)}%) | goal: within the spread (${(noise * 1000).toFixed(0)} ms) ${Math.abs(diff) <= noise ? '✔' : '✘'} | ${(batches / ROUNDS).toFixed(1)} batches per fit |`,
);
