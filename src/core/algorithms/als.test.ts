import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeAlgorithm, syntheticDataset } from '../../../tests/support/algorithm-contract.js';
import { loadKernels } from '../../kernels/index.js';
import { buildTrainset } from '../dataset.js';
import { estimate } from '../model.js';
import { createRng } from '../random.js';
import { als } from './als.js';
import { solveSpd } from '../cholesky.js';

// ALS's folds: .8628 .8562 .8487 .8604 .8494 (mean .8555); the check runs fold 1 alone, within ±.004 (SVD's fold 1: .8848).
describeAlgorithm(als, {
  rmse: [0.859, 0.867],
  accuracyFolds: 1,
  quick: { n_factors: 4, n_epochs: 5 },
  random: true,
  kernels: () => loadKernels(),
});

describe('ALS', () => {
  it('solves a symmetric positive definite system by Cholesky', () => {
    const n = 6;
    const rng = createRng(2);
    const M = Float64Array.from({ length: n * n }, () => rng.normal());
    const A = new Float64Array(n * n);
    for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) for (let k = 0; k < n; k++) A[r * n + c] += M[r * n + k] * M[c * n + k];
    for (let d = 0; d < n; d++) A[d * n + d] += 0.5;
    const b = Float64Array.from({ length: n }, () => rng.normal());
    const x = b.slice();
    assert.ok(solveSpd(A.slice(), x, n));
    for (let r = 0; r < n; r++) {
      let s = 0;
      for (let c = 0; c < n; c++) s += A[r * n + c] * x[c];
      assert.ok(Math.abs(s - b[r]) < 1e-9, `row ${r}: ${s} vs ${b[r]}`);
    }
    assert.equal(solveSpd(new Float64Array([1, 2, 2, 1]), new Float64Array(2), 2), false);
  });

  it('leaves each user at the exact minimiser of her ridge regression (zero gradient)', () => {
    const { trainset: ts } = buildTrainset(syntheticDataset(5));
    const c = als.parseConfig({ n_factors: 3, n_epochs: 4, reg: 0.1 });
    const m = als.fit(ts, c, { rng: createRng(1), kernels: loadKernels() });
    // The last half-step solved the items, so check the items' stationarity: ∂/∂q_i and ∂/∂b_i vanish.
    const k = 3;
    const gq = new Float64Array(ts.nItems * k);
    const gb = new Float64Array(ts.nItems);
    const count = new Int32Array(ts.nItems);
    for (let u = 0; u < ts.nUsers; u++) {
      for (let x = ts.userPtr[u]; x < ts.userPtr[u + 1]; x++) {
        const i = ts.itemIdx[x];
        const err = ts.ratings[x] - estimate(m, u, i);
        count[i]++;
        gb[i] += err;
        for (let f = 0; f < k; f++) gq[i * k + f] += err * m.userFactors[u * k + f];
      }
    }
    for (let i = 0; i < ts.nItems; i++) {
      assert.ok(Math.abs(gb[i] - count[i] * 0.1 * m.itemBias[i]) < 1e-3, `item ${i} bias gradient`);
      for (let f = 0; f < k; f++)
        assert.ok(Math.abs(gq[i * k + f] - count[i] * 0.1 * m.itemFactors[i * k + f]) < 1e-3, `item ${i} factor ${f}`);
    }
  });
});
