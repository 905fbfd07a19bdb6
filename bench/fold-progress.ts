/**
 * What a fold's live training curve costs (issue 15): one ml-latest-small fold fitted on a compute worker
 * plain, with per-epoch progress messages, and with progress plus the held-out RMSE after every epoch,
 * in turn, the fold's whole fit time taken in the worker (the held-out passes included).
 * Goals: progress messages cost nothing measurable (within the run-to-run spread); the held-out curve
 * ≤ +15% per fold fit.
 * Run: npm run bench:fold-progress   (data: ../shared/data or $RECPIPE_SHARED_DATA; RECPIPE_BENCH_ROUNDS)
 */
import { loadavg } from 'node:os';
import { ComputePool } from '../src/compute/index.js';
import { createRng, type FoldResult, kFold } from '../src/core/index.js';
import { readRatingsFile } from '../src/datasets/index.js';
import { hasSharedData, mlSmall } from '../tests/support/shared-data.js';

if (!hasSharedData) {
  console.log('bench:fold-progress skipped: no shared data (set RECPIPE_SHARED_DATA)');
  process.exit(0);
}
const ROUNDS = Number(process.env.RECPIPE_BENCH_ROUNDS ?? 5);
const HELD_OUT_GOAL = 0.15;
const algorithm = process.env.RECPIPE_BENCH_ALGORITHM ?? 'svd';
const config = algorithm === 'svd' ? { n_factors: 100, n_epochs: 200 } : {};
const { dataset } = await readRatingsFile(mlSmall('ratings.csv'), { timestamps: algorithm === 'timesvd' });
const pool = new ComputePool({ workers: 1, kernels: 'auto' });
const kernels = (await pool.ready).kernels;
const variants = ['plain', 'progress', 'held-out'] as const;
type Variant = (typeof variants)[number];
const times: Record<Variant, number[]> = { plain: [], progress: [], 'held-out': [] };
const cpu: Record<Variant, number> = { plain: 0, progress: 0, 'held-out': 0 };
let batches = 0;
let curvePoints = 0;
/** The whole fit in the worker: the held-out passes are kept out of `fitTime` (Surprise's figure) when timed apart. */
const fitWithHeldOut = (f: FoldResult): number => f.fitTime + (f.heldOutSeconds ?? 0);
try {
  for (let round = 0; round < ROUNDS * variants.length; round++) {
    const variant = variants[round % variants.length];
    // A fresh split each time: the pool transfers (and so takes) a split's buffers.
    const [split] = kFold(dataset, 5, createRng(0));
    const cpu0 = process.cpuUsage();
    const epochs = (_from: number, _values: readonly number[], heldOut?: readonly number[]) => {
      batches++;
      curvePoints += heldOut?.length ?? 0;
    };
    const opts: Parameters<ComputePool['evaluateFold']>[5] =
      variant === 'plain' ? { ranking: false } : { ranking: false, epochs, ...(variant === 'held-out' ? { heldOut: true } : {}) };
    const fold = await pool.evaluateFold(algorithm, config, split, 1, 0, opts);
    const used = process.cpuUsage(cpu0);
    times[variant].push(fitWithHeldOut(fold));
    cpu[variant] += (used.user + used.system) / 1e6;
  }
} finally {
  await pool.close();
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const spread = (xs: number[]) => Math.max(...xs) - Math.min(...xs);
const row = (label: string, v: Variant) =>
  `| ${label} | ${median(times[v]).toFixed(3)} s | ${spread(times[v]).toFixed(3)} s | ${(cpu[v] / ROUNDS).toFixed(3)} s |`;
console.log(
  `# bench:fold-progress — one fold of ml-latest-small (80,668 ratings), ${algorithm} ${JSON.stringify(config)}, ${kernels} kernels, ${ROUNDS} fits each, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
console.log('| fold fit | median fit time (in the worker, held-out passes included) | spread (max − min) | CPU per fit, whole process |');
console.log('|---|---|---|---|');
console.log(row('plain', 'plain'));
console.log(row('with progress messages', 'progress'));
console.log(row('with progress and the held-out RMSE per epoch', 'held-out'));
const base = median(times.plain);
const diff = median(times.progress) - base;
const noise = Math.max(spread(times.plain), spread(times.progress));
console.log(
  `| progress messages | ${diff >= 0 ? '+' : ''}${(diff * 1000).toFixed(0)} ms (${((diff / base) * 100).toFixed(1)}%) | goal: within the spread (${(noise * 1000).toFixed(0)} ms) ${Math.abs(diff) <= noise ? '✔' : '✘'} | ${(batches / ROUNDS / 2).toFixed(1)} batches per fit |`,
);
// On a loaded machine wall times swing by seconds: CPU per fit is the steadier measure, both are shown.
const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
const heldWall = median(times['held-out']) / base - 1;
const heldCpu = cpu['held-out'] / cpu.progress - 1;
console.log(
  `| held-out curve (against progress only) | wall ${pct(median(times['held-out']) / median(times.progress) - 1)}, CPU ${pct(heldCpu)} | goal: ≤ +${HELD_OUT_GOAL * 100}% (CPU) ${heldCpu <= HELD_OUT_GOAL ? '✔' : '✘'} | ${(curvePoints / ROUNDS).toFixed(0)} held-out points per fit; against plain: wall ${pct(heldWall)}, CPU ${pct(cpu['held-out'] / cpu.plain - 1)} |`,
);
