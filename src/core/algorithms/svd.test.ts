import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeAlgorithm } from '../../../tests/support/algorithm-contract.js';
import { loadKernels } from '../../kernels/index.js';
import { svd } from './svd.js';

// The wasm kernels, never the fallback: this is also the check that they land in Surprise's band (see kernels/movielens.test.ts).
describeAlgorithm(svd, { rmse: [0.872, 0.876], quick: { n_factors: 5, n_epochs: 10 }, random: true, kernels: () => loadKernels('wasm') });

describe('svd config', () => {
  it('has Surprise defaults and accepts its parameter names', () => {
    assert.equal(svd.defaults.nFactors, 100);
    assert.equal(svd.defaults.lrQi, 0.005);
    const c = svd.parseConfig({ n_factors: '50', lr_all: 0.01, reg_bu: 0.5, biased: 'false' });
    assert.equal(c.nFactors, 50);
    assert.equal(c.lrBu, 0.01);
    assert.equal(c.lrQi, 0.01);
    assert.equal(c.regBu, 0.5);
    assert.equal(c.regQi, 0.02);
    assert.equal(c.biased, false);
  });
  it('lets a per-parameter value win over its *_all group', () => {
    assert.equal(svd.parseConfig({ lr_bi: 0.1, lr_all: 0.2 }).lrBi, 0.1);
  });
  it('refuses out-of-range values', () => {
    assert.throws(() => svd.parseConfig({ n_factors: 0 }), /n_factors of svd must be ≥ 1, got 0/);
    assert.throws(() => svd.parseConfig({ n_epochs: 2.5 }), /must be an integer/);
  });
});
