import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeAlgorithm, syntheticDataset } from '../../../tests/support/algorithm-contract.js';
import { assertExhaustiveTopN } from '../../../tests/support/exhaustive-top-n.js';
import { loadKernels } from '../../kernels/index.js';
import { buildTrainset, type Dataset, type Trainset } from '../dataset.js';
import { IdMap } from '../ids.js';
import { clipScore, scoreUser, topNFor, type NeighbourExtension } from '../families/index.js';
import { bestOf } from '../fold-in.js';
import { exclusionsOf, itemIdRank } from '../top-n.js';
import { withDenseLimit } from '../families/similarity.js';
import { estimate, type FactorModel } from '../model.js';
import { createRng } from '../random.js';
import { knnBaseline, knnBasic, knnWithMeans, type KnnConfig } from './index.js';
import type { Algorithm } from './types.js';

const kernels = () => loadKernels();

describeAlgorithm(knnBasic, { rmse: [0.94, 0.955], quick: { k: 10 }, random: false, kernels });
describeAlgorithm(knnWithMeans, { rmse: [0.885, 0.905], quick: { k: 10 }, random: false, kernels });
// Surprise 1.1.4's KNNBaseline() on these folds: .8748 (shared/baselines/surprise.md); the goal is within 0.002.
describeAlgorithm(knnBaseline, { rmse: [0.8728, 0.8768], quick: { k: 10 }, random: false, kernels });
describeAlgorithm(knnBaseline, {
  variant: 'item-based, pearson_baseline, 200 neighbours kept',
  rmse: [0.845, 0.865],
  quick: { user_based: false, name: 'pearson_baseline', list_size: 20 },
  accuracyParams: { sim_options: { user_based: false, name: 'pearson_baseline' }, list_size: 200 },
  // Each of the five folds lands in the band on its own (.8605 .8584 .8508 .8593 .8510), and the
  // item-item similarities are the file's largest cost: two folds check the variant for 2/5 of it.
  accuracyFolds: 2,
  random: false,
  kernels,
});

/**
 * Surprise's algorithm written out directly (knns.py + similarities.pyx): a dense similarity matrix,
 * and for each pair the k most similar x′ among those that rated y. The models must agree with it.
 */
