/**
 * Fold-in benchmark: an SVD (Surprise defaults, 100 factors) fitted on ml-latest-small (or a
 * synthetic MovieLens-shaped sample when the data is absent) minus 61 held-out users, served by a
 * ModelRuntime. Per request, for a held-out user with 5, 20 or 100 ratings:
 *   fold-in alone   the (k+1)×(k+1) least-squares solve of core/fold-in.ts
 *   recommend       fold-in, then her top-10 among all items (what recommend(…, ratings) and a
 *                   {"recommend": …} invocation do per user)
 * beside a trained user's top-10 (the reference: recommend without fold-in) and a popularity list.
 * Latencies are per call, p50 and p99 over repeated calls; the machine may be loaded.
 */
import { writeArtifact, readArtifact } from '../src/artifacts/index.js';
import { createRng, foldInUser, svd, type Dataset } from '../src/core/index.js';
import { holdOutUsers } from '../tests/support/held-out-users.js';
import { readRatingsFile } from '../src/datasets/index.js';
import { syntheticMovieLens } from '../src/datasets/synthetic.js';
import { ModelRuntime } from '../src/endpoints/index.js';
import { loadKernels } from '../src/kernels/index.js';
import { hasSharedData, mlSmall } from '../tests/support/shared-data.js';
import { ratingsFromText } from '../tests/support/ratings-text.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, percentile, printGoalTable } from './support/stats.js';

const REPEATS = 300;

async function main(): Promise<void> {
  const ds: Dataset = hasSharedData
    ? (await readRatingsFile(mlSmall('ratings.csv'))).dataset
    : ratingsFromText(syntheticMovieLens(610, 9000, 160, 1).ratingsCsv).dataset;
  const { built, heldRows } = holdOutUsers(ds, 61);
  const { trainset } = built;
  const model = svd.fit(trainset, svd.defaults, { rng: createRng(0), kernels: loadKernels('auto') });
  const dir = mkdtempSync(join(tmpdir(), 'recpipe-bench-foldin-'));
  try {
    const artifact = await writeArtifact(join(dir, 'model'), model, {
      hyperparameters: svd.defaults,
      trainingData: { source: 'bench', trainset },
      createdAt: new Date().toISOString(),
    });
    const runtime = new ModelRuntime(await readArtifact(artifact.uri));
    const rich = [...heldRows.values()].filter((r) => r.length >= 100);
    const ratingsOf = (n: number, x: number) => {
      const mine = rich[x % rich.length].slice(0, n);
      return { items: mine.map((r) => ds.itemIds.raw(ds.items[r])), ratings: mine.map((r) => ds.ratings[r]) };
    };
    const time = (fn: (x: number) => unknown): number[] => {
      for (let x = 0; x < 20; x++) fn(x); // warm-up
      const ms: number[] = [];
      for (let x = 0; x < REPEATS; x++) {
        const t0 = performance.now();
        fn(x);
        ms.push(performance.now() - t0);
      }
      return ms;
    };
    const fmt = (ms: number[]) => `${median(ms).toFixed(2)} / ${percentile(ms, 99).toFixed(2)} ms`;
    console.log(
      `SVD, ${model.nFactors} factors, ${model.userIds.length} users × ${model.itemIds.length} items (${hasSharedData ? 'ml-latest-small' : 'synthetic'}); ` +
        `${rich.length} held-out users with ≥ 100 ratings; p50 / p99 of ${REPEATS} calls`,
    );
    const table: [string, string, string][] = [];
    for (const n of [5, 20, 100]) {
      const inputs = Array.from({ length: rich.length }, (_, x) => ratingsOf(n, x));
      table.push([`fold-in, ${n} ratings`, fmt(time((x) => runtime.foldIn(inputs[x % inputs.length]))), '-']);
      table.push([`recommend top-10, ${n} ratings`, fmt(time((x) => runtime.recommend(`new-${x}`, 10, inputs[x % inputs.length]))), '-']);
    }
    table.push([
      'recommend top-10, trained user',
      fmt(time((x) => runtime.recommend(model.userIds[x % model.userIds.length], 10))),
      '(reference)',
    ]);
    table.push(['recommend top-10, popularity', fmt(time((x) => runtime.recommend(`nobody-${x}`, 10))), '(reference)']);
    printGoalTable(table, [22, 12]);
    // The solve alone, without id lookups, for the core's share.
    const inner = ratingsOf(20, 0).items.map((i) => model.itemIds.indexOf(i));
    const r20 = ratingsOf(20, 0).ratings;
    console.log(`core foldInUser, 20 ratings: ${fmt(time(() => foldInUser(model, inner, r20)))}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
