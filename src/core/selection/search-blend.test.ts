import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { syntheticDataset } from '../../../tests/support/algorithm-contract.js';
import { loadKernels } from '../../kernels/index.js';
import { getAlgorithm } from '../algorithms/index.js';
import { clip } from '../model.js';
import { createRng } from '../random.js';
import { evaluateFold } from './cross-validate.js';
import { kFold } from './kfold.js';
import type { Trial } from './model-search.js';
import { blendHeldOut, type HeldOut } from './search-blend.js';

describe('a blend stacked from a search’s held-out predictions', () => {
  const ds = syntheticDataset(9, 1);
  const splits = kFold(ds, 4, createRng(1));
  const truth = splits.map((s) => s.test.ratings);
  const kernels = loadKernels();
  let number = 0;
  const heldOut = (algorithm: string, params: Record<string, unknown>): HeldOut => {
    const a = getAlgorithm(algorithm);
    const folds = splits.map((s, f) =>
      evaluateFold(a, a.parseConfig(params), s, f + 1, { seed: 0, kernels, clock: () => 0, ranking: false, keepPredictions: true }),
    );
    const rmse = folds.reduce((x, f) => x + f.rmse, 0) / folds.length;
    const trial: Trial = {
      number: ++number,
      algorithm,
      params,
      status: 'ok',
      rmse,
      mae: folds.reduce((x, f) => x + f.mae, 0) / folds.length,
      rmseStd: 0,
      folds: folds.map((f) => ({ rmse: f.rmse, mae: f.mae, fitTime: f.fitTime, testTime: f.testTime })),
      fitSeconds: 0,
      seconds: 0,
    };
    return { trial, predictions: folds.map((f) => f.predictions as Float32Array) };
  };
  const candidates = [
    heldOut('svd', { n_factors: 5, n_epochs: 3 }),
    heldOut('svd', { n_factors: 5, n_epochs: 25 }),
    heldOut('knnbaseline', { k: 20 }),
    heldOut('baseline', {}),
    heldOut('bpmf', { n_factors: 3, n_epochs: 30, burn_in: 10 }),
  ];
  const opts = { maxComponents: 3, truth, scale: ds.scale, measure: 'rmse' as const };

  it('starts from the best trial and adds only trials that lower the nested error, never the same model twice', () => {
    const copy = { trial: { ...candidates[4].trial, number: 99 }, predictions: candidates[4].predictions.map((p) => p.slice()) };
    const b = blendHeldOut([...candidates, copy], { ...opts, maxComponents: 5 });
    assert.ok(b);
    const best = candidates.map((c) => c.trial).reduce((x, y) => (y.rmse < x.rmse ? y : x));
    assert.equal(b.components[0], best);
    assert.ok(b.components.length >= 2);
    assert.equal(new Set(b.components.map((c) => c.number)).size, b.components.length);
    assert.ok(!(b.components.includes(copy.trial) && b.components.includes(candidates[4].trial)), 'a model is taken once');
    // Each prefix of the selection is the selection with that many components, each better than the last.
    let previous = best.rmse;
    for (let m = 2; m <= b.components.length; m++) {
      const prefix = blendHeldOut([...candidates, copy], { ...opts, maxComponents: m });
      assert.ok(prefix);
      assert.deepEqual(prefix.components, b.components.slice(0, m));
      const mean = prefix.folds.reduce((x, f) => x + f.rmse, 0) / prefix.folds.length;
      assert.ok(mean < previous - 1e-4, `${m} components: ${mean} vs ${previous}`);
      previous = mean;
    }
    assert.equal(blendHeldOut(candidates.slice(0, 1), opts), null, 'one trial makes no blend');
  });

  it('scores each fold with weights fitted on the other folds only: worse than the in-sample fit of all folds, no worse than its worst component', () => {
    const b = blendHeldOut(candidates, opts);
    assert.ok(b);
    const comps = b.components.map((c) => candidates.find((x) => x.trial === c) as HeldOut);
    let inSample = 0;
    let nested = 0;
    truth.forEach((r, f) => {
      for (let k = 0; k < r.length; k++) {
        let s = b.intercept;
        comps.forEach((c, x) => (s += b.weights[x] * clip(c.predictions[f][k], ds.scale)));
        inSample += (r[k] - clip(s, ds.scale)) ** 2;
      }
      nested += b.folds[f].rmse ** 2 * r.length;
    });
    assert.ok(nested > inSample, `nested SSE ${nested} vs in-sample ${inSample}`);
    const mean = b.folds.reduce((x, f) => x + f.rmse, 0) / b.folds.length;
    assert.ok(mean <= Math.max(...b.components.map((c) => c.rmse)), `blend ${mean} vs components ${b.components.map((c) => c.rmse)}`);
  });
});