function surpriseStyle(
  ts: Trainset,
  m: FactorModel,
  c: KnnConfig,
  variant: 'basic' | 'means' | 'baseline',
): (u: number, i: number) => number {
  const nX = c.userBased ? ts.nUsers : ts.nItems;
  const r = new Map<string, number>();
  for (let u = 0; u < ts.nUsers; u++) for (let x = ts.userPtr[u]; x < ts.userPtr[u + 1]; x++) r.set(`${u},${ts.itemIdx[x]}`, ts.ratings[x]);
  const rating = (x: number, y: number) => (c.userBased ? r.get(`${x},${y}`) : r.get(`${y},${x}`));
  const nY = c.userBased ? ts.nItems : ts.nUsers;
  const bx = (x: number) => (c.userBased ? m.userBias[x] : m.itemBias[x]);
  const by = (y: number) => (c.userBased ? m.itemBias[y] : m.userBias[y]);
  const mean = (x: number) => {
    const rs = Array.from({ length: nY }, (_, y) => rating(x, y)).filter((v) => v !== undefined) as number[];
    return rs.reduce((a, b) => a + b, 0) / rs.length;
  };
  const sim = (a: number, b: number): number => {
    const common = Array.from({ length: nY }, (_, y) => y).filter((y) => rating(a, y) !== undefined && rating(b, y) !== undefined);
    const n = common.length;
    if (n < (c.name === 'pearson_baseline' ? Math.max(2, c.minSupport) : c.minSupport) || n === 0) return 0;
    const ra = common.map((y) => rating(a, y) as number);
    const rb = common.map((y) => rating(b, y) as number);
    const sum = (v: number[]) => v.reduce((p, q) => p + q, 0);
    if (c.name === 'msd') return 1 / (sum(ra.map((v, k) => (v - rb[k]) ** 2)) / n + 1);
    if (c.name === 'cosine') return sum(ra.map((v, k) => v * rb[k])) / Math.sqrt(sum(ra.map((v) => v * v)) * sum(rb.map((v) => v * v)));
    if (c.name === 'pearson') {
      const ma = sum(ra) / n;
      const mb = sum(rb) / n;
      const den = Math.sqrt(sum(ra.map((v) => (v - ma) ** 2)) * sum(rb.map((v) => (v - mb) ** 2)));
      return den === 0 ? 0 : sum(ra.map((v, k) => (v - ma) * (rb[k] - mb))) / den;
    }
    const da = common.map((y, k) => ra[k] - (ts.globalMean + by(y) + bx(a)));
    const db = common.map((y, k) => rb[k] - (ts.globalMean + by(y) + bx(b)));
    const den = Math.sqrt(sum(da.map((v) => v * v)) * sum(db.map((v) => v * v)));
    return den === 0 ? 0 : (sum(da.map((v, k) => v * db[k])) / den) * ((n - 1) / (n - 1 + c.shrinkage));
  };
  const sims = Array.from({ length: nX }, (_, a) => Array.from({ length: nX }, (_, b) => (a === b ? 1 : Math.fround(sim(a, b)))));
  return (u, i) => {
    const [x, y] = c.userBased ? [u, i] : [i, u];
    const nbrs = Array.from({ length: nX }, (_, x2) => x2)
      .filter((x2) => rating(x2, y) !== undefined && x2 !== x)
      .sort((a, b) => sims[x][b] - sims[x][a] || a - b)
      .slice(0, c.k);
    let num = 0;
    let den = 0;
    let k = 0;
    for (const x2 of nbrs) {
      const s = sims[x][x2];
      if (s <= 0) continue;
      const ref = variant === 'basic' ? 0 : variant === 'means' ? mean(x2) : ts.globalMean + bx(x2) + by(y);
      num += s * ((rating(x2, y) as number) - ref);
      den += s;
      k++;
    }
    const enough = k >= c.minK && den > 0;
    if (variant === 'basic') return enough ? num / den : ts.globalMean;
    const base = variant === 'means' ? mean(x) : ts.globalMean + bx(x) + by(y);
    return base + (enough ? num / den : 0);
  };
}

