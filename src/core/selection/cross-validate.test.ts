import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { describe, it } from 'node:test';
import { syntheticDataset } from '../../../tests/support/algorithm-contract.js';
import { als } from '../algorithms/als.js';
import { baseline } from '../algorithms/baseline.js';
import { bpmf } from '../algorithms/bpmf.js';
import { svd } from '../algorithms/svd.js';
import { svdpp } from '../algorithms/svdpp.js';
import { timesvd } from '../algorithms/timesvd.js';
import type { Algorithm } from '../algorithms/types.js';
import { createRng } from '../random.js';
import { referenceKernels } from '../reference-kernels.js';
import { crossValidate, evaluateFold, formatCvTable, summarize } from './cross-validate.js';
import { kFold } from './kfold.js';

describe('kFold', () => {
  it('partitions the rows into k test blocks, the first n mod k one longer', () => {
    const ds = syntheticDataset();
    const splits = kFold(ds, 5, createRng(0));
    const sizes = splits.map((s) => s.test.size);
    assert.equal(
      sizes.reduce((a, b) => a + b),
      ds.size,
    );
    assert.ok(sizes.every((s, i) => s === Math.floor(ds.size / 5) + (i < ds.size % 5 ? 1 : 0)));
    for (const s of splits) assert.equal(s.train.size + s.test.size, ds.size);
  });
  it('is reproducible from its seed and differs across seeds', () => {
    const ds = syntheticDataset();
    assert.deepEqual(kFold(ds, 3, createRng(1))[0].test.ratings, kFold(ds, 3, createRng(1))[0].test.ratings);
    assert.notDeepEqual(kFold(ds, 3, createRng(1))[0].test.users, kFold(ds, 3, createRng(2))[0].test.users);
  });
  it('refuses fewer than two folds or more folds than ratings', () => {
    assert.throws(() => kFold(syntheticDataset(), 1, createRng(0)), /integer ≥ 2, got 1/);
  });
});

describe('crossValidate', () => {
  it('returns per-fold figures and their mean and population std', () => {
    const ds = syntheticDataset();
    let t = 0;
    const cv = crossValidate(baseline, baseline.defaults, kFold(ds, 3, createRng(0)), {
      seed: 0,
      kernels: referenceKernels,
      clock: () => (t += 10),
    });
    assert.equal(cv.folds.length, 3);
    const m = cv.folds.reduce((a, f) => a + f.rmse, 0) / 3;
    assert.ok(Math.abs(cv.mean.rmse - m) < 1e-12);
    assert.equal(cv.folds[0].fitTime, 0.01);
    assert.ok(cv.folds.every((f) => f.rmse > 0 && f.mae > 0 && f.mae <= f.rmse));
  });
  it("prints Surprise's table layout", () => {
    const cv = summarize('SVD', [
      { rmse: 1.1164, mae: 0.9153, fitTime: 0.05, testTime: 0, trainRmse: [] },
      { rmse: 1.0699, mae: 0.8675, fitTime: 0.05, testTime: 0, trainRmse: [] },
    ]);
    assert.equal(
      formatCvTable(cv),
      [
        'Evaluating RMSE, MAE of algorithm SVD on 2 split(s).',
        '',
        '                  Fold 1  Fold 2  Mean    Std     ',
        'RMSE (testset)    1.1164  1.0699  1.0932  0.0232  ',
        'MAE (testset)     0.9153  0.8675  0.8914  0.0239  ',
        'Fit time          0.05    0.05    0.05    0.00    ',
        'Test time         0.00    0.00    0.00    0.00    ',
      ].join('\n'),
    );
  });
});

describe('evaluateFold with a held-out curve', () => {
  const split = kFold(syntheticDataset(), 3, createRng(0))[0];
  const ctx = { seed: 3, kernels: referenceKernels, clock: () => performance.now(), ranking: false };
  it("scores the test part after every epoch: each figure is a fit of that many epochs' RMSE, the last the fold's", () => {
    const config = svd.parseConfig({ n_factors: 4, n_epochs: 6 });
    const sent: [number, number | undefined][] = [];
    const fold = evaluateFold(svd, config, split, 1, { ...ctx, heldOut: true, onEpoch: (_, e, __, held) => sent.push([e, held]) });
    assert.equal(fold.testRmse?.length, 6);
    assert.equal(fold.testRmse?.[5], fold.rmse);
    assert.deepEqual(
      sent.map(([, held]) => held),
      fold.testRmse,
    );
    for (let e = 1; e < 6; e++) {
      const shorter = evaluateFold(svd, svd.parseConfig({ n_factors: 4, n_epochs: e }), split, 1, ctx);
      assert.equal(fold.testRmse?.[e - 1], shorter.rmse, `epoch ${e}`);
    }
    // Scored in the kernel, inside the fit: no separate time.
    assert.equal(fold.heldOutSeconds, undefined);
    // The held-out curve goes down before it levels off: it is the test error, not the training one.
    assert.notDeepEqual(fold.testRmse, fold.trainRmse);
  });
  it('draws it for every iterative rating model: SVD++, timeSVD and ALS end on the fold RMSE, BPMF follows its samples', () => {
    const cases: [Algorithm, Record<string, unknown>][] = [
      [svdpp, { n_factors: 3, n_epochs: 4 }],
      [timesvd, { n_factors: 3, n_epochs: 4 }],
      [als, { n_factors: 3, n_epochs: 4 }],
      [bpmf, { n_factors: 3, n_epochs: 4, burn_in: 1 }],
    ];
    for (const [algo, raw] of cases) {
      const sent: (number | undefined)[] = [];
      const fold = evaluateFold(algo, algo.parseConfig(raw), split, 1, {
        ...ctx,
        heldOut: true,
        onEpoch: (_, __, ___, held) => sent.push(held),
      });
      const curve = fold.testRmse ?? [];
      assert.equal(curve.length, 4, algo.id);
      assert.deepEqual(sent, curve, algo.id);
      assert.ok(
        curve.every((r) => r > 0 && r < 4),
        `${algo.id}: ${curve}`,
      );
      assert.notDeepEqual(curve, fold.trainRmse, algo.id);
      // The model mid-fit is the model: its last figure is the fold's (BPMF's last sample is not its posterior mean).
      if (algo !== bpmf) assert.equal(curve[3], fold.rmse, algo.id);
      else assert.notEqual(curve[3], fold.rmse);
    }
  });
  it('leaves it out unless asked, and for algorithms that give no model mid-fit', () => {
    const config = svd.parseConfig({ n_factors: 4, n_epochs: 3 });
    assert.equal(evaluateFold(svd, config, split, 1, ctx).testRmse, undefined);
    assert.equal(evaluateFold(baseline, baseline.defaults, split, 1, { ...ctx, heldOut: true }).testRmse, undefined);
  });
});
