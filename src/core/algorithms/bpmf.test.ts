import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeAlgorithm, syntheticDataset } from '../../../tests/support/algorithm-contract.js';
import { loadKernels } from '../../kernels/index.js';
import { buildTestset, buildTrainset } from '../dataset.js';
import { rmse } from '../metrics.js';
import { predictTestset } from '../model.js';
import { createRng } from '../random.js';
import { kFold } from '../selection/kfold.js';
import { bpmf } from './bpmf.js';

// ml-latest-small's fixed folds: .8360 with the defaults (SVD's defaults .8737, the default blend .8441),
// fold by fold .8431 .8365 .8282 .8422 .8299. The check runs fold 1 alone (a full fit is ~5 CPU-s a
// fold): .8431, within ±.005.
describeAlgorithm(bpmf, {
  rmse: [0.838, 0.848],
  accuracyFolds: 1,
  quick: { n_factors: 3, n_epochs: 12, burn_in: 4 },
  random: true,
  kernels: () => loadKernels(),
});

describe('BPMF', () => {
  const ds = syntheticDataset(5);
  const { trainset } = buildTrainset(ds);
  const fit = (params: Record<string, unknown>, seed = 1) =>
    bpmf.fit(trainset, bpmf.parseConfig(params), { rng: createRng(seed), kernels: loadKernels() });

  it('stores every kept sweep (every thin-th after the burn-in) side by side as one factor model', () => {
    assert.equal(fit({ n_factors: 4, n_epochs: 20, burn_in: 5, thin: 1 }).nFactors, 4 * 15);
    assert.equal(fit({ n_factors: 4, n_epochs: 20, burn_in: 5, thin: 4 }).nFactors, 4 * 4);
  });

  it('refuses a chain that keeps no sample, or too many factors, naming the parameters', () => {
    assert.throws(() => bpmf.parseConfig({ n_epochs: 10, burn_in: 10 }), /burn_in of bpmf \(10\) must be below n_epochs \(10\)/);
    assert.throws(() => bpmf.parseConfig({ n_factors: 100, n_epochs: 200, burn_in: 0, thin: 1 }), /keeps .* = 20000 factors; at most 8192/);
    assert.throws(() => bpmf.parseConfig({ thin: 0 }), /thin of bpmf must be ≥ 1/);
  });

  it('predicts held-out ratings better from the posterior mean than from a single sample', () => {
    const [split] = kFold(ds, 4, createRng(2));
    const built = buildTrainset(split.train);
    const test = buildTestset(split.test, built);
    const err = (params: Record<string, unknown>) =>
      rmse(test, predictTestset(bpmf.fit(built.trainset, bpmf.parseConfig(params), { rng: createRng(3), kernels: loadKernels() }), test));
    const single = err({ n_factors: 5, n_epochs: 40, burn_in: 39 });
    const averaged = err({ n_factors: 5, n_epochs: 40, burn_in: 10, thin: 1 });
    assert.ok(averaged < single, `posterior mean ${averaged.toFixed(4)} vs one sample ${single.toFixed(4)}`);
  });
});
