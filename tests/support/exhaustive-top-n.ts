import assert from 'node:assert/strict';
import type { Trainset } from '../../src/core/dataset.js';
import { clipScore, scoreUser } from '../../src/core/families/index.js';
import { bestOf } from '../../src/core/fold-in.js';
import type { TopNResult } from '../../src/core/kernels.js';
import type { FactorModel } from '../../src/core/model.js';

/**
 * Asserts that a top-n result for every user of `ts` is what scoring every unrated item with the
 * TypeScript (`scoreUser` without kernels) and ranking gives: the same items, -1 padded, and scores.
 */
export function assertExhaustiveTopN(model: FactorModel, ts: Trainset, top: TopNResult, n: number, rank: Int32Array): void {
  const scores = new Float64Array(ts.nItems);
  const skip = new Uint8Array(ts.nItems);
  for (let u = 0; u < ts.nUsers; u++) {
    scoreUser(model, u, scores);
    for (let p = ts.userPtr[u]; p < ts.userPtr[u + 1]; p++) skip[ts.itemIdx[p]] = 1;
    const want = [...bestOf(scores, skip, n, rank)];
    skip.fill(0);
    assert.deepEqual([...top.items.subarray(u * n, u * n + n)], [...want, ...Array(n - want.length).fill(-1)], `user ${u}, n ${n}`);
    for (const [r, i] of want.entries()) assert.equal(top.scores[u * n + r], Math.fround(clipScore(model, scores[i])), `user ${u}, n ${n}`);
  }
}
