import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { syntheticMovieLens } from '../../datasets/synthetic.js';
import { loadKernels } from '../../kernels/index.js';
import { ratingsFromText } from '../../../tests/support/ratings-text.js';
import { buildTrainset } from '../dataset.js';
import type { Kernels } from '../kernels.js';
import { referenceKernels } from '../reference-kernels.js';
import { createRng } from '../random.js';
import { svd, svdInitialState } from './svd.js';
import { planStrata, strataOf, strataPieces, strataShapes, stratumOf, svdStrataFit, svdStrataOf } from './svd-strata.js';

const { dataset } = ratingsFromText(syntheticMovieLens(150, 300, 30, 7).ratingsCsv, { source: 'synthetic', scale: { min: 0.5, max: 5 } });
const { trainset } = buildTrainset(dataset);
const config = svd.parseConfig({ n_factors: 10, n_epochs: 6 });

/** Fits from seed 4's starting point: sequentially (`workers` absent) or by strata; the state and the training curve. */
function fit(kernels: Kernels, workers?: number) {
  const state = svdInitialState(trainset, config, createRng(4));
  const curve: number[] = [];
  if (workers === undefined) kernels.svdSgd(trainset, state, config, config.nEpochs, (_, r) => curve.push(r));
  else svdStrataFit(trainset, state, config, config.nEpochs, workers, kernels, (_, r) => curve.push(r));
  return { state, curve };
}

describe('SVD strata (DSGD)', () => {
  it('puts every rating in exactly one stratum, blocks balanced by rating count, users listed in id order, items most rated first', () => {
    const W = 3;
    const plan = planStrata(trainset, W);
    assert.deepEqual(plan, planStrata(trainset, W), 'the same plan every time');
    const seen = new Map<string, number>();
    plan.userBlocks.forEach((users, w) => {
      assert.deepEqual(
        [...users],
        [...users].sort((a, b) => a - b),
      );
      strataOf(trainset, plan, w).forEach((s, b) => {
        for (let lu = 0; lu < s.nUsers; lu++)
          for (let x = s.userPtr[lu]; x < s.userPtr[lu + 1]; x++) {
            const key = `${users[lu]}:${plan.itemBlocks[b][s.itemIdx[x]]}`;
            seen.set(key, (seen.get(key) ?? 0) + 1);
          }
      });
    });
    const itemCounts = new Int32Array(trainset.nItems);
    for (let x = 0; x < trainset.nRatings; x++) itemCounts[trainset.itemIdx[x]]++;
    for (const items of plan.itemBlocks)
      for (let l = 1; l < items.length; l++) {
        const [a, b] = [items[l - 1], items[l]];
        assert.ok(itemCounts[a] > itemCounts[b] || (itemCounts[a] === itemCounts[b] && a < b), `items ${a}, ${b}`);
      }
    assert.equal(seen.size, trainset.nRatings);
    assert.ok([...seen.values()].every((n) => n === 1));
    const userLoads = plan.userBlocks.map((ids) => ids.reduce((n, u) => n + trainset.userPtr[u + 1] - trainset.userPtr[u], 0));
    const heaviest = Math.max(...Array.from({ length: trainset.nUsers }, (_, u) => trainset.userPtr[u + 1] - trainset.userPtr[u]));
    assert.ok(Math.max(...userLoads) - Math.min(...userLoads) <= heaviest, `user block loads ${userLoads}`);
    // Each sub-epoch's strata are disjoint: every item block once.
    for (let s = 0; s < W; s++) assert.deepEqual(new Set(Array.from({ length: W }, (_, w) => stratumOf(w, s, W))).size, W);
  });

  it("hands out a block's strata in pieces of a small buffer that put together are the whole strata", () => {
    const plan = planStrata(trainset, 3);
    for (let w = 0; w < 3; w++) {
      const whole = strataOf(trainset, plan, w);
      const shapes = strataShapes(trainset, plan, w);
      const itemIdx = shapes.map((s) => new Int32Array(s.nRatings).fill(-1));
      const ratings = shapes.map((s) => new Float32Array(s.nRatings).fill(Number.NaN));
      const buffer = { itemIdx: new Int32Array(29), ratings: new Float32Array(29) };
      let pieces = 0;
      for (const { b, at, n } of strataPieces(trainset, plan, w, buffer.itemIdx, buffer.ratings)) {
        assert.ok(n >= 1 && n <= 29 && at + n <= shapes[b].nRatings, `piece of ${n} at ${at}`);
        itemIdx[b].set(buffer.itemIdx.subarray(0, n), at);
        ratings[b].set(buffer.ratings.subarray(0, n), at);
        pieces++;
      }
      assert.equal(
        pieces,
        shapes.reduce((t, s) => t + Math.ceil(s.nRatings / 29), 0),
      );
      whole.forEach((s, b) => {
        assert.deepEqual(shapes[b].userPtr, s.userPtr);
        assert.deepEqual(itemIdx[b], s.itemIdx);
        assert.deepEqual(ratings[b], s.ratings);
      });
    }
  });

  it('refuses a piece that does not fit its stratum or names an item outside its block', () => {
    const plan = planStrata(trainset, 2);
    const shapes = strataShapes(trainset, plan, 0);
    const strata = svdStrataOf(
      loadKernels('wasm'),
      shapes,
      { ...svdInitialState(trainset, config, createRng(1)), rows: plan.userBlocks[0] },
      10,
      true,
      config,
    );
    const n = shapes[0].nRatings;
    assert.throws(() => strata.load(0, n - 1, new Int32Array(2), new Float32Array(2)), /a piece of 2 entries at .* does not fit stratum 0/);
    assert.throws(() => strata.load(0, 0, Int32Array.of(shapes[0].nItems), Float32Array.of(3)), /stratum 0 names item \d+ of its \d+/);
    assert.throws(() => strata.load(2, 0, new Int32Array(1), new Float32Array(1)), /there is no stratum 2 of 2/);
  });

  for (const kernels of [loadKernels('wasm'), referenceKernels]) {
    it(`with one worker is the sequential fit, bit for bit (${kernels.name} kernels)`, () => {
      assert.deepEqual(fit(kernels, 1), fit(kernels));
    });
  }

  it('with two workers differs from the sequential fit but stays close to its training error', () => {
    const seq = fit(loadKernels('wasm'));
    const two = fit(loadKernels('wasm'), 2);
    assert.notDeepEqual(two.state.userFactors, seq.state.userFactors);
    assert.ok(Math.abs(two.curve[5] - seq.curve[5]) < 0.01, `training RMSE dsgd ${two.curve[5]}, sequential ${seq.curve[5]}`);
  });

  it('rejects an unknown parallel mode by name', () => {
    assert.throws(() => svd.parseConfig({ parallel: 'hogwild' }), /parallel of svd must be one of none, dsgd, got "hogwild"/);
    assert.equal(svd.parseConfig({ parallel: 'DSGD' }).parallel, 'dsgd');
    assert.equal(svd.parseConfig({}).parallel, 'none');
  });
});
