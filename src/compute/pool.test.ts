import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { performance } from 'node:perf_hooks';
import {
  buildTrainset,
  createRng,
  crossValidate,
  exclusionsOf,
  getAlgorithm,
  itemIdRank,
  kFold,
  type CvResult,
  type Split,
} from '../core/index.js';
import { syntheticMovieLens } from '../datasets/synthetic.js';
import { loadKernels } from '../kernels/index.js';
import { ComputePool, crossValidateParallel, recommendAllParallel } from './index.js';
import { ratingsFromText } from '../../tests/support/ratings-text.js';

const { dataset } = ratingsFromText(syntheticMovieLens(120, 400, 40, 5).ratingsCsv, { source: 'synthetic', scale: { min: 0.5, max: 5 } });
const splits: Split[] = kFold(dataset, 5, createRng(0));
const kernels = loadKernels('wasm');

/** Everything but the wall-clock timings. */
const withoutTimes = (cv: CvResult) => ({
  algorithm: cv.algorithm,
  folds: cv.folds.map(({ fitTime, testTime, ...rest }) => rest),
  rmse: cv.mean.rmse,
  mae: cv.mean.mae,
});

describe('compute pool', () => {
  let pool: ComputePool;
  before(() => {
    pool = new ComputePool({ workers: 2 });
  });
  after(() => pool.close());

  for (const [algorithm, config] of [
    ['svd', { n_factors: 30, n_epochs: 10 }],
    ['baseline', {}],
    ['svdpp', { n_epochs: 3 }],
  ] as const) {
    it(`cross-validates ${algorithm} in parallel with exactly the sequential result for the same seed`, async () => {
      const algo = getAlgorithm(algorithm);
      const seq = crossValidate(algo, algo.parseConfig(config), splits, { seed: 3, kernels, clock: () => performance.now() });
      const par = await pool.crossValidate(algorithm, config, splits, 3);
      assert.deepEqual(withoutTimes(par), withoutTimes(seq));
      assert.ok(
        par.folds.every((f) => f.fitTime > 0 && f.testTime >= 0),
        'timings measured in the workers',
      );
    });
  }

  it("streams each fold's training curve while it fits, in a few batches, before the fold's result", async () => {
    const config = { n_factors: 20, n_epochs: 400 };
    const batches: { fold: number; from: number; values: readonly number[]; before: boolean }[] = [];
    let settled = false;
    const to = (fold: number) => (from: number, values: readonly number[]) => batches.push({ fold, from, values, before: !settled });
    const cv = await pool.crossValidate('svd', config, splits.slice(0, 2), 3, { epochs: [to(1), to(2)] }).finally(() => (settled = true));
    // The last batch may cross the result (another channel); it ends with the fold's port.
    await new Promise((r) => setTimeout(r, 100));
    for (const [f, fold] of cv.folds.entries()) {
      const mine = batches.filter((b) => b.fold === f + 1);
      assert.ok(mine.length >= 1 && mine[0].before, `fold ${f + 1}: epochs arrived before its result (${mine.length} batches)`);
      assert.equal(mine[0].from, 0, 'the first epoch is sent at once');
      // In order, each batch where the last ended, and the same figures as the fold's result.
      let next = 0;
      for (const b of mine) {
        assert.equal(b.from, next);
        assert.deepEqual(b.values, fold.trainRmse.slice(b.from, b.from + b.values.length));
        next += b.values.length;
      }
      assert.ok(next <= config.n_epochs);
      // Bounded: a batch at once, then at most four a second of the fit.
      assert.ok(mine.length <= 2 + fold.fitTime * 4, `${mine.length} batches in a ${fold.fitTime.toFixed(2)} s fit`);
    }
  });

  it('rejects an unknown algorithm or parameter before sending work, naming it', async () => {
    await assert.rejects(pool.crossValidate('svdx', {}, splits, 0), { code: 'INVALID_ARGUMENT', message: /unknown algorithm 'svdx'/ });
    await assert.rejects(pool.crossValidate('svd', { n_factor: 3 }, splits, 0), {
      code: 'INVALID_ARGUMENT',
      message: /unknown parameter 'n_factor'/,
    });
  });

  it('computes top-N over user blocks exactly as one kernel call, and carries worker errors back with their code', async () => {
    const built = buildTrainset(dataset);
    const svd = getAlgorithm('svd');
    const model = svd.fit(built.trainset, svd.parseConfig({ n_factors: 20 }), { rng: createRng(1), kernels });
    const rank = itemIdRank(model.itemIds);
    const users = Int32Array.from({ length: model.userIds.length }, (_, u) => u);
    const seq = kernels.topN(model, users, exclusionsOf(built.trainset), 10, rank);
    assert.deepEqual(await pool.topN(model, users, exclusionsOf(built.trainset), 10, rank), seq);
    const some = Int32Array.of(5, 1, 77, 5, 3);
    assert.deepEqual(
      await pool.topN(model, some, exclusionsOf(built.trainset), 4, rank),
      kernels.topN(model, some, exclusionsOf(built.trainset), 4, rank),
    );
    const bad = { userPtr: exclusionsOf(built.trainset).userPtr, itemIdx: built.trainset.itemIdx.map(() => 1e6) };
    await assert.rejects(pool.topN(model, users, bad, 10, rank), { code: 'INVALID_ARGUMENT', message: /excluded item index 1000000/ });
  });

  it('gives the same top-N lists as one kernel call when a factor model goes in several blocks per worker', {
    timeout: 60_000,
  }, async () => {
    // 1,300 users on 2 workers in blocks of 256 users: each worker takes several, and the last is short.
    const blocks = new ComputePool({ workers: 2, topNBlockUsers: 256 });
    try {
      const many = ratingsFromText(syntheticMovieLens(1300, 300, 20, 3).ratingsCsv, { source: 'synthetic', scale: { min: 0.5, max: 5 } });
      const built = buildTrainset(many.dataset);
      const svd = getAlgorithm('svd');
      const model = svd.fit(built.trainset, svd.parseConfig({ n_factors: 12, n_epochs: 3 }), { rng: createRng(3), kernels });
      assert.equal(model.userIds.length, 1300);
      const rank = itemIdRank(model.itemIds);
      const users = Int32Array.from({ length: model.userIds.length }, (_, u) => u);
      const seq = kernels.topN(model, users, exclusionsOf(built.trainset), 10, rank);
      assert.deepEqual(await blocks.topN(model, users, exclusionsOf(built.trainset), 10, rank), seq);
      assert.ok(seq.items.filter((i) => i >= 0).length > 1300 * 5, 'most lists are filled');
    } finally {
      await blocks.close();
    }
  });
});

