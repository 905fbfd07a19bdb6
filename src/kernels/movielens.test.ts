import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { performance } from 'node:perf_hooks';
import { evaluateFold, referenceKernels, svd, type Kernels } from '../core/index.js';
import { mlSmallSplits } from '../../tests/support/ml-small-folds.js';
import { sharedDataSkip } from '../../tests/support/shared-data.js';
import { loadKernels } from './index.js';

describe('kernels on the ml-latest-small folds', { skip: sharedDataSkip }, () => {
  // The wasm kernel's 5-fold RMSE in Surprise's band (0.872–0.876) is svd.test.ts's accuracy check,
  // which runs on the wasm kernels: here, fold 1 shows the reference kernel (~10× slower) agrees.
  it('wasm SVD is within 0.002 of the reference kernel on fold 1, with the same training curve', async () => {
    const splits = await mlSmallSplits();
    const config = svd.parseConfig({});
    const clock = () => performance.now();
    // RMSE and training curve only: the ranking figures are not compared.
    const on = (kernels: Kernels) => evaluateFold(svd, config, splits[0], 1, { seed: 0, kernels, clock, ranking: false });
    const wasm = on(loadKernels('wasm'));
    const ref = on(referenceKernels);
    assert.ok(Math.abs(ref.rmse - wasm.rmse) < 0.002, `fold 1: reference ${ref.rmse}, wasm ${wasm.rmse}`);
    assert.ok(Math.abs(ref.trainRmse[19] - wasm.trainRmse[19]) < 1e-4, 'same training curve');
  });
});
