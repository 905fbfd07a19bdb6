import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readArtifact, writeArtifact } from '../../src/artifacts/index.js';
import {
  buildTestset,
  buildTrainset,
  createRng,
  crossValidate,
  estimate,
  evaluateFold,
  evaluateRanking,
  exclusionsOf,
  familyName,
  IdMap,
  itemIdRank,
  lastNHoldout,
  Predictor,
  topNFor,
  type Algorithm,
  type Dataset,
  type FactorModel,
  type Kernels,
  type Split,
  type Trainset,
} from '../../src/core/index.js';
import { mlSmallSplits, mlSmallSplitsWithTimestamps } from './ml-small-folds.js';
import { sharedDataSkip } from './shared-data.js';

export interface ContractExpectations {
  /** Mean 5-fold RMSE on the fixed ml-latest-small folds must land in this range. */
  readonly rmse: readonly [number, number];
  /** A cheap config for the fast checks (few factors/epochs). */
  readonly quick: Record<string, unknown>;
  /** Whether the fit draws random numbers (seed must then matter). */
  readonly random: boolean;
  readonly kernels: () => Kernels;
  /** Parameters on top of the defaults for the accuracy check (e.g. a non-default method). */
  readonly accuracyParams?: Record<string, unknown>;
  /** Suite name suffix when one algorithm is checked under several configurations. */
  readonly variant?: string;
  /**
   * A ranking model (EASE): its estimates are relevance scores, not ratings, so the rating checks
   * are replaced by ranking ones, and `rmse` is not checked.
   */
  readonly rankingOnly?: boolean;
  /** How many of the fixed folds the RMSE check uses (default all 5): a blend refits its components many times. */
  readonly accuracyFolds?: number;
  /** On fold 1 of the fixed folds, NDCG@10 must be at least this multiple of the popularity baseline's. */
  readonly ndcgOverPopularity?: number;
}

/** Every (user, item) estimate of a model over a trainset's ids, plus the unknown-id fallbacks. */
function allEstimates(m: FactorModel, ts: Trainset): Float64Array {
  const out: number[] = [];
  for (let u = -1; u < ts.nUsers; u++) for (let i = -1; i < ts.nItems; i++) out.push(estimate(m, u, i));
  return Float64Array.from(out);
}

/**
 * A small random dataset: 40 users × 30 items, ratings 1–5 from a planted low-rank structure, plus
 * `itemQuality` × a per-item quality (so that item biases carry signal too). Each rating has a
 * timestamp (a random second within a year, from a generator of its own so the ratings are the same
 * with or without them): time-aware models train on them, and the last-N holdout picks by them.
 */
export function syntheticDataset(seed = 7, itemQuality = 0): Dataset {
  const rng = createRng(seed);
  const userIds = new IdMap();
  const itemIds = new IdMap();
  const u: number[] = [];
  const i: number[] = [];
  const r: number[] = [];
  const uf = Array.from({ length: 40 }, () => rng.normal());
  const itf = Array.from({ length: 30 }, () => rng.normal());
  const quality = Array.from({ length: 30 }, () => (itemQuality === 0 ? 0 : itemQuality * rng.normal()));
  for (let a = 0; a < 40; a++) {
    for (let b = 0; b < 30; b++) {
      if (rng.next() < 0.4) {
        u.push(userIds.intern(String(a + 1)));
        i.push(itemIds.intern(String(100 + b)));
        r.push(Math.min(5, Math.max(1, Math.round(3 + quality[b] + uf[a] * itf[b] + 0.3 * rng.normal()))));
      }
    }
  }
  const clock = createRng(seed + 1_000_003);
  return {
    size: u.length,
    users: Int32Array.from(u),
    items: Int32Array.from(i),
    ratings: Float32Array.from(r),
    timestamps: Float64Array.from(r, () => 1_500_000_000 + Math.floor(clock.next() * 365 * 86_400)),
    userIds,
    itemIds,
    scale: { min: 1, max: 5 },
  };
}

