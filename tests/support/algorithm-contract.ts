import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  buildTrainset,
  createRng,
  crossValidate,
  estimate,
  IdMap,
  Predictor,
  type Algorithm,
  type Dataset,
  type Kernels,
  type Split,
} from '../../src/core/index.js';
import { readFoldsDir } from '../../src/datasets/index.js';
import { mlSmallFolds, sharedDataSkip } from './shared-data.js';

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
}

/** A small random dataset: 40 users × 30 items, ratings 1–5 from a planted low-rank structure. */
export function syntheticDataset(seed = 7): Dataset {
  const rng = createRng(seed);
  const userIds = new IdMap();
  const itemIds = new IdMap();
  const u: number[] = [];
  const i: number[] = [];
  const r: number[] = [];
  const uf = Array.from({ length: 40 }, () => rng.normal());
  const itf = Array.from({ length: 30 }, () => rng.normal());
  for (let a = 0; a < 40; a++) {
    for (let b = 0; b < 30; b++) {
      if (rng.next() < 0.4) {
        u.push(userIds.intern(String(a + 1)));
        i.push(itemIds.intern(String(100 + b)));
        r.push(Math.min(5, Math.max(1, Math.round(3 + uf[a] * itf[b] + 0.3 * rng.normal()))));
      }
    }
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
      assert.throws(() => algo.parseConfig({ n_epochs: 'many' }), /n_epochs .* must be a number/);
    });

    it('is reproducible from its seed', () => {
      const a = fit(1);
      const b = fit(1);
      assert.deepEqual(a.userFactors, b.userFactors);
      assert.deepEqual(a.itemBias, b.itemBias);
      if (expect.random) assert.notDeepEqual(fit(2).itemFactors, a.itemFactors);
    });

    it('returns a consistent model that fits the training data better than the mean', () => {
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

    it('clips to the rating scale and falls back for unknown users and items (Surprise semantics)', () => {
      const m = fit(4);
      const p = new Predictor(m);
      const known = p.explain('1', ds.itemIds.raw(ds.items[0]));
      assert.ok(known.knownUser && known.estimate >= 1 && known.estimate <= 5);
      const i = p.items.lookup('100');
      if (m.biased) {
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

    describe('accuracy on the fixed ml-latest-small folds', { skip: sharedDataSkip }, () => {
      let splits: Split[];
      before(async () => {
        splits = await readFoldsDir(mlSmallFolds(), { min: 0.5, max: 5 });
      });
      it(`mean 5-fold RMSE within ${expect.rmse[0]}–${expect.rmse[1]} with ${expect.accuracyParams ? JSON.stringify(expect.accuracyParams) : 'defaults'}`, () => {
        const cv = crossValidate(algo, algo.parseConfig(expect.accuracyParams ?? {}), splits, {
          seed: 0,
          kernels: expect.kernels(),
          clock: () => performance.now(),
        });
        assert.ok(cv.mean.rmse >= expect.rmse[0] && cv.mean.rmse <= expect.rmse[1], `mean RMSE ${cv.mean.rmse.toFixed(4)}`);
      });
    });
  });
}
