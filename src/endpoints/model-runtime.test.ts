import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  Predictor,
  clip,
  compareIds,
  estimate,
  estimateFolded,
  foldInUser,
  recommendAll,
  referenceKernels,
  itemIdRank,
} from '../core/index.js';
import { describeTrainingData, readArtifact, writeArtifact } from '../artifacts/index.js';
import { TINY_CONFIG, tinyTrainset } from '../../tests/support/tiny-model-fixture.js';
import { endpointFixture } from '../../tests/support/endpoint-test-fixture.js';
import { ModelRuntime } from './model-runtime.js';

const fx = await endpointFixture();
const loaded = await readArtifact(fx.v1.uri);
// The same model written as an artifact that does not record rated items (no trainset given).
const bare = await readArtifact(
  (
    await writeArtifact(join(fx.root, 'model-bare'), loaded.model, {
      hyperparameters: TINY_CONFIG,
      trainingData: describeTrainingData('bare', tinyTrainset(7)),
      createdAt: loaded.manifest.createdAt,
    })
  ).uri,
);
fx.cleanup();
const { model } = loaded;
const predictor = new Predictor(model);
// v1 was fit on tinyTrainset(7); rebuilt here, independently of the artifact's rated files.
const trainset = tinyTrainset(7);
const ratedBy = (user: string): Set<string> => {
  const u = trainset.userIds.indexOf(user);
  const items = trainset.itemIdx.subarray(trainset.userPtr[u], trainset.userPtr[u + 1]);
  return new Set([...items].map((i) => trainset.itemIds[i]));
};

