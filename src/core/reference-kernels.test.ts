import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildTrainset } from './dataset.js';
import { IdMap } from './ids.js';
import type { FactorModel } from './model.js';
import { referenceKernels } from './reference-kernels.js';
import { itemIdRank } from './top-n.js';

function dataset(rows: [string, string, number][]) {
  const userIds = new IdMap();
  const itemIds = new IdMap();
  return {
    size: rows.length,
    users: Int32Array.from(rows, (r) => userIds.intern(r[0])),
    items: Int32Array.from(rows, (r) => itemIds.intern(r[1])),
    ratings: Float32Array.from(rows, (r) => r[2]),
    userIds,
    itemIds,
    scale: { min: 1, max: 5 },
  };
}

describe('reference SVD SGD', () => {
  it('matches a hand-computed epoch (μ = 4, k = 1, γ = 0.1, λ = 0.5)', () => {
    const { trainset } = buildTrainset(
      dataset([
        ['a', 'x', 5],
        ['b', 'x', 3],
      ]),
    );
    const state = {
      nFactors: 1,
      biased: true,
      userBias: new Float32Array(2),
      itemBias: new Float32Array(1),
      userFactors: Float32Array.of(0.1, 0.3),
      itemFactors: Float32Array.of(0.2),
    };
    const rates = { lrBu: 0.1, lrBi: 0.1, lrPu: 0.1, lrQi: 0.1, regBu: 0.5, regBi: 0.5, regPu: 0.5, regQi: 0.5 };
    const curve: number[] = [];
    referenceKernels.svdSgd(trainset, state, rates, 1, (_, r) => curve.push(r));
    // Rating (a,x,5): e = 5 − (4 + 0 + 0 + 0.1·0.2) = 0.98
    //   b_a = 0.098, b_x = 0.098, p_a = 0.1 + 0.1(0.98·0.2 − 0.05) = 0.1146, q_x = 0.2 + 0.1(0.98·0.1 − 0.1) = 0.1998
    // Rating (b,x,3): e = 3 − (4 + 0 + 0.098 + 0.3·0.1998) = −1.15794
    //   b_b = −0.115794, b_x = 0.098 + 0.1(−1.15794 − 0.049) = −0.022694
    //   p_b = 0.3 + 0.1(−1.15794·0.1998 − 0.15) = 0.2618643588, q_x = 0.1998 + 0.1(−1.15794·0.3 − 0.0999) = 0.1550718
    const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-6, `${a} ≉ ${b}`);
    close(state.userBias[0], 0.098);
    close(state.userBias[1], -0.115794);
    close(state.itemBias[0], -0.022694);
    close(state.userFactors[0], 0.1146);
    close(state.userFactors[1], 0.2618643588);
    close(state.itemFactors[0], 0.1550718);
    close(curve[0], Math.sqrt((0.98 ** 2 + 1.15794 ** 2) / 2));
  });
});

describe('reference top-N', () => {
  const model: FactorModel = {
    algorithm: 'svd',
    biased: true,
    globalMean: 3,
    nFactors: 1,
    scale: { min: 1, max: 5 },
    userIds: ['u'],
    itemIds: ['30', '4', '200', '1', '9'],
    userBias: Float32Array.of(0),
    itemBias: Float32Array.of(3, 3, 1, -1, 0.5),
    userFactors: Float32Array.of(1),
    itemFactors: Float32Array.of(0, 0, 0, 0, 0),
  };
  it('excludes rated items and breaks ties by unclipped estimate, then item id', () => {
    const exclude = { userPtr: Int32Array.of(0, 1), itemIdx: Int32Array.of(4) };
    const { items, scores } = referenceKernels.topN(model, Int32Array.of(0), exclude, 3, itemIdRank(model.itemIds));
    // items '30' and '4' both estimate 6 (clipped to 5): tie broken by id, 4 before 30; then '200' (4).
    assert.deepEqual(
      [...items].map((i) => model.itemIds[i]),
      ['4', '30', '200'],
    );
    assert.deepEqual([...scores], [5, 5, 4]);
  });
  it('pads with -1 when a user has fewer candidates than n', () => {
    const exclude = { userPtr: Int32Array.of(0, 3), itemIdx: Int32Array.of(0, 1, 2) };
    const { items } = referenceKernels.topN(model, Int32Array.of(0), exclude, 4, itemIdRank(model.itemIds));
    assert.deepEqual(
      [...items].map((i) => (i < 0 ? -1 : model.itemIds[i])),
      ['9', '1', -1, -1],
    );
  });
});