describe("KNN estimates equal Surprise's algorithm written out", () => {
  const { trainset } = buildTrainset(syntheticDataset(11));
  const cases: [Algorithm<KnnConfig>, 'basic' | 'means' | 'baseline', Record<string, unknown>][] = [
    [knnBasic, 'basic', { k: 5, sim_options: { name: 'cosine' } }],
    [knnBasic, 'basic', { k: 7, min_k: 3, sim_options: { name: 'msd', user_based: false, min_support: 3 } }],
    [knnWithMeans, 'means', { k: 6, sim_options: { name: 'pearson' } }],
    [knnWithMeans, 'means', { k: 4, sim_options: { name: 'pearson', user_based: false } }],
    [knnBaseline, 'baseline', { k: 5, sim_options: { name: 'pearson_baseline', shrinkage: 10 } }],
    // k near the items' rater counts: some items are scored with every rater, others pick their k best.
    [knnBaseline, 'baseline', { k: 16 }],
    [knnBaseline, 'baseline', { k: 8, sim_options: { name: 'pearson_baseline', user_based: false } }],
  ];
  // Both ways of holding the sums and looking up similarities: dense (few users or items) and by list.
  for (const [algo, variant, params] of cases)
    for (const dense of [true, false])
      it(`${algo.displayName} ${JSON.stringify(params)}, ${dense ? 'dense' : 'lists'}`, () =>
        withDenseLimit(dense ? 1 << 21 : 0, () => {
          const c = algo.parseConfig(params);
          const m = algo.fit(trainset, c, { rng: createRng(0), kernels: kernels() });
          const ref = surpriseStyle(trainset, m, c, variant);
          const scores = new Float64Array(trainset.nItems);
          for (let u = 0; u < trainset.nUsers; u += 3) {
            for (let i = 0; i < trainset.nItems; i++)
              assert.ok(Math.abs(estimate(m, u, i) - ref(u, i)) < 1e-4, `user ${u} item ${i}: ${estimate(m, u, i)} vs ${ref(u, i)}`);
          }
          // The top-N score kernel gives the same numbers as the estimate (dense user-based: the very same).
          const exact = dense && c.userBased;
          for (let u = exact ? 0 : 2; u < (exact ? trainset.nUsers : 3); u++) {
            scoreUser(m, u, scores);
            for (let i = 0; i < trainset.nItems; i++)
              if (exact) assert.equal(scores[i], estimate(m, u, i), `user ${u} item ${i}`);
              else assert.ok(Math.abs(scores[i] - estimate(m, u, i)) < 1e-9);
          }
        }));

  for (const dense of [true, false])
    it(`keeps at most list_size neighbours per user or item, best first, ties by lower id (${dense ? 'dense' : 'lists'})`, () =>
      withDenseLimit(dense ? 1 << 21 : 0, () => {
        for (const keep of [3, 0]) {
          const m = knnBaseline.fit(trainset, knnBaseline.parseConfig({ list_size: keep }), { rng: createRng(0), kernels: kernels() });
          const e = m.extension;
          assert.ok(e?.kind === 'knn');
          let ties = 0;
          for (let x = 0; x < trainset.nUsers; x++) {
            if (keep) assert.ok(e.nbrPtr[x + 1] - e.nbrPtr[x] <= keep);
            for (let p = e.nbrPtr[x] + 1; p < e.nbrPtr[x + 1]; p++) {
              assert.ok(
                e.nbrSim[p] < e.nbrSim[p - 1] || (e.nbrSim[p] === e.nbrSim[p - 1] && e.nbrIdx[p] > e.nbrIdx[p - 1]),
                `list of ${x} at ${p}`,
              );
              if (e.nbrSim[p] === e.nbrSim[p - 1]) ties++;
            }
          }
          // msd over whole-star ratings ties often: the tie order is exercised.
          if (!keep) assert.ok(ties > 0);
        }
      }));
});

describe('KNN top-N', () => {
  const { trainset } = buildTrainset(syntheticDataset(11));
  const rank = itemIdRank(trainset.itemIds);
  const scores = new Float64Array(trainset.nItems);
  // The lists that scoring every item and ranking give: what any faster top-N must return.
  const everyItem = (m: FactorModel, u: number, n: number): number[] => {
    const skip = new Uint8Array(trainset.nItems);
    scoreUser(m, u, scores);
    for (let p = trainset.userPtr[u]; p < trainset.userPtr[u + 1]; p++) skip[trainset.itemIdx[p]] = 1;
    return [...bestOf(scores, skip, n, rank)];
  };
  const cases: [Algorithm<KnnConfig>, Record<string, unknown>][] = [
    [knnBasic, { k: 5 }],
    // Two neighbours: many estimates are exact ties at the scale's top, where the scan stops by rank.
    [knnBasic, { k: 2 }],
    [knnWithMeans, { k: 6, min_k: 2, sim_options: { name: 'pearson' } }],
    [knnBaseline, { k: 16 }],
    [knnBaseline, { k: 5, sim_options: { name: 'pearson_baseline', shrinkage: 10 } }],
    // Item-based: k below the list size, so some items are found in more than k of a user's lists.
    [knnBasic, { k: 3, sim_options: { user_based: false } }],
    [knnWithMeans, { k: 4, min_k: 2, list_size: 12, sim_options: { name: 'pearson', user_based: false } }],
    [knnBaseline, { k: 5, list_size: 20, sim_options: { name: 'pearson_baseline', user_based: false } }],
    // Full lists: nearly every item is found in more than k lists, and only its bound spares it the walk.
    [knnBaseline, { k: 3, sim_options: { name: 'pearson_baseline', user_based: false } }],
  ];
  for (const [algo, params] of cases)
    it(`${algo.displayName} ${JSON.stringify(params)}: the lists found without scoring every item are those of scoring every item`, () =>
      withDenseLimit(1 << 21, () => {
        const m = algo.fit(trainset, algo.parseConfig(params), { rng: createRng(0), kernels: kernels() });
        const users = Int32Array.from({ length: trainset.nUsers }, (_, u) => u);
        for (const n of [1, 5, 40]) {
          const top = topNFor(m, users, exclusionsOf(trainset), n, rank, kernels());
          for (const u of users) {
            const want = everyItem(m, u, n);
            assert.deepEqual([...top.items.subarray(u * n, u * n + want.length)], want, `user ${u}, n ${n}`);
            for (const [r, i] of want.entries()) assert.equal(top.scores[u * n + r], Math.fround(clipScore(m, scores[i])));
          }
        }
      }));
});

