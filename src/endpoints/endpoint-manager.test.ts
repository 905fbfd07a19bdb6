import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fingerprintTrainset } from '../artifacts/index.js';
import { tinyTrainset } from '../../tests/support/tiny-model-fixture.js';
import { recommendAll, referenceKernels } from '../core/index.js';
import { EndpointManager } from './endpoint-manager.js';
import { endpointFixture, type EndpointFixture } from '../../tests/support/endpoint-test-fixture.js';

let fx: EndpointFixture;
const managers: EndpointManager[] = [];
before(async () => {
  fx = await endpointFixture();
});
after(async () => {
  await Promise.all(managers.map((m) => m.close()));
  fx.cleanup();
});

async function open(home = fx.home()): Promise<EndpointManager> {
  const m = await EndpointManager.open({ home });
  managers.push(m);
  return m;
}

/** A manager with endpoint `name` InService on v1. */
async function serving(name = 'movielens-model-v1', home?: string): Promise<EndpointManager> {
  const m = await open(home);
  m.deploy(name, fx.v1.uri);
  await m.waitFor(name, 'InService', 5000);
  return m;
}

const code = (c: string, message: RegExp) => (e: Error & { code?: string }) => e.code === c && message.test(e.message);

/** Every (user, item) of both models' vocabularies plus unknown ids. */
function allPairs(): { users: string[]; items: string[] } {
  const us = [...new Set([...fx.v1.predictor.model.userIds, ...fx.v2.predictor.model.userIds, 'nobody'])];
  const is = [...new Set([...fx.v1.predictor.model.itemIds, ...fx.v2.predictor.model.itemIds, 'no-such-item'])];
  return { users: us.flatMap((u) => is.map(() => u)), items: us.flatMap(() => is) };
}

