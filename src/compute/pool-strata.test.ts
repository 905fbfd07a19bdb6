import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { performance } from 'node:perf_hooks';
import {
  buildTestset,
  buildTrainset,
  createRng,
  predictTestset,
  rmse,
  svd,
  svdInitialState,
  svdModelOf,
  svdStrataFit,
  type Split,
  type SvdFitConfig,
  type Trainset,
} from '../core/index.js';
import { syntheticMovieLens } from '../datasets/synthetic.js';
import { loadKernels } from '../kernels/index.js';
import { runTraining } from '../training/index.js';
import { mlSmallSplits } from '../../tests/support/ml-small-folds.js';
import { ratingsFromText } from '../../tests/support/ratings-text.js';
import { sharedDataSkip } from '../../tests/support/shared-data.js';
import { ComputePool } from './index.js';

const { dataset } = ratingsFromText(syntheticMovieLens(200, 400, 40, 11).ratingsCsv, { source: 'synthetic', scale: { min: 0.5, max: 5 } });
const { trainset } = buildTrainset(dataset);
const config = svd.parseConfig({ n_factors: 20, n_epochs: 8, parallel: 'dsgd' });
const kernels = loadKernels('wasm');

async function onPool(pool: ComputePool, ts: Trainset, c: SvdFitConfig, seed: number) {
  const state = svdInitialState(ts, c, createRng(seed));
  const curve: number[] = [];
  const workers = await pool.svdStrata(ts, state, c, c.nEpochs, (_, r) => curve.push(r));
  return { state, curve, workers };
}

describe('stratified SVD fit (DSGD) on the compute pool', () => {
  let pool: ComputePool;
  before(() => {
    pool = new ComputePool({ workers: 2 });
  });
  after(() => pool.close());

  it('gives identical factors for the same seed, and exactly the one-thread strata fit with the same W', async () => {
    const a = await onPool(pool, trainset, config, 5);
    const b = await onPool(pool, trainset, config, 5);
    assert.deepEqual(b, a);
    assert.equal(a.curve.length, config.nEpochs);
    const here = svdInitialState(trainset, config, createRng(5));
    const curve: number[] = [];
    svdStrataFit(trainset, here, config, config.nEpochs, a.workers, kernels, (_, r) => curve.push(r));
    assert.deepEqual(a.state, here);
    assert.deepEqual(a.curve, curve);
  });

  it('loads the strata through a buffer of a few ratings into the same fit, and updates a state in shared memory in place', async () => {
    const small = new ComputePool({ workers: 2, strataPiece: 37 });
    try {
      const whole = await onPool(pool, trainset, config, 5);
      const state = svdInitialState(trainset, config, createRng(5), { shared: true });
      const curve: number[] = [];
      await small.svdStrata(trainset, state, config, config.nEpochs, (_, r) => curve.push(r));
      assert.ok(state.userFactors.buffer instanceof SharedArrayBuffer);
      assert.deepEqual({ ...state }, { ...whole.state });
      assert.deepEqual(curve, whole.curve);
    } finally {
      await small.close();
    }
  });

  it('refuses a piece size that is not a positive integer', () => {
    assert.throws(() => new ComputePool({ workers: 1, strataPiece: 0 }), /strataPiece must be an integer ≥ 1, got 0/);
  });

  it('with one worker is the sequential fit, bit for bit', async () => {
    const one = new ComputePool({ workers: 1 });
    try {
      const dsgd = await onPool(one, trainset, config, 5);
      assert.equal(dsgd.workers, 1);
      const seq = svdInitialState(trainset, config, createRng(5));
      const curve: number[] = [];
      kernels.svdSgd(trainset, seq, config, config.nEpochs, (_, r) => curve.push(r));
      assert.deepEqual(dsgd.state, seq);
      assert.deepEqual(dsgd.curve, curve);
    } finally {
      await one.close();
    }
  });

  it('runs the full fit of runTraining when parallel=dsgd, and reports it with its worker count', async () => {
    const run = (params: Record<string, unknown>) =>
      runTraining(
        { dataset, algorithm: 'svd', params, evaluation: { kind: 'kfold', folds: 2 }, seed: 1, topN: 5 },
        { kernels, clock: () => performance.now(), evaluateFold: pool.evaluateFold.bind(pool), svdStrata: pool.svdStrata.bind(pool) },
        { phase: () => undefined, tick: () => undefined, log: () => undefined },
      );
    const params = { n_factors: 20, n_epochs: 8 };
    const [seq, dsgd] = [await run(params), await run({ ...params, parallel: 'dsgd' })];
    assert.equal(dsgd.fullFit.parallel, 'dsgd');
    assert.equal(dsgd.fullFit.workers, Math.min(2, availableParallelism()));
    assert.equal(seq.fullFit.parallel, undefined);
    const onPoolFit = await onPool(pool, dsgd.trainset, config, 1);
    assert.deepEqual(dsgd.model.userFactors, onPoolFit.state.userFactors);
    assert.deepEqual(dsgd.fullFit.trainRmse, onPoolFit.curve);
    // Folds fit sequentially in either mode: the same cross-validation.
    assert.deepEqual(
      dsgd.cv?.folds.map((f) => f.rmse),
      seq.cv?.folds.map((f) => f.rmse),
    );
    assert.equal(dsgd.recommendations.length, seq.recommendations.length);
  });

  it('lands within 0.003 of the sequential RMSE on the ml-latest-small folds', { skip: sharedDataSkip, timeout: 300_000 }, async () => {
    const splits: Split[] = await mlSmallSplits();
    const c = svd.parseConfig({ parallel: 'dsgd' });
    const seqRmse: number[] = [];
    const dsgdRmse: number[] = [];
    for (const split of splits) {
      const built = buildTrainset(split.train);
      const test = buildTestset(split.test, built);
      const seq = svdInitialState(built.trainset, c, createRng(0));
      kernels.svdSgd(built.trainset, seq, c, c.nEpochs);
      seqRmse.push(rmse(test, predictTestset(svdModelOf(built.trainset, seq), test)));
      const { state } = await onPool(pool, built.trainset, c, 0);
      dsgdRmse.push(rmse(test, predictTestset(svdModelOf(built.trainset, state), test)));
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    console.log(`ml-latest-small 5 folds: sequential RMSE ${mean(seqRmse).toFixed(5)}, DSGD (W=${pool.size}) ${mean(dsgdRmse).toFixed(5)}`);
    assert.ok(Math.abs(mean(seqRmse) - 0.8737) < 0.0005, `sequential ${mean(seqRmse)}`);
    assert.ok(Math.abs(mean(dsgdRmse) - mean(seqRmse)) < 0.003, `DSGD ${mean(dsgdRmse)} vs sequential ${mean(seqRmse)}`);
  });

  it('refuses an unknown parallel mode before any work starts', async () => {
    await assert.rejects(
      runTraining(
        { dataset, algorithm: 'svd', params: { parallel: 'hogwild' }, evaluation: { kind: 'none' }, seed: 1, topN: 0 },
        { kernels, clock: () => performance.now(), svdStrata: pool.svdStrata.bind(pool) },
        { phase: () => undefined, tick: () => undefined, log: () => undefined },
      ),
      /parameter parallel of svd must be one of none, dsgd, got "hogwild"/,
    );
  });
});
