import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allUsers, buildTrainset, createRng, exclusionsOf, getAlgorithm, itemIdRank, type Trainset } from '../core/index.js';
import { topNFor } from '../core/families/index.js';
import { readRatingsFile } from '../datasets/index.js';
import { assertExhaustiveTopN } from '../../tests/support/exhaustive-top-n.js';
import { mlSmall, sharedDataSkip } from '../../tests/support/shared-data.js';
import { createWasmKernels, wasmModule } from './index.js';

let read: Promise<Trainset> | undefined;
/** ml-latest-small's trainset, read once for the file's tests. */
function readTrainset(): Promise<Trainset> {
  read ??= readRatingsFile(mlSmall('ratings.csv'), { scale: { min: 0.5, max: 5 } }).then(({ dataset }) => buildTrainset(dataset).trainset);
  return read;
}

describe('pruned top-10 on ml-latest-small equals scoring every item', { skip: sharedDataSkip }, () => {
  // BPMF (k = 650) goes through the head bound, SVD and SVD++ (k = 100, 20) through the norm bound alone.
  // BPMF keeps its 65 samples of 10 factors from 85 sweeps (every sweep after the burn-in) rather than
  // its default 150 (every other one): the same k for 60% of the fit.
  const params: Record<string, Record<string, unknown>> = { bpmf: { n_epochs: 85, thin: 1 }, svd: {}, svdpp: {} };
  for (const algorithm of ['bpmf', 'svd', 'svdpp'])
    it(algorithm, { timeout: 300_000 }, async () => {
      const trainset = await readTrainset();
      const pruned = createWasmKernels(wasmModule());
      const algo = getAlgorithm(algorithm);
      const model = algo.fit(trainset, algo.parseConfig(params[algorithm]), { rng: createRng(0), kernels: pruned });
      if (algorithm === 'bpmf') assert.equal(model.nFactors, 650);
      const users = allUsers(model);
      const rank = itemIdRank(model.itemIds);
      const exclude = exclusionsOf(trainset);
      const some = pruned.topN(model, users, exclude, 10, rank);
      const all = createWasmKernels(wasmModule(), { pruneTopN: false }).topN(model, users, exclude, 10, rank);
      assert.deepEqual(some.items, all.items);
      assert.deepEqual(some.scores, all.scores);
      assert.ok((some.computed ?? 0) < (all.computed ?? 0), `${some.computed} of ${all.computed} estimates computed`);
      // Never a rated item, every list full (every user has unrated items).
      for (const u of users) {
        const rated = new Set(trainset.itemIdx.subarray(trainset.userPtr[u], trainset.userPtr[u + 1]));
        const list = some.items.subarray(u * 10, u * 10 + 10);
        assert.ok(
          list.every((i) => i >= 0 && !rated.has(i)),
          `user ${u}: ${list}`,
        );
      }
    });
});

describe('top-10 of item-based KNN and a blend on ml-latest-small equal scoring every item', { skip: sharedDataSkip }, () => {
  const cases: [string, string, Record<string, unknown>][] = [
    ['KNNBaseline item-based, 100 kept', 'knnbaseline', { sim_options: { name: 'pearson_baseline', user_based: false }, list_size: 100 }],
    // The bench's blend, with weights given (as a search's) to spare the inner folds.
    [
      'blend of SVD and user- and item-based KNNBaseline',
      'blend',
      {
        components: ['svd', 'knnbaseline', { algorithm: 'knnbaseline:item', params: { list_size: 100 } }],
        weights: [0.178, 0.35, 0.52],
        intercept: -0.2,
      },
    ],
  ];
  for (const [label, algorithm, params] of cases)
    it(label, { timeout: 300_000 }, async () => {
      const trainset = await readTrainset();
      const kernels = createWasmKernels(wasmModule());
      const algo = getAlgorithm(algorithm);
      const model = algo.fit(trainset, algo.parseConfig(params), { rng: createRng(0), kernels });
      const users = allUsers(model);
      const rank = itemIdRank(model.itemIds);
      const n = 10;
      assertExhaustiveTopN(model, trainset, topNFor(model, users, exclusionsOf(trainset), n, rank, kernels), n, rank);
    });
});