describe('one-shot parallel helpers', () => {
  it('crossValidateParallel and recommendAllParallel start and close their own pool', async () => {
    const svd = getAlgorithm('svd');
    const config = { n_factors: 8, n_epochs: 5 };
    const seq = crossValidate(svd, svd.parseConfig(config), splits.slice(0, 3), { seed: 1, kernels, clock: () => performance.now() });
    const par = await crossValidateParallel('svd', config, splits.slice(0, 3), { seed: 1, workers: 3 });
    assert.deepEqual(withoutTimes(par), withoutTimes(seq));
    const built = buildTrainset(dataset);
    const model = svd.fit(built.trainset, svd.parseConfig(config), { rng: createRng(2), kernels });
    const rank = itemIdRank(model.itemIds);
    const users = Int32Array.from({ length: model.userIds.length }, (_, u) => u);
    const all = await recommendAllParallel(model, exclusionsOf(built.trainset), 7, rank, { workers: 3 });
    assert.deepEqual(all, kernels.topN(model, users, exclusionsOf(built.trainset), 7, rank));
  });

  it('names a bad worker count or kernel preference before starting threads', () => {
    assert.throws(() => new ComputePool({ workers: 0 }), {
      code: 'INVALID_ARGUMENT',
      message: /number of workers must be an integer ≥ 1, got 0/,
    });
    assert.throws(() => new ComputePool({ kernels: 'gpu' as 'wasm' }), {
      code: 'INVALID_ARGUMENT',
      message: /unknown kernel preference 'gpu'/,
    });
    assert.throws(() => new ComputePool({ topNBlockUsers: 0.5 }), {
      code: 'INVALID_ARGUMENT',
      message: /topNBlockUsers must be an integer ≥ 1, got 0.5/,
    });
  });

  it('refuses work once closed', async () => {
    const pool = new ComputePool({ workers: 1 });
    await pool.close();
    await assert.rejects(pool.crossValidate('svd', {}, splits, 0), { code: 'FAILED_PRECONDITION', message: /closed/ });
  });
});
