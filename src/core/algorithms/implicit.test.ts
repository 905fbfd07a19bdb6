import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeAlgorithm, syntheticDataset } from '../../../tests/support/algorithm-contract.js';
import { loadKernels } from '../../kernels/index.js';
import { buildTrainset } from '../dataset.js';
import { predictsRatings } from '../families/index.js';
import { estimate } from '../model.js';
import { createRng } from '../random.js';
import { exclusionsOf, itemIdRank } from '../top-n.js';
import { topNFor } from '../families/index.js';
import { bpr } from './bpr.js';
import { wrmf } from './wrmf.js';
import type { Algorithm } from './types.js';

// Ranking models: NDCG@10 on fold 1 well above popularity's (WRMF ~1.6×, BPR ~1.15× here).
describeAlgorithm(wrmf, {
  rmse: [0, 0],
  quick: { n_factors: 4, n_epochs: 4 },
  random: true,
  rankingOnly: true,
  ndcgOverPopularity: 1.4,
  kernels: () => loadKernels(),
});
describeAlgorithm(bpr, {
  rmse: [0, 0],
  quick: { n_factors: 4, n_epochs: 8 },
  random: true,
  rankingOnly: true,
  ndcgOverPopularity: 1.05,
  kernels: () => loadKernels(),
});

describe('implicit-feedback models', () => {
  const { trainset: ts } = buildTrainset(syntheticDataset(4));
  for (const algo of [wrmf, bpr] as Algorithm[]) {
    it(`${algo.id}: scores are relevance, served unclipped by every top-N path`, () => {
      const m = algo.fit(ts, algo.parseConfig({ n_factors: 3, n_epochs: 3 }), { rng: createRng(3), kernels: loadKernels() });
      assert.equal(predictsRatings(m), false);
      const users = Int32Array.from({ length: ts.nUsers }, (_, u) => u);
      const { items, scores } = topNFor(m, users, exclusionsOf(ts), 4, itemIdRank(m.itemIds), loadKernels());
      for (let x = 0; x < items.length; x++) {
        if (items[x] < 0) continue;
        assert.ok(Math.abs(scores[x] - estimate(m, users[Math.floor(x / 4)], items[x])) < 1e-5);
      }
      // Relevance scores lie far below the 1–5 scale: clipping would have made them all 1.
      assert.ok(scores.some((s) => s < 1));
    });
  }

  it('WRMF: each ALS half-step lowers the weighted objective', () => {
    const curve: number[] = [];
    wrmf.fit(ts, wrmf.parseConfig({ n_factors: 4, n_epochs: 6 }), {
      rng: createRng(1),
      kernels: loadKernels(),
      onEpoch: (_, v) => curve.push(v),
    });
    for (let e = 1; e < curve.length; e++) assert.ok(curve[e] <= curve[e - 1] + 1e-9, `epoch ${e + 1}: ${curve[e]} > ${curve[e - 1]}`);
  });
});
