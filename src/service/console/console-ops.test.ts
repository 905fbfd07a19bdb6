import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { Engine } from '../../engine/index.js';
import { writeTinyArtifact } from '../../../tests/support/tiny-model-fixture.js';
import { tempDir } from '../../../tests/support/temp-engine.js';
import type { FactorModel } from '../../core/index.js';
import { createService } from '../index.js';

const T = { timeout: 180_000 };

/** Cosine of items a and b (ids) in the model, computed here the plain way. */
function cosine(m: FactorModel, a: string, b: string): number {
  const k = m.nFactors;
  const [i, j] = [m.itemIds.indexOf(a), m.itemIds.indexOf(b)];
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let f = 0; f < k; f++) {
    dot += m.itemFactors[i * k + f] * m.itemFactors[j * k + f];
    na += m.itemFactors[i * k + f] ** 2;
    nb += m.itemFactors[j * k + f] ** 2;
  }
  return dot / Math.sqrt(na * nb);
}

describe('console endpoint routes (playground, traffic, similar items)', () => {
  const tmp = tempDir();
  const home = join(tmp.dir, 'home');
  let engine: Engine;
  let app: FastifyInstance;
  let model: FactorModel;
  const sessions: Record<string, { cookie: string; csrf: string }> = {};

  before(async () => {
    engine = await Engine.open({ home });
    app = await createService(engine, { home });
    ({ model } = await writeTinyArtifact(join(tmp.dir, 'tiny')));
    engine.endpoints.deploy('tiny', join(tmp.dir, 'tiny'));
    await engine.endpoints.waitFor('tiny', 'InService');
    await engine.execute(
      engine.createSession(),
      `use role accountadmin; create user carol password = 'carol-pw-1' default_role = sysadmin; grant role sysadmin to user carol;
       create user dave password = 'dave-pw-1'`,
    );
    for (const [user, password] of [
      ['carol', 'carol-pw-1'],
      ['dave', 'dave-pw-1'],
    ]) {
      const res = await app.inject({ method: 'POST', url: '/console/api/sign-in', payload: { user, password } });
      assert.equal(res.statusCode, 200, res.body);
      sessions[user] = { cookie: String(res.headers['set-cookie']).split(';')[0], csrf: res.json().csrfToken };
    }
  });
  after(async () => {
    await app.close();
    await engine.close();
    tmp.remove();
  });

  const call = (user: string, method: 'GET' | 'POST', url: string, payload?: object) =>
    app.inject({
      method,
      url,
      payload,
      headers: { cookie: sessions[user].cookie, ...(method === 'POST' ? { 'x-csrf-token': sessions[user].csrf } : {}) },
    });

  it('invokes an endpoint with CSV lines and answers what the endpoint predicts', T, async () => {
    const res = await call('carol', 'POST', '/console/api/endpoints/tiny/invocations', { csv: '1,100\n2,101\n' });
    assert.equal(res.statusCode, 200, res.body);
    const { predictions } = res.json() as { predictions: number[] };
    assert.equal(predictions.length, 2);
    assert.ok(Math.abs(predictions[0] - engine.endpoints.invokeOne('tiny', '1', '100')!) < 1e-6);
    assert.ok(Math.abs(predictions[1] - engine.endpoints.invokeOne('tiny', '2', '101')!) < 1e-6);
  });

  it('answers a bad line with the endpoint error, and counts it in the traffic with the good requests', T, async () => {
    // The totals are over the seconds asked for: the whole window (this file runs well within it), so none slides out.
    const before = (await call('carol', 'GET', '/console/api/endpoints/tiny/traffic?seconds=300')).json() as {
      totalRequests: number;
      totalErrors: number;
    };
    const bad = await call('carol', 'POST', '/console/api/endpoints/tiny/invocations', { csv: '1\n' });
    assert.equal(bad.statusCode, 400, bad.body);
    assert.match(bad.json().error.message, /line 1/);
    assert.equal((await call('carol', 'POST', '/console/api/endpoints/tiny/invocations', { csv: '3,102' })).statusCode, 200);
    const res = await call('carol', 'GET', '/console/api/endpoints/tiny/traffic?seconds=300');
    assert.equal(res.statusCode, 200, res.body);
    const t = res.json() as { t: number[]; requests: number[]; p50: (number | null)[]; totalRequests: number; totalErrors: number };
    assert.equal(t.t.length, 300);
    assert.equal(t.totalRequests, before.totalRequests + 2);
    assert.equal(t.totalErrors, before.totalErrors + 1);
    assert.ok(t.requests.reduce((a, b) => a + b) >= 2);
    assert.ok(
      t.p50.some((p) => p !== null && p > 0),
      'a latency for the seconds with requests',
    );
  });

  it('lists the movies nearest a movie by cosine over the item factors', T, async () => {
    const res = await call('carol', 'GET', '/console/api/endpoints/tiny/similar?item=100&k=5');
    assert.equal(res.statusCode, 200, res.body);
    const s = res.json() as { available: boolean; items: string[]; cosines: number[] };
    assert.equal(s.available, true);
    assert.equal(s.items.length, 5);
    assert.ok(!s.items.includes('100'));
    const all = model.itemIds.filter((id) => id !== '100').map((id) => cosine(model, '100', id));
    assert.ok(Math.abs(s.cosines[0] - Math.max(...all)) < 1e-5, 'the first is the nearest of all');
    for (let i = 1; i < 5; i++) assert.ok(s.cosines[i] <= s.cosines[i - 1]);
    for (let i = 0; i < 5; i++) assert.ok(Math.abs(s.cosines[i] - cosine(model, '100', s.items[i])) < 1e-5);
    const unknown = await call('carol', 'GET', '/console/api/endpoints/tiny/similar?item=999999');
    assert.equal(unknown.statusCode, 404);
    assert.match(unknown.json().error.message, /no item 999999/);
  });

  it('answers an endpoint the role cannot see as missing, and refuses calls without the cookie or the CSRF token', T, async () => {
    for (const [method, url, payload] of [
      ['POST', '/console/api/endpoints/tiny/invocations', { csv: '1,100' }],
      ['GET', '/console/api/endpoints/tiny/traffic'],
      ['GET', '/console/api/endpoints/tiny/similar?item=100'],
    ] as const) {
      const res = await call('dave', method, url, payload);
      assert.equal(res.statusCode, 404, `${url}: ${res.body}`);
      assert.match(res.json().error.message, /Could not find endpoint tiny/);
    }
    assert.equal((await app.inject({ url: '/console/api/endpoints/tiny/traffic' })).statusCode, 401);
    const noCsrf = await app.inject({
      method: 'POST',
      url: '/console/api/endpoints/tiny/invocations',
      payload: { csv: '1,100' },
      headers: { cookie: sessions.carol.cookie },
    });
    assert.equal(noCsrf.statusCode, 403);
    assert.equal((await call('carol', 'GET', '/console/api/endpoints/nope/traffic')).statusCode, 404);
  });
});
