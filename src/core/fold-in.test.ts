import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tinyModel } from '../../tests/support/tiny-model-fixture.js';
import { hasSharedData, mlSmall, sharedDataSkip } from '../../tests/support/shared-data.js';
import { holdOutUsers } from '../../tests/support/held-out-users.js';
import { bestOf, estimateFolded, foldInUser, topNFolded } from './fold-in.js';
import { clip, estimate } from './model.js';
import { createRng, shuffleInPlace } from './random.js';
import { svd } from './algorithms/index.js';
import { itemIdRank } from './top-n.js';

const model = tinyModel(7);

describe('fold-in', () => {
  it('solves the regularised least-squares normal equations for b_u and p_u', () => {
    const items = [0, 3, 5, 8, 13];
    const ratings = [5, 1, 4, 2.5, 3];
    const reg = 0.7;
    const regBias = 0.3;
    const f = foldInUser(model, items, ratings, { reg, regBias });
    assert.ok(f);
    const k = model.nFactors;
    // Gradient of Σ(r − r̂)² + λ_b b² + λ‖p‖² vanishes at the solution.
    let gb = regBias * f.bias;
    const gp = Array.from(f.factors, (p) => reg * p);
    items.forEach((i, x) => {
      const e = ratings[x] - estimateFolded(model, f, i);
      gb -= e;
      for (let q = 0; q < k; q++) gp[q] -= e * model.itemFactors[i * k + q];
    });
    assert.ok(Math.abs(gb) < 1e-9, `∂/∂b = ${gb}`);
    for (const g of gp) assert.ok(Math.abs(g) < 1e-9, `∂/∂p = ${g}`);
    assert.deepEqual([...f.rated], items);
  });

  it('reduces to the ALS user-bias step on a baseline model and skips unknown items', () => {
    const base = { ...model, nFactors: 0, userFactors: new Float32Array(0), itemFactors: new Float32Array(0) };
    const f = foldInUser(base, [2, -1, 4], [4, 1, 2], { regBias: 3 });
    const want = (4 - model.globalMean - model.itemBias[2] + (2 - model.globalMean - model.itemBias[4])) / (3 + 2);
    assert.ok(f && Math.abs(f.bias - want) < 1e-12);
    assert.equal(foldInUser(model, [-1], [4]), null, 'no known item: nothing to fold in');
    assert.throws(() => foldInUser(model, [1], [4], { reg: 0 }), /positive number/);
  });

  it("ranks her unrated items by estimate, ties by item rank, as core's top-N", () => {
    const f = foldInUser(model, [1, 2, 3], [5, 5, 1]);
    assert.ok(f);
    const rank = itemIdRank(model.itemIds);
    const got = [...topNFolded(model, f, 50, rank)];
    const want = model.itemIds
      .map((_, i) => i)
      .filter((i) => ![1, 2, 3].includes(i))
      .sort((a, b) => estimateFolded(model, f, b) - estimateFolded(model, f, a) || rank[a] - rank[b]);
    assert.deepEqual(got, want);
    assert.deepEqual([...bestOf([3, 1, 3, 2], null, 3, Int32Array.of(3, 2, 1, 0))], [2, 0, 3], 'ties by rank');
  });

  it('predicts held-out users better than the fallback on ml-latest-small', { skip: sharedDataSkip, timeout: 300_000 }, async (t) => {
    if (!hasSharedData) return;
    const { readRatingsFile } = await import('../datasets/index.js');
    const { loadKernels } = await import('../kernels/index.js');
    const { dataset: ds } = await readRatingsFile(mlSmall('ratings.csv'));
    // 61 users (10%) held out entirely; the model never sees them.
    const { built, heldRows: byUser } = holdOutUsers(ds, 61);
    const m = svd.fit(built.trainset, svd.defaults, { rng: createRng(0), kernels: loadKernels('auto') });
    const inner = (r: number) => (ds.items[r] < built.itemLookup.length ? built.itemLookup[ds.items[r]] : -1);
    for (const given of [5, 10, 20]) {
      let seFold = 0;
      let seFallback = 0;
      let n = 0;
      for (const [u, rows] of byUser) {
        // Her first `given` ratings (in a seeded random order) fold her in; the rest are predicted.
        const order = shuffleInPlace(Int32Array.from(rows), createRng(u));
        const shown = order.subarray(0, given);
        const f = foldInUser(
          m,
          Array.from(shown, inner),
          Array.from(shown, (r) => ds.ratings[r]),
        );
        for (const r of order.subarray(given)) {
          const fallback = clip(estimate(m, -1, inner(r)), m.scale);
          const folded = f ? clip(estimateFolded(m, f, inner(r)), m.scale) : fallback;
          seFold += (folded - ds.ratings[r]) ** 2;
          seFallback += (fallback - ds.ratings[r]) ** 2;
          n++;
        }
      }
      const rmseFold = Math.sqrt(seFold / n);
      const rmseFallback = Math.sqrt(seFallback / n);
      t.diagnostic(
        `${given} ratings given: fold-in RMSE ${rmseFold.toFixed(4)} vs fallback (μ + b_i) ${rmseFallback.toFixed(4)} over ${n} held-out ratings`,
      );
      assert.ok(rmseFold < rmseFallback - 0.05, `${given} given: fold-in ${rmseFold} not better than fallback ${rmseFallback}`);
    }
  });
});
