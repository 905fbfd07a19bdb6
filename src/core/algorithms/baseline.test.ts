import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeAlgorithm } from '../../../tests/support/algorithm-contract.js';
import { loadKernels } from '../../kernels/index.js';
import { baseline } from './baseline.js';

describeAlgorithm(baseline, { rmse: [0.871, 0.875], quick: {}, random: false, kernels: () => loadKernels() });
describeAlgorithm(baseline, {
  variant: 'sgd',
  rmse: [0.868, 0.878],
  quick: { method: 'sgd' },
  accuracyParams: { method: 'sgd' },
  random: false,
  kernels: () => loadKernels(),
});

describe('baseline config', () => {
  it("accepts Surprise's nested bsl_options", () => {
    const c = baseline.parseConfig({ bsl_options: { method: 'sgd', reg: 0.05, n_epochs: 5 } });
    assert.deepEqual([c.method, c.reg, c.nEpochs], ['sgd', 0.05, 5]);
    assert.equal(baseline.epochs(baseline.parseConfig({})), 10);
    assert.equal(baseline.epochs(baseline.parseConfig({ method: 'sgd' })), 20);
  });
});
