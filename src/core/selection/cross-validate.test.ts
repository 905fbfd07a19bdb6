import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { syntheticDataset } from '../../../tests/support/algorithm-contract.js';
import { baseline } from '../algorithms/baseline.js';
import { createRng } from '../random.js';
import { referenceKernels } from '../reference-kernels.js';
import { crossValidate, formatCvTable, summarize } from './cross-validate.js';
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
