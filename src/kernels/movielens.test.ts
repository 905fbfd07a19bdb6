import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { performance } from 'node:perf_hooks';
import { crossValidate, evaluateFold, referenceKernels, svd } from '../core/index.js';
import { mlSmallSplits } from '../../tests/support/ml-small-folds.js';
import { sharedDataSkip } from '../../tests/support/shared-data.js';
import { loadKernels } from './index.js';

describe('kernels on the ml-latest-small folds', { skip: sharedDataSkip }, () => {
  it('wasm SVD lands in Surprise’s RMSE band and within 0.002 of the reference kernel', async () => {
    const splits = await mlSmallSplits();
    const config = svd.parseConfig({});
    const clock = () => performance.now();
    const cv = crossValidate(svd, config, splits, { seed: 0, kernels: loadKernels('wasm'), clock });
    assert.equal(cv.folds.length, 5);
    assert.ok(cv.mean.rmse > 0.872 && cv.mean.rmse < 0.876, `mean RMSE ${cv.mean.rmse}`);
    // The reference kernel is ~10× slower: one fold is enough to show the two agree.
    const ref = evaluateFold(svd, config, splits[0], 1, { seed: 0, kernels: referenceKernels, clock });
    assert.ok(Math.abs(ref.rmse - cv.folds[0].rmse) < 0.002, `fold 1: reference ${ref.rmse}, wasm ${cv.folds[0].rmse}`);
    assert.ok(Math.abs(ref.trainRmse[19] - cv.folds[0].trainRmse[19]) < 1e-4, 'same training curve');
  });
});
