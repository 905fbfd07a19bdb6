import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allUsers, buildTrainset, createRng, exclusionsOf, getAlgorithm, itemIdRank } from '../core/index.js';
import { topNFor } from '../core/families/index.js';
import { readRatingsFile } from '../datasets/index.js';
import { assertExhaustiveTopN } from '../../tests/support/exhaustive-top-n.js';
import { mlSmall, sharedDataSkip } from '../../tests/support/shared-data.js';
import { createWasmKernels, wasmModule } from './index.js';

describe('pruned top-10 on ml-latest-small equals scoring every item', { skip: sharedDataSkip }, () => {
  // BPMF (k = 650) goes through the head bound, SVD and SVD++ (k = 100, 20) through the norm bound alone.
  for (const algorithm of ['bpmf', 'svd', 'svdpp'])
    it(algorithm, { timeout: 300_000 }, async () => {
      const { dataset } = await readRatingsFile(mlSmall('ratings.csv'), { scale: { min: 0.5, max: 5 } });
      const { trainset } = buildTrainset(dataset);
      const pruned = createWasmKernels(wasmModule());
      const algo = getAlgorithm(algorithm);
      const model = algo.fit(trainset, algo.parseConfig({}), { rng: createRng(0), kernels: pruned });
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
      const { dataset } = await readRatingsFile(mlSmall('ratings.csv'), { scale: { min: 0.5, max: 5 } });
      const { trainset } = buildTrainset(dataset);
      const kernels = createWasmKernels(wasmModule());
      const algo = getAlgorithm(algorithm);
      const model = algo.fit(trainset, algo.parseConfig(params), { rng: createRng(0), kernels });
      const users = allUsers(model);
      const rank = itemIdRank(model.itemIds);
      const n = 10;
      assertExhaustiveTopN(model, trainset, topNFor(model, users, exclusionsOf(trainset), n, rank, kernels), n, rank);
    });
});
