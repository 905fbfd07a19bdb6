import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { syntheticDataset } from '../../../tests/support/algorithm-contract.js';
import { getAlgorithm } from '../algorithms/index.js';
import { createRng } from '../random.js';
import { referenceKernels } from '../reference-kernels.js';
import { crossValidate } from './cross-validate.js';
import { kFold } from './kfold.js';
import { type CandidateEvaluator, gridSearchCV, randomizedSearchCV } from './search-cv.js';

const splits = kFold(syntheticDataset(), 3, createRng(1));
const evaluate: CandidateEvaluator = async (algorithm, params) => {
  const algo = getAlgorithm(algorithm);
  return crossValidate(algo, algo.parseConfig(params), splits, { seed: 0, kernels: referenceKernels, clock: () => 0, ranking: false });
};

describe('GridSearchCV (Surprise semantics)', () => {
  const grid = { n_epochs: [2, 8], lr_all: [0.002, 0.02], reg_all: [0.4, 0.02] };

  it('tries every combination in itertools.product order and tabulates cv_results', async () => {
    const gs = await gridSearchCV('svd', { n_factors: 4, ...grid }, evaluate, { measures: ['RMSE', 'mae'] });
    assert.equal(gs.candidates.length, 8);
    assert.deepEqual(gs.candidates[0], { n_factors: 4, n_epochs: 2, lr_all: 0.002, reg_all: 0.4 });
    assert.deepEqual(gs.candidates[1], { n_factors: 4, n_epochs: 2, lr_all: 0.002, reg_all: 0.02 });
    assert.deepEqual(gs.candidates[7], { n_factors: 4, n_epochs: 8, lr_all: 0.02, reg_all: 0.02 });
    const r = gs.cvResults;
    for (const key of [
      'split0_test_rmse',
      'split2_test_mae',
      'mean_test_rmse',
      'std_test_mae',
      'rank_test_rmse',
      'mean_fit_time',
      'params',
      'param_lr_all',
    ])
      assert.equal(r[key]?.length, 8, key);
    assert.equal(r.split3_test_rmse, undefined);
    // Each candidate's figures are those of cross-validating it alone.
    const alone = await evaluate('svd', gs.candidates[5]);
    assert.equal(r.mean_test_rmse[5], alone.mean.rmse);
    assert.equal(r.split1_test_mae[5], alone.folds[1].mae);
    for (const m of ['rmse', 'mae'] as const) {
      const means = r[`mean_test_${m}`] as number[];
      const best = Math.min(...means);
      assert.equal(gs.bestScore[m], best);
      assert.equal(means[gs.bestIndex[m]], best);
      assert.deepEqual(gs.bestParams[m], gs.candidates[gs.bestIndex[m]]);
      assert.equal(r[`rank_test_${m}`][gs.bestIndex[m]], 1);
      assert.deepEqual(
        [...(r[`rank_test_${m}`] as number[])].sort((a, b) => a - b),
        [1, 2, 3, 4, 5, 6, 7, 8],
      );
    }
    assert.equal(gs.refit, null);
  });

  it("nests the baseline's bsl_options as Surprise does", async () => {
    const gs = await gridSearchCV('baseline', { bsl_options: { method: ['als', 'sgd'], reg: [1, 2] } }, evaluate, { refit: true });
    assert.deepEqual(gs.candidates, [
      { bsl_options: { method: 'als', reg: 1 } },
      { bsl_options: { method: 'als', reg: 2 } },
      { bsl_options: { method: 'sgd', reg: 1 } },
      { bsl_options: { method: 'sgd', reg: 2 } },
    ]);
    assert.deepEqual(gs.cvResults['param_bsl_options.method'], ['als', 'als', 'sgd', 'sgd']);
    assert.equal(gs.refit, 'rmse');
  });

  it('refuses bad grids, measures and refit before running anything', async () => {
    let ran = 0;
    const counting: CandidateEvaluator = (a, p) => {
      ran++;
      return evaluate(a, p);
    };
    await assert.rejects(gridSearchCV('svd', { n_factors: [4, 0] }, counting), /n_factors of svd must be ≥ 1, got 0/);
    await assert.rejects(gridSearchCV('svd', { no_such: [1] }, counting), /unknown parameter 'no_such' for algorithm svd/);
    await assert.rejects(gridSearchCV('svd', { lr_all: { uniform: [0, 1] } }, counting), /lr_all is a uniform distribution/);
    await assert.rejects(gridSearchCV('svd', { n_epochs: [] }, counting), /param_grid.n_epochs lists no values/);
    await assert.rejects(gridSearchCV('svd', grid, counting, { measures: ['fcp'] }), /unknown measure 'fcp'/);
    await assert.rejects(gridSearchCV('svd', grid, counting, { measures: ['mae'], refit: 'rmse' }), /refit names 'rmse'/);
    await assert.rejects(gridSearchCV('nope', grid, counting), /unknown algorithm 'nope'/);
    assert.equal(ran, 0);
  });
});

describe('RandomizedSearchCV (Surprise semantics)', () => {
  it('draws n_iter candidates from distributions, the same ones for the same seed', async () => {
    const dists = {
      n_factors: { logint: [2, 16] },
      n_epochs: { int: [2, 6] },
      lr_all: { loguniform: [0.001, 0.05] },
      biased: [true, false],
    };
    const a = await randomizedSearchCV('svd', dists, evaluate, { nIter: 6, rng: createRng(5) });
    const b = await randomizedSearchCV('svd', dists, evaluate, { nIter: 6, rng: createRng(5) });
    assert.equal(a.candidates.length, 6);
    assert.deepEqual(a.candidates, b.candidates);
    assert.deepEqual(a.cvResults.mean_test_rmse, b.cvResults.mean_test_rmse);
    for (const c of a.candidates) {
      const { n_factors, n_epochs, lr_all } = c as { n_factors: number; n_epochs: number; lr_all: number };
      assert.ok(Number.isInteger(n_factors) && n_factors >= 2 && n_factors <= 16);
      assert.ok(Number.isInteger(n_epochs) && n_epochs >= 2 && n_epochs <= 6);
      assert.ok(lr_all >= 0.001 && lr_all <= 0.05);
    }
    const c = await randomizedSearchCV('svd', dists, evaluate, { nIter: 6, rng: createRng(6) });
    assert.notDeepEqual(c.candidates, a.candidates);
  });

  it('samples a pure grid without replacement (never more than the grid holds)', async () => {
    const rs = await randomizedSearchCV('svd', { n_factors: [2, 3], n_epochs: [1, 2, 3] }, evaluate, { nIter: 10, rng: createRng(2) });
    assert.equal(rs.candidates.length, 6);
    assert.equal(new Set(rs.candidates.map((x) => JSON.stringify(x))).size, 6);
  });
});