describe('ModelRuntime', () => {
  it('scores numbers, strings and mixed ids as Predictor does, into a reused array', () => {
    const rt = new ModelRuntime(loaded);
    const users = model.userIds.flatMap((u) => model.itemIds.map(() => (/^\d+$/.test(u) ? Number(u) : u)));
    const items = model.userIds.flatMap(() => model.itemIds.map((i) => (/^\d+$/.test(i) ? `${i}.0` : i)));
    const out = new Float64Array(users.length + 5).fill(-1);
    rt.scoreInto(users, items, out);
    assert.deepEqual(
      [...out.subarray(0, users.length)],
      users.map((u, k) => predictor.predict(u, items[k])),
    );
    assert.deepEqual([...out.subarray(users.length)], [-1, -1, -1, -1, -1], 'rows past n are left alone');
    assert.throws(() => rt.scoreInto([1, 2], [3, 4], new Float64Array(1)), /holds 1 values, fewer than the 2 rows/);
  });

  for (const kernels of ['typescript', 'wasm'] as const) {
    it(`recommends core's recommendAll list, never an item the user rated (${kernels} kernels)`, () => {
      assert.ok(loaded.rated, 'the fixture artifact records rated items');
      const rt = new ModelRuntime(loaded, kernels);
      const want = recommendAll(model, trainset, 10, referenceKernels);
      for (const [u, user] of model.userIds.entries()) {
        const got = rt.recommend(user, 10);
        // Same list; scores are Predictor's float64 estimates, where the kernels rank in float32.
        assert.deepEqual(got?.items, want[u].items, user);
        const rated = ratedBy(user);
        assert.ok(rated.size > 0, `${user} rated something`);
        assert.deepEqual(
          got?.items.filter((i) => rated.has(i)),
          [],
          `${user} gets no item they rated`,
        );
        assert.deepEqual(
          got?.scores,
          got?.items.map((i) => predictor.predict(user, i)),
        );
        const all = rt.recommend(user, model.itemIds.length + 5);
        assert.deepEqual(new Set(all?.items), new Set(model.itemIds.filter((i) => !rated.has(i))), `${user}: every unrated item, once`);
      }
    });

    it(`recommendMany gives each user of a batch recommend's own list, unknown users popularity, NULL null (${kernels} kernels)`, () => {
      const rt = new ModelRuntime(loaded, kernels);
      const batch: unknown[] = [...model.userIds, 'nobody', null, ...model.userIds.slice(0, 2).reverse()];
      const got = rt.recommendMany(batch, 4);
      assert.equal(got.length, batch.length);
      batch.forEach((user, r) => assert.deepEqual(got[r], rt.recommend(user, 4), `row ${r}: ${String(user)}`));
      assert.equal(got[model.userIds.length]?.source, 'popularity');
      assert.equal(got[model.userIds.length + 1], null);
      assert.throws(() => rt.recommendMany(['1', Number.NaN], 3), /user id at row 2/);
    });

    it(`answers known users from an artifact's stored top-n lists: the lists it would rank, for any k up to n (${kernels} kernels)`, () => {
      const lists = recommendAll(model, trainset, 6, referenceKernels);
      const items = new Int32Array(model.userIds.length * 6).fill(-1);
      lists.forEach((l, u) => l.items.forEach((id, r) => (items[u * 6 + r] = model.itemIds.indexOf(id))));
      const ranked = new ModelRuntime(loaded, kernels);
      const stored = new ModelRuntime({ ...loaded, topN: { n: 6, items } }, kernels);
      for (const k of [1, 6, 9]) assert.deepEqual(stored.recommendMany(model.userIds, k), ranked.recommendMany(model.userIds, k), `k ${k}`);
      // Proof the stored lists are what answers (k ≤ n): a list changed in storage comes back changed.
      const changed = new ModelRuntime({ ...loaded, topN: { n: 6, items: items.map((i, x) => (x === 0 ? items[1] : i)) } }, kernels);
      assert.equal(changed.recommend(model.userIds[0], 2)?.items[0], lists[0].items[1]);
    });

    it(`excludes nothing for an artifact that does not record rated items (${kernels} kernels)`, () => {
      assert.equal(bare.rated, null);
      const rt = new ModelRuntime(bare, kernels);
      const none = { userPtr: new Int32Array(model.userIds.length + 1), itemIdx: new Int32Array(0) };
      const rank = itemIdRank(model.itemIds);
      for (const [u, user] of model.userIds.entries()) {
        const want = referenceKernels.topN(model, Int32Array.of(u), none, 7, rank);
        const got = rt.recommend(user, 7);
        assert.deepEqual(
          got?.items,
          [...want.items].map((i) => model.itemIds[i]),
          user,
        );
        assert.deepEqual(
          got?.scores,
          got?.items.map((i) => predictor.predict(user, i)),
        );
      }
      const withRated = model.userIds.filter((user) => rt.recommend(user, 10)?.items.some((i) => ratedBy(user).has(i)));
      assert.ok(withRated.length > 0, 'without exclusions some top-10 holds a rated item');
    });
  }

  it('ranks all items for an unknown user by popularity (training rating count), then μ + b_i, then item id', () => {
    const rt = new ModelRuntime(loaded, 'typescript');
    const rec = rt.recommend('nobody', model.itemIds.length + 3);
    const count = (id: string) => trainset.itemIdx.filter((i) => trainset.itemIds[i] === id).length;
    const est = (id: string) => estimate(model, -1, model.itemIds.indexOf(id));
    const want = [...model.itemIds].sort((a, b) => count(b) - count(a) || est(b) - est(a) || compareIds(a, b));
    assert.equal(rec?.source, 'popularity');
    assert.deepEqual(rec?.items, want);
    assert.deepEqual(
      rec?.scores,
      want.map((i) => clip(est(i), model.scale)),
    );
    assert.deepEqual(rt.recommend(99999, 2)?.items, want.slice(0, 2));
    const bareOrder = new ModelRuntime(bare, 'typescript').recommend('nobody', model.itemIds.length)?.items;
    assert.deepEqual(
      bareOrder,
      [...model.itemIds].sort((a, b) => est(b) - est(a) || compareIds(a, b)),
      'no rated items recorded: by μ + b_i',
    );
    const unknownOnly = rt.recommend('nobody', 3, { items: ['not-an-item'], ratings: [5] });
    assert.deepEqual(unknownOnly, { ...rec, items: want.slice(0, 3), scores: rec?.scores.slice(0, 3) }, 'no known item: no fold-in');
  });

  it("folds a new user in from her ratings: her own top-N, never an item she rated, reported as 'fold-in'", () => {
    const rt = new ModelRuntime(loaded, 'wasm');
    // She rates like user "3" on a few of their items.
    const like = ratedBy('3');
    const items = [...like].slice(0, 6);
    const ratings = items.map((i) => predictor.predict('3', i));
    const rec = rt.recommend('zoe', model.itemIds.length, { items, ratings });
    assert.equal(rec?.source, 'fold-in');
    const folded = foldInUser(
      model,
      items.map((i) => model.itemIds.indexOf(i)),
      ratings,
    );
    assert.ok(folded);
    const rank = itemIdRank(model.itemIds);
    const want = model.itemIds
      .map((_, i) => i)
      .filter((i) => !items.includes(model.itemIds[i]))
      .sort((a, b) => estimateFolded(model, folded, b) - estimateFolded(model, folded, a) || rank[a] - rank[b]);
    assert.deepEqual(
      rec?.items,
      want.map((i) => model.itemIds[i]),
    );
    assert.deepEqual(
      rec?.scores,
      want.map((i) => clip(estimateFolded(model, folded, i), model.scale)),
    );
    assert.equal(rt.recommend('3', 5, { items, ratings })?.source, 'model', 'a trained user is answered by the model');
    assert.throws(() => rt.recommend('zoe', 5, { items: [Number.NaN], ratings: [3] }), /rated item id at entry 1 is NaN/);
  });

  it('scores pairs of new users from their ratings, once per user, naming each row’s source', () => {
    const rt = new ModelRuntime(loaded, 'typescript');
    const mine = { items: ['100', '101', '102'], ratings: [5, 4, 1] };
    const out = new Float64Array(5);
    const asked: number[] = [];
    const sources = rt.scoreWithFoldIn(['zoe', 'zoe', '3', 'nobody', null], ['103', '104', '103', '103', '103'], out, (r) => {
      asked.push(r);
      return r < 2 ? mine : null;
    });
    assert.deepEqual(sources, ['fold-in', 'fold-in', 'model', 'fallback', null]);
    assert.deepEqual(asked, [0, 2, 3, 4], 'one fold-in per distinct user');
    const folded = rt.foldIn(mine);
    assert.ok(folded);
    assert.equal(out[0], clip(estimateFolded(model, folded, model.itemIds.indexOf('103')), model.scale));
    assert.equal(out[2], predictor.predict('3', '103'));
    assert.equal(out[3], predictor.predict('nobody', '103'));
    assert.ok(Number.isNaN(out[4]));
  });
});
