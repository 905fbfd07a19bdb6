import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { Engine } from '../../engine/index.js';
import { authHeaders } from '../../../tests/support/auth.js';
import { writeTinyArtifact } from '../../../tests/support/tiny-model-fixture.js';
import { tempDir } from '../../../tests/support/temp-engine.js';
import { FIRST_PAGE_ROWS } from '../console/index.js';
import { createService } from '../index.js';

const T = { timeout: 120_000 };
type Headers = Record<string, string>;

/**
 * The console's live routes (app.inject): a job's curves, a large result's pages, and endpoint traffic
 * that counts SQL, HTTP and console invocations per minute in the home, across a restart.
 */
describe('console live routes', () => {
  const tmp = tempDir();
  const home = join(tmp.dir, 'home');
  let engine: Engine;
  let app: FastifyInstance;
  const users: Record<string, Headers> = {};
  let jobName = '';

  const open = async () => {
    engine = await Engine.open({ home });
    app = await createService(engine, { home });
    for (const [user, password] of [
      ['carol', 'carol-pw-1'],
      ['dave', 'dave-pw-1'],
    ]) {
      const res = await app.inject({ method: 'POST', url: '/console/api/sign-in', payload: { user, password } });
      assert.equal(res.statusCode, 200, res.body);
      users[user] = { cookie: String(res.headers['set-cookie']).split(';')[0], 'x-csrf-token': res.json().csrfToken as string };
    }
  };
  const close = async () => {
    await app.close();
    await engine.close();
  };
  const statements = (user: string, sql: string, paged?: boolean) =>
    app.inject({ method: 'POST', url: '/console/api/statements', headers: users[user], payload: { sql, ...(paged ? { paged } : {}) } });
  const get = (user: string, url: string) => app.inject({ url, headers: users[user] });

  before(async () => {
    const setup = await Engine.open({ home });
    await setup.execute(
      setup.createSession(),
      `use role accountadmin; create user carol password = 'carol-pw-1' default_role = sysadmin; grant role sysadmin to user carol;
       create role analyst; create user dave password = 'dave-pw-1' default_role = analyst; grant role analyst to user dave`,
    );
    await writeTinyArtifact(join(tmp.dir, 'tiny'));
    setup.endpoints.deploy('tiny', join(tmp.dir, 'tiny'));
    await setup.endpoints.waitFor('tiny', 'InService');
    await setup.close();
    await open();
  });
  after(async () => {
    await close();
    tmp.remove();
  });

  it("answers a job's curves: every epoch of the full fit and of each fold, to its role only", T, async () => {
    const res = await statements(
      'carol',
      `create database live_db; use schema live_db.public;
       create table ratings as select range % 40 + 1 as userid, (range * 7) % 60 + 1 as movieid, (range % 5) + 1.0 as rating from range(1200);
       select train_and_get_recommendations('ratings', 'recs', parse_json('{"folds": 2, "hyperparameters": {"n_epochs": 6}}')) as job`,
    );
    assert.equal(res.statusCode, 200, res.body);
    const cell = res.json().results.at(-1).rows[0][0];
    jobName = String((typeof cell === 'string' ? JSON.parse(cell) : cell).TrainingJobName);
    let seen = -1;
    const growth: number[] = [];
    for (let i = 0; i < 1200; i++) {
      const curves = (await get('carol', `/console/api/jobs/${jobName}/curves`)).json() as { fullFit: number[] };
      if (curves.fullFit.length !== seen) growth.push((seen = curves.fullFit.length));
      if ((await get('carol', `/console/api/jobs/${jobName}`)).json().status !== 'InProgress') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const done = await get('carol', `/console/api/jobs/${jobName}/curves`);
    assert.equal(done.statusCode, 200, done.body);
    const curves = done.json() as {
      measure: string;
      fullFit: number[];
      folds: { fold: number; trainRmse: number[]; testRmse: number[] }[];
    };
    assert.equal(curves.measure, 'rmse', 'an SVD job is measured in RMSE (a ranking model in loss)');
    const job = (await get('carol', `/console/api/jobs/${jobName}`)).json();
    assert.equal(job.status, 'Completed');
    assert.deepEqual(curves.fullFit, job.metrics.fullFit.trainRmse);
    assert.equal(curves.fullFit.length, 6);
    assert.deepEqual(
      curves.folds.map((f) => [f.fold, f.trainRmse.length]),
      [
        [1, 6],
        [2, 6],
      ],
    );
    // Each fold's held-out curve: one figure per epoch, the last being the fold's reported test RMSE
    // (scored in the SIMD kernel with f32 dot products: equal to float rounding).
    for (const [f, fold] of curves.folds.entries()) {
      assert.equal(fold.testRmse.length, 6);
      assert.ok(Math.abs(fold.testRmse[5] - job.metrics.cv.folds[f].rmse) < 1e-5, `${fold.testRmse[5]} vs ${job.metrics.cv.folds[f].rmse}`);
      assert.deepEqual(fold.testRmse, job.metrics.cv.folds[f].testRmse);
    }
    assert.ok(
      growth.every((n, i) => i === 0 || n > growth[i - 1]),
      `the curve only grows: ${growth}`,
    );
    assert.equal((await get('dave', `/console/api/jobs/${jobName}/curves`)).statusCode, 404, 'another role sees no job');
    assert.equal((await app.inject({ url: `/console/api/jobs/${jobName}/curves` })).statusCode, 401);
  });

  it('sends a large result a page at a time, to the sign-in that ran it only', T, async () => {
    const res = await statements('carol', 'select range as i, range * 2 as j from range(12345) order by i', true);
    assert.equal(res.statusCode, 200, res.body);
    const [r] = res.json().results as { rows: number[][]; rowCount: number; resultId: string }[];
    assert.equal(r.rowCount, 12345);
    assert.equal(r.rows.length, FIRST_PAGE_ROWS);
    const page = await get('carol', `/console/api/results/${r.resultId}?offset=12000&limit=1000`);
    assert.equal(page.statusCode, 200, page.body);
    const rows = page.json().rows as number[][];
    assert.equal(rows.length, 345);
    assert.deepEqual(rows[0], [12000, 24000]);
    assert.deepEqual(rows.at(-1), [12344, 24688]);
    assert.equal((await get('dave', `/console/api/results/${r.resultId}?offset=0&limit=10`)).statusCode, 404, "another sign-in's result");
    assert.equal((await get('carol', `/console/api/results/${r.resultId}?offset=-1&limit=10`)).statusCode, 400);
    assert.equal((await get('carol', `/console/api/results/not-an-id?offset=0&limit=10`)).statusCode, 400);
    const unpaged = await statements('carol', 'select range from range(2000)');
    assert.equal(unpaged.json().results[0].rows.length, 2000, 'other pages still get every row');
    assert.equal(unpaged.json().results[0].resultId, undefined);
  });

  it('counts SQL, HTTP and console invocations per minute in the home, and keeps them across a restart', T, async () => {
    const minutes = async () => {
      const res = await get('carol', '/console/api/endpoints/tiny/traffic/minutes?minutes=10');
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as { totalRequests: number; totalErrors: number; processes: number; requests: number[]; p95: (number | null)[] };
    };
    const before = await minutes();
    const sql = await statements(
      'carol',
      `select invoke_model('tiny', u, 100 + u) from (select range + 1 as u from range(7));
       select recommend('tiny', 1, 3); select recommend('tiny', 2, 3)`,
    );
    assert.equal(sql.statusCode, 200, sql.body);
    const played = await app.inject({
      method: 'POST',
      url: '/console/api/endpoints/tiny/invocations',
      headers: users.carol,
      payload: { csv: '1,101\n2,102\n' },
    });
    assert.equal(played.statusCode, 200, played.body);
    const http = await app.inject({
      method: 'POST',
      url: '/endpoints/tiny/invocations',
      headers: { ...authHeaders(home), 'content-type': 'text/csv' },
      payload: '1,101\n',
    });
    assert.equal(http.statusCode, 200, http.body);
    const expected = 7 + 2 + 1 + 1;
    const now = await minutes();
    assert.equal(
      now.totalRequests - before.totalRequests,
      expected,
      'seven rows of invoke_model, two recommend calls, the playground, the SageMaker runtime route',
    );
    const perSecond = (await get('carol', '/console/api/endpoints/tiny/traffic?seconds=60')).json();
    assert.equal(perSecond.totalRequests, expected, 'the live per-second chart counts the same paths');
    assert.ok(now.p95.some((p) => p !== null));
    assert.equal((await get('dave', '/console/api/endpoints/tiny/traffic/minutes')).statusCode, 404);

    // A restart is another process: its minutes and its last seconds are read back from the home, beside the new process's.
    await close();
    const dir = join(home, 'endpoint-traffic', 'tiny');
    const files = readdirSync(dir).sort();
    assert.equal(files.length, 2, `one file of minutes and one of seconds: ${files}`);
    assert.match(files[0], /^\d+-[0-9a-f]{8}\.minutes\.json$/);
    for (const f of files) assert.equal(statSync(join(dir, f)).mode & 0o777, 0o600);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    await open();
    await engine.endpoints.waitFor('tiny', 'InService');
    const after = await minutes();
    assert.equal(after.totalRequests, now.totalRequests, 'nothing was lost in the restart');
    assert.equal(after.processes, 1);
    const seconds = async () => (await get('carol', '/console/api/endpoints/tiny/traffic?seconds=120')).json();
    assert.equal((await seconds()).totalRequests, expected, "the previous process's last seconds are charted live too");
    await statements('carol', "select invoke_model('tiny', 1, 101)");
    const again = await minutes();
    assert.equal(again.totalRequests, now.totalRequests + 1);
    assert.equal(again.processes, 2);
    const live = await seconds();
    assert.deepEqual([live.totalRequests, live.processes], [expected + 1, 2]);
  });
});
