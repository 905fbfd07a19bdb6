import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeAlgorithm, syntheticDataset } from '../../../tests/support/algorithm-contract.js';
import { loadKernels } from '../../kernels/index.js';
import { buildTrainset } from '../dataset.js';
import { IdMap } from '../ids.js';
import { scoreUser, topNFor, UNCOVERED_SCORE } from '../families/index.js';
import { bestOf } from '../fold-in.js';
import { referenceKernels } from '../reference-kernels.js';
import { exclusionsOf, itemIdRank } from '../top-n.js';
import { estimate } from '../model.js';
import { createRng } from '../random.js';
import { ease } from './ease.js';

// Issue 16's goal: NDCG@10 at least 1.5× the popularity baseline's.
describeAlgorithm(ease, {
  rmse: [0, 0],
  quick: { lambda: 10 },
  random: false,
  rankingOnly: true,
  ndcgOverPopularity: 1.5,
  kernels: () => loadKernels(),
});

describe('EASE', () => {
  it('refuses a Gram matrix that is not positive definite, naming the item', () => {
    // Items 'a' and 'b' have the same raters, so XᵀX is singular and λ = 0 leaves it so.
    const { trainset: ts } = buildTrainset({
      size: 5,
      users: Int32Array.of(0, 0, 1, 1, 1),
      items: Int32Array.of(0, 1, 0, 1, 2),
      ratings: Float32Array.of(4, 3, 5, 2, 1),
      userIds: IdMap.from(['u1', 'u2']),
      itemIds: IdMap.from(['a', 'b', 'c']),
      scale: { min: 1, max: 5 },
    });
    for (const kernels of [loadKernels('wasm'), referenceKernels])
      assert.throws(() => ease.fit(ts, ease.parseConfig({ lambda: 0, max_items: 0 }), { rng: createRng(0), kernels }), {
        code: 'INVALID_ARGUMENT',
        message: /EASE: the Gram matrix is not positive definite at item \d+ \(lambda must be > 0\)/,
      });
  });

  it("solves Steck's objective: B minimises ‖X − XB‖² + λ‖B‖² with a zero diagonal", () => {
    const { trainset: ts } = buildTrainset(syntheticDataset(3));
    const lambda = 5;
    const m = ease.fit(ts, ease.parseConfig({ lambda, max_items: 0 }), { rng: createRng(0), kernels: loadKernels() });
    const e = m.extension;
    assert.ok(e?.kind === 'ease');
    const n = e.covered.length;
    assert.equal(n, ts.nItems);
    const pos = new Int32Array(ts.nItems);
    e.covered.forEach((i, c) => (pos[i] = c));
    // Stationarity off the diagonal: (XᵀX + λI)B − XᵀX is zero outside the diagonal (Steck, eq. 4–8).
    const G = new Float64Array(n * n);
    for (let u = 0; u < ts.nUsers; u++) {
      const rows = Array.from(ts.itemIdx.subarray(ts.userPtr[u], ts.userPtr[u + 1]), (i) => pos[i]);
      for (const a of rows) for (const b of rows) G[a * n + b]++;
    }
    for (let r = 0; r < n; r++) {
      assert.equal(e.weights[r * n + r], 0);
      for (let c = 0; c < n; c++) {
        if (r === c) continue;
        let s = lambda * e.weights[r * n + c] - G[r * n + c];
        for (let k = 0; k < n; k++) s += G[r * n + k] * e.weights[k * n + c];
        assert.ok(Math.abs(s) < 1e-3, `row ${r} col ${c}: ${s}`);
      }
    }
    const out = new Float64Array(ts.nItems);
    scoreUser(m, 4, out);
    for (let i = 0; i < ts.nItems; i++) assert.ok(Math.abs(out[i] - estimate(m, 4, i)) < 1e-9);
  });

  it('top-N gives the lists of scoring every item, with either kernels, also when they run into the uncovered items', () => {
    const { trainset: ts } = buildTrainset(syntheticDataset(3));
    const m = ease.fit(ts, ease.parseConfig({ max_items: 10 }), { rng: createRng(0), kernels: loadKernels() });
    const rank = itemIdRank(ts.itemIds);
    const users = Int32Array.from({ length: ts.nUsers }, (_, u) => u);
    const scores = new Float64Array(ts.nItems);
    for (const kernels of [loadKernels('wasm'), referenceKernels])
      for (const n of [1, 5, 25]) {
        const top = topNFor(m, users, exclusionsOf(ts), n, rank, kernels);
        let uncoveredListed = 0;
        for (const u of users) {
          scoreUser(m, u, scores);
          const skip = new Uint8Array(ts.nItems);
          for (let p = ts.userPtr[u]; p < ts.userPtr[u + 1]; p++) skip[ts.itemIdx[p]] = 1;
          const want = [...bestOf(scores, skip, n, rank)];
          assert.deepEqual([...top.items.subarray(u * n, u * n + want.length)], want, `${kernels.name}, user ${u}, n ${n}`);
          for (const [r, i] of want.entries()) assert.equal(top.scores[u * n + r], Math.fround(scores[i]));
          uncoveredListed += want.filter((i) => scores[i] === UNCOVERED_SCORE).length;
        }
        if (n === 25) assert.ok(uncoveredListed > 0);
      }
  });

  it('ranks items outside max_items last', () => {
    const { trainset: ts } = buildTrainset(syntheticDataset(3));
    const m = ease.fit(ts, ease.parseConfig({ max_items: 10 }), { rng: createRng(0), kernels: loadKernels() });
    const out = new Float64Array(ts.nItems);
    scoreUser(m, 0, out);
    assert.equal(out.filter((v) => v === UNCOVERED_SCORE).length, ts.nItems - 10);
  });
});