/** The shared contract every algorithm must pass; one call per algorithm gives it full coverage. */
export function describeAlgorithm<C extends object>(algo: Algorithm<C>, expect: ContractExpectations): void {
  describe(`algorithm contract: ${algo.id}${expect.variant ? ` (${expect.variant})` : ''}`, () => {
    const ds = syntheticDataset();
    const { trainset } = buildTrainset(ds);
    const config = algo.parseConfig(expect.quick);
    const fit = (seed: number) => algo.fit(trainset, config, { rng: createRng(seed), kernels: expect.kernels() });

    it('parses its defaults and round-trips its config through JSON', () => {
      const c = algo.parseConfig({});
      assert.deepEqual(c, algo.defaults);
      assert.deepEqual(algo.parseConfig(JSON.parse(JSON.stringify(c)) as Record<string, unknown>), c);
    });

    it('rejects unknown and ill-typed parameters by name', () => {
      assert.throws(() => algo.parseConfig({ no_such_param: 1 }), new RegExp(`unknown parameter 'no_such_param' for algorithm ${algo.id}`));
      // Any numeric parameter of the algorithm's defaults, by its snake_case name.
      const numeric = Object.keys(algo.defaults).find((k) => typeof (algo.defaults as Record<string, unknown>)[k] === 'number');
      if (numeric) {
        const snake = numeric.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
        assert.throws(() => algo.parseConfig({ [snake]: 'many' }), new RegExp(`${snake} .* must be a`));
      }
    });

    it('is reproducible from its seed', () => {
      const a = fit(1);
      const b = fit(1);
      assert.deepEqual(allEstimates(a, trainset), allEstimates(b, trainset));
      if (expect.random) assert.notDeepEqual(allEstimates(fit(2), trainset), allEstimates(a, trainset));
    });

    it('returns a consistent model that fits the training data better than the mean', {
      skip: expect.rankingOnly && 'a ranking model',
    }, () => {
      const m = fit(3);
      assert.equal(m.userIds.length, trainset.nUsers);
      assert.equal(m.userFactors.length, trainset.nUsers * m.nFactors);
      assert.equal(m.itemFactors.length, trainset.nItems * m.nFactors);
      let sseModel = 0;
      let sseMean = 0;
      for (let u = 0; u < trainset.nUsers; u++) {
        for (let x = trainset.userPtr[u]; x < trainset.userPtr[u + 1]; x++) {
          sseModel += (trainset.ratings[x] - estimate(m, u, trainset.itemIdx[x])) ** 2;
          sseMean += (trainset.ratings[x] - trainset.globalMean) ** 2;
        }
      }
      assert.ok(sseModel < sseMean, `model SSE ${sseModel} not below mean SSE ${sseMean}`);
    });

    it('clips to the rating scale and falls back for unknown users and items (Surprise semantics)', {
      skip: expect.rankingOnly && 'a ranking model',
    }, () => {
      const m = fit(4);
      const p = new Predictor(m);
      const known = p.explain('1', ds.itemIds.raw(ds.items[0]));
      assert.ok(known.knownUser && known.estimate >= 1 && known.estimate <= 5);
      const i = p.items.lookup('100');
      if (familyName(m) === 'blend') {
        // A blend answers with its components' fallbacks (blend.test.ts checks the sum).
        assert.ok(p.predict('nobody', '100') >= 1 && p.predict('nobody', '100') <= 5);
      } else if (m.biased) {
        assert.equal(p.predict('nobody', '100'), Math.min(5, Math.max(1, m.globalMean + m.itemBias[i])));
        assert.equal(p.predict('nobody', 'nothing'), Math.min(5, Math.max(1, m.globalMean)));
      } else {
        assert.equal(p.predict('nobody', '100'), Math.min(5, Math.max(1, m.globalMean)));
      }
      assert.equal(p.predict(1, 100), p.predict('1.0', '100'));
    });

    it('reports one training RMSE per epoch', () => {
      const curve: number[] = [];
      algo.fit(trainset, config, { rng: createRng(5), kernels: expect.kernels(), onEpoch: (_, r) => curve.push(r) });
      assert.equal(curve.length, algo.epochs(config));
      assert.ok(curve.every((r) => Number.isFinite(r) && r >= 0));
      if (curve.length > 1) assert.ok(curve[curve.length - 1] < curve[0], 'training error does not fall');
    });

    describe('artifact and ranking', () => {
      const dir = mkdtempSync(join(tmpdir(), `recpipe-contract-${algo.id}-`));
      after(() => rmSync(dir, { recursive: true, force: true }));

      it('round-trips through an artifact: same estimates, fallbacks and top-N lists', async () => {
        const m = fit(6);
        const at = join(dir, 'model');
        const manifest = await writeArtifact(at, m, {
          hyperparameters: config,
          trainingData: { source: 'synthetic', trainset },
          createdAt: '2026-01-01T00:00:00Z',
        });
        assert.equal(manifest.family, familyName(m));
        const loaded = await readArtifact(at);
        assert.deepEqual(allEstimates(loaded.model, trainset), allEstimates(m, trainset));
        const users = Int32Array.from({ length: trainset.nUsers }, (_, u) => u);
        const rank = itemIdRank(m.itemIds);
        const before = topNFor(m, users, exclusionsOf(trainset), 5, rank, expect.kernels());
        const back = topNFor(loaded.model, users, loaded.rated ?? exclusionsOf(trainset), 5, rank, expect.kernels());
        assert.deepEqual(back.items, before.items);
        assert.deepEqual(back.scores, before.scores);
      });

      it('never recommends a rated item, and fills every list', () => {
        const m = fit(7);
        const users = Int32Array.from({ length: trainset.nUsers }, (_, u) => u);
        const n = 8;
        const { items } = topNFor(m, users, exclusionsOf(trainset), n, itemIdRank(m.itemIds), expect.kernels());
        for (let u = 0; u < trainset.nUsers; u++) {
          const rated = new Set(trainset.itemIdx.subarray(trainset.userPtr[u], trainset.userPtr[u + 1]));
          const list = [...items.subarray(u * n, (u + 1) * n)];
          const want = Math.min(n, trainset.nItems - rated.size);
          assert.equal(list.filter((i) => i >= 0).length, want, `user ${u}'s list is short`);
          for (const i of list) assert.ok(i < 0 || !rated.has(i), `user ${u} was recommended item ${i}, which she rated`);
          assert.equal(new Set(list.filter((i) => i >= 0)).size, want, `user ${u}'s list repeats an item`);
        }
      });

      // The synthetic ratings are observed at random, so co-occurrence (all a ranking model sees) carries no signal here.
      it('ranks held-out liked items above random', {
        skip: expect.rankingOnly && 'a ranking model: see the NDCG check on real data',
      }, () => {
        // Item quality gives the liked items signal a quick config learns (biases); the timestamps pick each user's held-out items at random.
        const { train, test, byTime } = lastNHoldout(syntheticDataset(7, 1), 3);
        assert.ok(byTime);
        const built = buildTrainset(train);
        const m = algo.fit(built.trainset, config, { rng: createRng(8), kernels: expect.kernels() });
        const report = evaluateRanking(m, built.trainset, buildTestset(test, built), {
          k: 5,
          kernels: expect.kernels(),
          rng: createRng(9),
        });
        assert.ok(report.users > 10);
        assert.ok(
          report.model.ndcg > report.random.ndcg,
          `NDCG@5 ${report.model.ndcg.toFixed(3)} not above random's ${report.random.ndcg.toFixed(3)}`,
        );
      });
    });

    describe('accuracy on the fixed ml-latest-small folds', { skip: sharedDataSkip }, () => {
      let splits: Split[];
      before(async () => {
        splits = await (algo.usesTimestamps?.(algo.defaults) ? mlSmallSplitsWithTimestamps() : mlSmallSplits());
      });
      if (expect.ndcgOverPopularity !== undefined) {
        const factor = expect.ndcgOverPopularity;
        it(`NDCG@10 on fold 1 at least ${factor}× the popularity baseline's`, () => {
          const r = evaluateFold(algo, algo.parseConfig(expect.accuracyParams ?? {}), splits[0], 1, {
            seed: 0,
            kernels: expect.kernels(),
            clock: () => performance.now(),
          }).ranking;
          assert.ok(r, 'no ranking report');
          assert.ok(
            r.model.ndcg >= factor * r.popularity.ndcg,
            `NDCG@10 ${r.model.ndcg.toFixed(4)} vs popularity ${r.popularity.ndcg.toFixed(4)}`,
          );
        });
      }
      const nFolds = expect.accuracyFolds ?? 5;
      it(`mean ${nFolds}-fold RMSE within ${expect.rmse[0]}–${expect.rmse[1]} with ${expect.accuracyParams ? JSON.stringify(expect.accuracyParams) : 'defaults'}`, {
        skip: expect.rankingOnly && 'a ranking model',
      }, () => {
        // Only the RMSE is checked: ranking each fold's users (over half the cost for KNN) is left to the NDCG check.
        const cv = crossValidate(algo, algo.parseConfig(expect.accuracyParams ?? {}), splits.slice(0, nFolds), {
          seed: 0,
          kernels: expect.kernels(),
          clock: () => performance.now(),
          ranking: false,
        });
        assert.ok(cv.mean.rmse >= expect.rmse[0] && cv.mean.rmse <= expect.rmse[1], `mean RMSE ${cv.mean.rmse.toFixed(4)}`);
      });
    });
  });
}
