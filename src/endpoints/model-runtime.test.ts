import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Predictor, clip, compareIds, estimate, referenceKernels, itemIdRank } from '../core/index.js';
import { readArtifact } from '../artifacts/index.js';
import { endpointFixture } from './endpoint-test-fixture.js';
import { ModelRuntime } from './model-runtime.js';

const fx = await endpointFixture();
const { model, manifest } = await readArtifact(fx.v1.uri);
fx.cleanup();
const predictor = new Predictor(model);

describe('ModelRuntime', () => {
  it('scores numbers, strings and mixed ids as Predictor does, into a reused array', () => {
    const rt = new ModelRuntime(model, manifest);
    const users = model.userIds.flatMap((u) => model.itemIds.map(() => (/^\d+$/.test(u) ? Number(u) : u)));
    const items = model.userIds.flatMap(() => model.itemIds.map((i) => (/^\d+$/.test(i) ? `${i}.0` : i)));
    const out = new Float64Array(users.length + 5).fill(-1);
    rt.scoreInto(users, items, out);
    assert.deepEqual([...out.subarray(0, users.length)], users.map((u, k) => predictor.predict(u, items[k])));
    assert.deepEqual([...out.subarray(users.length)], [-1, -1, -1, -1, -1], 'rows past n are left alone');
    assert.throws(() => rt.scoreInto([1, 2], [3, 4], new Float64Array(1)), /holds 1 values, fewer than the 2 rows/);
  });

  for (const kernels of ['typescript', 'wasm'] as const) {
    it(`recommends as core's top-N with no exclusions (${kernels} kernels)`, () => {
      const rt = new ModelRuntime(model, manifest, kernels);
      const none = { userPtr: new Int32Array(model.userIds.length + 1), itemIdx: new Int32Array(0) };
      const rank = itemIdRank(model.itemIds);
      for (const [u, user] of model.userIds.entries()) {
        const want = referenceKernels.topN(model, Int32Array.of(u), none, 7, rank);
        const got = rt.recommend(user, 7);
        assert.deepEqual(got?.items, [...want.items].map((i) => model.itemIds[i]), user);
        assert.deepEqual(got?.scores, got?.items.map((i) => predictor.predict(user, i)));
      }
    });
  }

  it('ranks items for an unknown user by the fallback estimate μ + b_i, ties by item id', () => {
    const rt = new ModelRuntime(model, manifest, 'typescript');
    const rec = rt.recommend('nobody', model.itemIds.length + 3);
    const est = (id: string) => estimate(model, -1, model.itemIds.indexOf(id));
    const want = [...model.itemIds].sort((a, b) => est(b) - est(a) || compareIds(a, b));
    assert.deepEqual(rec?.items, want);
    assert.deepEqual(rec?.scores, want.map((i) => clip(est(i), model.scale)));
    assert.deepEqual(rt.recommend(99999, 2)?.items, want.slice(0, 2));
  });
});