/** Random ratings, 1–5 in half steps, on more items than the kernel's 128 list positions hold. */
function wideDataset(nUsers: number, nItems: number, density: number): Dataset {
  const rng = createRng(3);
  const userIds = new IdMap();
  const itemIds = new IdMap();
  const u: number[] = [];
  const i: number[] = [];
  const r: number[] = [];
  for (let a = 0; a < nUsers; a++)
    for (let b = 0; b < nItems; b++)
      if (rng.next() < density) {
        u.push(userIds.intern(`u${a}`));
        i.push(itemIds.intern(`i${b}`));
        r.push(1 + Math.floor(rng.next() * 9) / 2);
      }
  return {
    size: u.length,
    users: Int32Array.from(u),
    items: Int32Array.from(i),
    ratings: Float32Array.from(r),
    userIds,
    itemIds,
    scale: { min: 1, max: 5 },
  };
}

describe('item-based KNN through the WebAssembly kernel', () => {
  const { trainset } = buildTrainset(wideDataset(50, 170, 0.3));
  const wasm = loadKernels('wasm');
  const rank = itemIdRank(trainset.itemIds);
  const users = Int32Array.from({ length: trainset.nUsers }, (_, u) => u);
  const cases: [Algorithm<KnnConfig>, Record<string, unknown>][] = [
    // Every list longer than 128: crowded items walk their list.
    [knnBaseline, { k: 20, sim_options: { user_based: false } }],
    [knnBasic, { k: 15, sim_options: { user_based: false } }],
    // Lists of at most 128: crowded items sum the k first of their list positions' bits.
    [knnWithMeans, { k: 10, min_k: 3, list_size: 128, sim_options: { name: 'pearson', user_based: false } }],
    [knnBaseline, { k: 40, list_size: 100, sim_options: { name: 'pearson_baseline', user_based: false } }],
  ];
  for (const [algo, params] of cases)
    it(`${algo.displayName} ${JSON.stringify(params)}: every estimate and top-N list equals the TypeScript's, to the last bit`, () => {
      const m = algo.fit(trainset, algo.parseConfig(params), { rng: createRng(0), kernels: wasm });
      const { nbrPtr } = m.extension as NeighbourExtension;
      const longest = Math.max(...nbrPtr.subarray(1).map((p, x) => p - nbrPtr[x]));
      assert.equal(longest > 128, params.list_size === undefined, `longest list ${longest}`);
      const ours = new Float64Array(trainset.nItems);
      const reference = new Float64Array(trainset.nItems);
      let crowded = 0;
      for (const u of users) {
        scoreUser(m, u, ours, wasm);
        scoreUser(m, u, reference);
        assert.deepEqual(ours, reference, `user ${u}`);
        crowded += trainset.userPtr[u + 1] - trainset.userPtr[u] > (params.k as number) ? 1 : 0;
      }
      assert.ok(crowded > 0, 'some users rated more items than k');
      for (const n of [1, 7, 30]) assertExhaustiveTopN(m, trainset, topNFor(m, users, exclusionsOf(trainset), n, rank, wasm), n, rank);
    });
});