describe('EndpointManager', () => {
  it('deploys: Creating at once, then InService with the model summary', async () => {
    const m = await open();
    const d = m.deploy('movielens-model-v1', fx.v1.uri);
    assert.equal(d.status, 'Creating');
    assert.equal(d.artifactUri, fx.v1.uri);
    assert.equal(d.model, undefined);
    assert.equal(m.describe('movielens-model-v1').status, 'Creating');
    const ready = await m.waitFor('movielens-model-v1', 'InService', 5000);
    const model = fx.v1.predictor.model;
    assert.deepEqual(ready.model, {
      algorithm: 'svd',
      nFactors: 4,
      biased: true,
      scale: model.scale,
      users: model.userIds.length,
      items: model.itemIds.length,
      ratings: tinyTrainset(7).nRatings,
      trainedAt: '2024-01-02T03:04:05.000Z',
      trainingSource: 'tiny-model-fixture',
      trainingFingerprint: fingerprintTrainset(tinyTrainset(7)),
    });
    assert.equal(ready.createdAt, d.createdAt);
    assert.ok(ready.lastModifiedAt >= d.lastModifiedAt);
    assert.deepEqual(
      m.list().map((x) => [x.name, x.status]),
      [['movielens-model-v1', 'InService']],
    );
  });

  it('answers invokeBatch exactly as Predictor on the artifact, unknown ids included', async () => {
    const m = await serving();
    const { users, items } = allPairs();
    const out = new Float64Array(users.length);
    m.invokeBatch('movielens-model-v1', users, items, out);
    assert.deepEqual(
      [...out],
      users.map((u, k) => fx.v1.predictor.predict(u, items[k])),
    );
    assert.equal(m.invokeOne('movielens-model-v1', 'alice', 'The Matrix'), fx.v1.predictor.predict('alice', 'The Matrix'));
  });

  it('normalises ids: 1, "1", 1.0, "1.0", 1n and " 1 " are one user; NULL gives NaN', async () => {
    const m = await serving();
    const users: unknown[] = [1, '1', 1.0, '1.0', 1n, ' 1 ', null, 1, undefined];
    const items: unknown[] = [100, '100', 100.0, '100.00', 100n, '100', 100, null, 100];
    const out = new Float64Array(users.length);
    m.invokeBatch('movielens-model-v1', users, items, out);
    const want = fx.v1.predictor.predict('1', '100');
    assert.deepEqual([...out.subarray(0, 6)], Array(6).fill(want));
    assert.ok(out.subarray(6).every(Number.isNaN));
    assert.equal(m.invokeOne('movielens-model-v1', null, 100), null);
  });

  it('refuses values that cannot be ids, naming the row', async () => {
    const m = await serving();
    const out = new Float64Array(3);
    assert.throws(
      () => m.invokeBatch('movielens-model-v1', [1, 2, Number.NaN], [100, 100, 100], out),
      code('INVALID_ARGUMENT', /^user id at row 3 is NaN/),
    );
    assert.throws(
      () => m.invokeBatch('movielens-model-v1', [1, 2, 3], [100, true, 100], out),
      code('INVALID_ARGUMENT', /^item id at row 2 is a boolean \(true\)/),
    );
    assert.throws(() => m.invokeBatch('movielens-model-v1', [1, 2], [100], out), code('INVALID_ARGUMENT', /2 user ids but 1 item ids/));
  });

  it('names unknown endpoints (NOT_FOUND) and endpoints that are not ready (FAILED_PRECONDITION)', async () => {
    const m = await open();
    const out = new Float64Array(1);
    assert.throws(() => m.invokeBatch('nope', [1], [100], out), code('NOT_FOUND', /^Could not find endpoint nope$/));
    assert.throws(() => m.describe('nope'), code('NOT_FOUND', /nope/));
    m.deploy('slow', fx.v1.uri);
    assert.throws(
      () => m.invokeBatch('slow', [1], [100], out),
      code('FAILED_PRECONDITION', /^Endpoint slow is not InService \(status Creating\)$/),
    );
    assert.throws(() => m.recommend('slow', 1, 3), code('FAILED_PRECONDITION', /status Creating/));
    await m.waitFor('slow', 'InService', 5000);
    m.invokeBatch('slow', [1], [100], out);
    assert.equal(out[0], fx.v1.predictor.predict(1, 100));
  });

  it('validates names like SageMaker and refuses unknown artifact schemes at once', async () => {
    const m = await open();
    for (const bad of ['', 'a'.repeat(64), '-a', 'a-', 'a_b', 'a.b', 'movielens model']) {
      assert.throws(() => m.deploy(bad, fx.v1.uri), code('INVALID_ARGUMENT', /^endpoint name /), bad);
    }
    assert.equal(m.deploy('a--b-9', fx.v1.uri).status, 'Creating');
    assert.equal(m.deploy('A'.repeat(63), fx.v1.uri).status, 'Creating');
    assert.throws(() => m.deploy('x', 's3://bucket/model'), code('INVALID_ARGUMENT', /no artifact store for scheme 's3:\/\/'/));
    assert.throws(() => m.deploy('A--B-9', fx.v1.uri), code('CONFLICT', /differs only in case from existing endpoint a--b-9/));
    await m.waitFor('a--b-9', 'InService', 5000);
  });

  it('refuses a missing artifact at once and fails a create whose artifact is corrupt, naming the problem; a Failed endpoint can be deployed again', async () => {
    const m = await open();
    assert.throws(
      () => m.deploy('missing', join(fx.root, 'train-typo')),
      code('NOT_FOUND', /^no training job or model artifact named '.*train-typo' \(nothing at .*train-typo\)/),
    );
    assert.throws(() => m.describe('missing'), code('NOT_FOUND', /missing/));
    m.deploy('corrupt', fx.corruptUri);
    await assert.rejects(m.waitFor('corrupt', 'InService', 5000), /user-factors\.f32 is corrupt: its sha256 is/);
    assert.throws(
      () => m.invokeOne('corrupt', 1, 100),
      code('FAILED_PRECONDITION', /^Endpoint corrupt is not InService \(status Failed\): could not load/),
    );
    assert.equal(m.deploy('corrupt', fx.v1.uri).status, 'Creating');
    const fixed = await m.waitFor('corrupt', 'InService', 5000);
    assert.equal(fixed.failureReason, undefined);
  });

  it('updates: Updating serves the old model, then switches to the new one', async () => {
    const m = await serving('ep');
    const d = m.deploy('ep', fx.v2.uri);
    assert.equal(d.status, 'Updating');
    assert.equal(d.artifactUri, fx.v1.uri);
    assert.equal(d.pendingArtifactUri, fx.v2.uri);
    assert.equal(m.invokeOne('ep', 3, 105), fx.v1.predictor.predict(3, 105));
    assert.throws(() => m.deploy('ep', fx.v1.uri), code('CONFLICT', /^Endpoint ep is Updating: cannot deploy/));
    const done = await m.waitFor('ep', 'InService', 5000);
    assert.equal(done.artifactUri, fx.v2.uri);
    assert.equal(done.pendingArtifactUri, undefined);
    assert.equal(m.invokeOne('ep', 3, 105), fx.v2.predictor.predict(3, 105));
    assert.notEqual(fx.v1.predictor.predict(3, 105), fx.v2.predictor.predict(3, 105));
  });

  it('switches with no failed or mixed batch while batches run back to back', async () => {
    const m = await serving('ep');
    const { users, items } = allPairs();
    const old = users.map((u, k) => fx.v1.predictor.predict(u, items[k]));
    const neu = users.map((u, k) => fx.v2.predictor.predict(u, items[k]));
    const seen = { old: 0, new: 0 };
    let deployed = false;
    let switched = false;
    const out = new Float64Array(users.length);
    // Each batch runs in its own turn of the event loop, so the switch (a load finishing) lands between batches.
    for (let batch = 0; !switched || seen.new < 20; batch++) {
      await new Promise((r) => setImmediate(r));
      const ready = m.describe('ep').status === 'InService' && deployed;
      m.invokeBatch('ep', users, items, out);
      const got = [...out];
      if (got.every((x, k) => x === old[k])) {
        assert.ok(!switched, `batch ${batch} answered from the old model after the switch`);
        seen.old++;
      } else {
        assert.deepEqual(got, neu, `batch ${batch} is neither all old nor all new`);
        seen.new++;
        switched = true;
      }
      if (ready) assert.ok(switched, 'InService on v2 but answering from v1');
      if (batch === 10) {
        m.deploy('ep', fx.v2.uri);
        deployed = true;
      }
    }
    assert.ok(seen.old > 10);
  });

  it('rolls back a failed update: keeps serving the old model and records why', async () => {
    const m = await serving('ep');
    m.deploy('ep', fx.corruptUri);
    const d = await m.waitFor('ep', 'InService', 5000);
    assert.equal(d.artifactUri, fx.v1.uri);
    assert.match(
      d.failureReason ?? '',
      /^update rolled back, still serving .*model-v1: could not load model artifact .*model-corrupt: .*user-factors\.f32 is corrupt/,
    );
    assert.equal(m.invokeOne('ep', 'alice', 101), fx.v1.predictor.predict('alice', 101));
    assert.equal(m.deploy('ep', fx.v2.uri).status, 'Updating');
    assert.equal((await m.waitFor('ep', 'InService', 5000)).failureReason, undefined);
  });

  it('deletes: Deleting at once, refusing invocations, then gone (state file removed)', async () => {
    const home = fx.home();
    const m = await serving('ep', home);
    const deleting = m.delete('ep');
    assert.equal(m.describe('ep').status, 'Deleting');
    assert.throws(() => m.invokeOne('ep', 1, 100), code('FAILED_PRECONDITION', /status Deleting/));
    assert.throws(() => m.deploy('ep', fx.v1.uri), code('CONFLICT', /is Deleting.*being deleted/));
    assert.equal((await deleting).status, 'Deleting');
    assert.throws(() => m.describe('ep'), code('NOT_FOUND', /Could not find endpoint ep/));
    await m.close();
    assert.deepEqual(readdirSync(join(home, 'endpoints')), []);
    assert.throws(() => m.deploy('ep', fx.v1.uri), code('FAILED_PRECONDITION', /closed/));
  });

  it('drops a load still in flight when its endpoint is deleted', async () => {
    const m = await open();
    m.deploy('ep', fx.v1.uri);
    await m.delete('ep');
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(m.list(), []);
  });

  it('persists state and brings endpoints back after a restart (Creating → InService)', async () => {
    const home = fx.home();
    const first = await serving('ep', home);
    first.deploy('ep', fx.v2.uri);
    await first.waitFor('ep', 'InService', 5000);
    first.deploy('broken', fx.corruptUri);
    await assert.rejects(first.waitFor('broken', 'InService', 5000));
    await first.close();
    const stored = JSON.parse(readFileSync(join(home, 'endpoints', 'ep.json'), 'utf8'));
    assert.equal(stored.status, 'InService');
    assert.equal(stored.artifactUri, fx.v2.uri);
    assert.equal(stored.model.algorithm, 'svd');

    const second = await open(home);
    assert.deepEqual(
      second.list().map((d) => [d.name, d.status]),
      [
        ['broken', 'Failed'],
        ['ep', 'Creating'],
      ],
    );
    const back = await second.waitFor('ep', 'InService', 5000);
    assert.equal(back.createdAt, stored.createdAt);
    assert.equal(second.invokeOne('ep', 2, 110), fx.v2.predictor.predict(2, 110));
    assert.match(second.describe('broken').failureReason ?? '', /corrupt/);
  });

  it('rolls back an update interrupted by a restart, and reports an unreadable state file', async () => {
    const home = fx.home();
    const first = await serving('ep', home);
    await first.close();
    const file = join(home, 'endpoints', 'ep.json');
    const stored = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ ...stored, status: 'Updating', pendingArtifactUri: fx.v2.uri }));
    writeFileSync(join(home, 'endpoints', 'junk.json'), '{"name": "junk", "stat');
    const second = await open(home);
    const d = await second.waitFor('ep', 'InService', 5000);
    assert.equal(d.artifactUri, fx.v1.uri);
    assert.match(d.failureReason ?? '', /^the update to .*model-v2 was interrupted by a restart; deploy it again$/);
    const junk = second.describe('junk');
    assert.equal(junk.status, 'Failed');
    assert.match(junk.failureReason ?? '', /state file .*junk\.json is unreadable: .*JSON/);
  });

  it('times out a wait, naming the status', async () => {
    const m = await open();
    m.deploy('ep', fx.v1.uri);
    await assert.rejects(
      m.waitFor('ep', 'Deleting', 30),
      code('FAILED_PRECONDITION', /^Endpoint ep did not become Deleting within 30 ms \(status (Creating|InService)\)$/),
    );
  });

  it('recommends the top-k unrated items by the served model, with the scores invoke gives', async () => {
    const m = await serving();
    const p = fx.v1.predictor;
    const rec = m.recommend('movielens-model-v1', 'alice', 5);
    assert.ok(rec);
    assert.equal(rec.items.length, 5);
    assert.deepEqual(
      rec.scores,
      rec.items.map((i) => p.predict('alice', i)),
    );
    assert.equal(m.recommend('movielens-model-v1', null, 5), null);
    assert.throws(() => m.recommend('movielens-model-v1', 'alice', 0), code('INVALID_ARGUMENT', /k must be a positive integer, got 0/));
  });

  it("never recommends an item the user rated in training: core's recommendAll list for every user", async () => {
    const m = await serving();
    const model = fx.v1.predictor.model;
    // v1 was fit on tinyTrainset(7): rebuild it and rank with core, independently of the endpoint.
    const ts = tinyTrainset(7);
    const want = recommendAll(model, ts, 10, referenceKernels);
    for (const [u, user] of model.userIds.entries()) {
      const rated = new Set([...ts.itemIdx.subarray(ts.userPtr[u], ts.userPtr[u + 1])].map((i) => ts.itemIds[i]));
      const rec = m.recommend('movielens-model-v1', user, 10);
      assert.deepEqual(rec?.items, want[u].items, user);
      assert.deepEqual(
        rec?.items.filter((i) => rated.has(i)),
        [],
        `${user} gets no item they rated`,
      );
      assert.equal(
        m.recommend('movielens-model-v1', user, 10_000)?.items.length,
        model.itemIds.length - rated.size,
        `${user}: all unrated items`,
      );
    }
  });
});
