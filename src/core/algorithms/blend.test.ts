import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeAlgorithm, syntheticDataset } from '../../../tests/support/algorithm-contract.js';
import { assertExhaustiveTopN } from '../../../tests/support/exhaustive-top-n.js';
import { loadKernels } from '../../kernels/index.js';
import { buildTestset, buildTrainset } from '../dataset.js';
import { rmse } from '../metrics.js';
import { topNFor } from '../families/index.js';
import { clip, estimate, predictTestset } from '../model.js';
import { createRng } from '../random.js';
import { kFold } from '../selection/kfold.js';
import { exclusionsOf, itemIdRank } from '../top-n.js';
import { blend, getAlgorithm } from './index.js';

const kernels = () => loadKernels();

describeAlgorithm(blend, {
  rmse: [0.84, 0.86],
  quick: { components: ['baseline', { algorithm: 'svd', params: { n_factors: 5, n_epochs: 10 } }, 'knnwithmeans'] },
  accuracyParams: { components: ['svd', 'knnbaseline', { algorithm: 'knnbaseline:item', params: { list_size: 100 } }] },
  accuracyFolds: 1,
  random: true,
  kernels,
});

describe('blend', () => {
  const ds = syntheticDataset(5);
  const config = blend.parseConfig({ components: 'baseline,knnbaseline', folds: 3 });

  it('parses components by name, with params, and the item-based shorthand', () => {
    const c = blend.parseConfig({ components: ['svd', { algorithm: 'knnbasic', params: { k: 5 } }, 'knnbaseline:item'] });
    assert.deepEqual(
      c.components.map((x) => x.algorithm),
      ['svd', 'knnbasic', 'knnbaseline'],
    );
    assert.equal(c.components[1].params.k, 5);
    assert.equal(c.components[2].params.userBased, false);
    assert.throws(() => blend.parseConfig({ components: ['ease'] }), /cannot be a component/);
    assert.throws(() => blend.parseConfig({ components: ['nope'] }), /unknown algorithm 'nope'/);
    assert.throws(() => blend.parseConfig({ folds: 1 }), /folds of blend/);
  });

  it('is the stacked regression of its clipped components, and no worse than its worse component on held-out data', () => {
    const [split] = kFold(ds, 4, createRng(1));
    const built = buildTrainset(split.train);
    const test = buildTestset(split.test, built);
    const m = blend.fit(built.trainset, config, { rng: createRng(2), kernels: kernels() });
    const e = m.extension;
    assert.ok(e?.kind === 'blend');
    for (const [u, i] of [
      [0, 0],
      [3, 7],
      [-1, 2],
      [5, -1],
    ]) {
      const want = e.intercept + e.components.reduce((s, c, x) => s + e.weights[x] * clip(estimate(c, u, i), c.scale), 0);
      assert.ok(Math.abs(estimate(m, u, i) - want) < 1e-9);
    }
    const ours = rmse(test, predictTestset(m, test));
    const alone = config.components.map((c) => {
      const a = getAlgorithm(c.algorithm);
      return rmse(test, predictTestset(a.fit(built.trainset, a.parseConfig(c.params), { rng: createRng(2), kernels: kernels() }), test));
    });
    // 40 users are too few for stacking to beat the best component reliably; it must not fall behind the worst.
    assert.ok(ours <= Math.max(...alone), `blend ${ours.toFixed(4)} vs components ${alone.map((x) => x.toFixed(4)).join(', ')}`);
  });

  describe('top-N equals scoring every item', () => {
    const { trainset } = buildTrainset(syntheticDataset(6));
    const rank = itemIdRank(trainset.itemIds);
    const users = Int32Array.from({ length: trainset.nUsers }, (_, u) => u);
    const components = [
      { algorithm: 'svd', params: { n_factors: 5, n_epochs: 10 } },
      'knnbaseline',
      { algorithm: 'knnbaseline:item', params: { list_size: 12 } },
    ];
    // Bounded components (SVD, dense user-based KNN) with positive weights, one scored in full (item-based KNN);
    // a negative weight is scored in full too; weights near 1 leave the bounds little room.
    for (const weights of [
      [0.2, 0.35, 0.5],
      [0.9, -0.3, 0.4],
      [1, 0, 0],
    ])
      it(`weights ${weights.join(', ')}`, () => {
        const config = blend.parseConfig({ components, weights, intercept: -0.1 });
        const m = blend.fit(trainset, config, { rng: createRng(0), kernels: kernels() });
        for (const n of [1, 5, 20])
          assertExhaustiveTopN(m, trainset, topNFor(m, users, exclusionsOf(trainset), n, rank, kernels()), n, rank);
      });
  });
});
