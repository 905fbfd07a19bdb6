import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mae, rankingMetrics, rmse } from './metrics.js';

const test = { size: 4, users: Int32Array.of(0, 0, 0, 1), items: Int32Array.of(0, 1, 2, 0), ratings: Float32Array.of(5, 4, 2, 3) };

describe('metrics', () => {
  it('computes RMSE and MAE', () => {
    const pred = Float64Array.of(4, 4, 4, 4);
    assert.equal(mae(test, pred), (1 + 0 + 2 + 1) / 4);
    assert.equal(rmse(test, pred), Math.sqrt((1 + 0 + 4 + 1) / 4));
  });
  it('computes precision, recall and NDCG at k over users with relevant items', () => {
    // user 0: relevant {0, 1} (≥ 4); ranked [1, 2]: one hit at rank 1. user 1 has nothing relevant.
    const m = rankingMetrics(test, Int32Array.of(0, 1), Int32Array.of(1, 2, 0, -1), 2, 4);
    assert.equal(m.users, 1);
    assert.equal(m.precision, 0.5);
    assert.equal(m.recall, 0.5);
    assert.ok(Math.abs(m.ndcg - 1 / (1 + 1 / Math.log2(3))) < 1e-12);
    // AP@2: one hit at rank 1 (precision 1) over min(2 relevant, k = 2).
    assert.equal(m.map, 0.5);
    assert.equal(rankingMetrics(test, Int32Array.of(0), Int32Array.of(2, 1), 2, 4).map, 0.25, 'a hit at rank 2: precision 1/2, over 2');
  });
});
