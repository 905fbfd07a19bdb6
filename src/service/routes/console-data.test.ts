import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { Engine } from '../../engine/index.js';
import { tempDir } from '../../../tests/support/temp-engine.js';
import { createService } from '../index.js';

const T = { timeout: 120_000 };

/** The Data and Training jobs pages' routes (app.inject): the API's privileges through the console's cookie. */
describe('console data and job routes', () => {
  const tmp = tempDir();
  let engine: Engine;
  let app: FastifyInstance;
  let carol: Record<string, string>;
  let dave: Record<string, string>;
  let jobName = '';

  const signIn = async (user: string, password: string) => {
    const res = await app.inject({ method: 'POST', url: '/console/api/sign-in', payload: { user, password } });
    assert.equal(res.statusCode, 200, res.body);
    return { cookie: String(res.headers['set-cookie']).split(';')[0], 'x-csrf-token': res.json().csrfToken as string };
  };
  const sql = async (headers: Record<string, string>, text: string) => {
    const res = await app.inject({ method: 'POST', url: '/console/api/statements', headers, payload: { sql: text } });
    assert.equal(res.statusCode, 200, res.body);
    return res.json().results as { rows: unknown[][] }[];
  };

  before(async () => {
    engine = await Engine.open({ home: tmp.dir });
    app = await createService(engine, { home: tmp.dir });
    await engine.execute(
      engine.createSession(),
      `use role accountadmin; create role analyst;
       create user carol password = 'carol-pw-1' default_role = sysadmin; grant role sysadmin to user carol;
       create user dave password = 'dave-pw-1' default_role = analyst; grant role analyst to user dave`,
    );
    carol = await signIn('carol', 'carol-pw-1');
    dave = await signIn('dave', 'dave-pw-1');
    const results = await sql(
      carol,
      `create database jobs_db; use schema jobs_db.public;
       create table ratings as select range % 40 + 1 as userid, (range * 7) % 60 + 1 as movieid, (range % 5) + 1.0 as rating from range(1200);
       select train_and_get_recommendations('ratings', 'recs', parse_json('{"folds": 2, "hyperparameters": {"n_epochs": 4}}')) as job`,
    );
    const job = results.at(-1)!.rows[0][0];
    jobName = String((typeof job === 'string' ? JSON.parse(job) : (job as { TrainingJobName: string })).TrainingJobName);
    // The console follows a job by polling its description, as here.
    for (let i = 0; i < 600; i++) {
      const status = (await app.inject({ url: `/console/api/jobs/${jobName}`, headers: carol })).json().status;
      if (status !== 'InProgress') break;
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  after(async () => {
    await app.close();
    await engine.close();
    tmp.remove();
  });

  it('lists and describes the role’s jobs, with the training RMSE of every epoch of every fold', T, async () => {
    const list = await app.inject({ url: '/console/api/jobs', headers: carol });
    assert.equal(list.statusCode, 200, list.body);
    assert.deepEqual(
      list.json().trainingJobs.map((j: { name: string }) => j.name),
      [jobName],
    );
    const job = (await app.inject({ url: `/console/api/jobs/${jobName}`, headers: carol })).json();
    assert.equal(job.status, 'Completed');
    assert.equal(job.metrics.cv.folds.length, 2);
    for (const fold of job.metrics.cv.folds) {
      assert.equal(fold.trainRmse.length, 4, 'one figure per epoch');
      assert.ok(fold.trainRmse.every((r: number) => r > 0 && r < 5));
    }
    assert.equal(job.metrics.fullFit.trainRmse.length, 4);
    const logs = await app.inject({ url: `/console/api/jobs/${jobName}/logs`, headers: carol });
    assert.match(logs.json().log, /Fold 1: RMSE/);
  });

  it('shows another role nothing of the job, and stops only with the CSRF token', T, async () => {
    assert.deepEqual((await app.inject({ url: '/console/api/jobs', headers: dave })).json().trainingJobs, []);
    assert.equal((await app.inject({ url: `/console/api/jobs/${jobName}`, headers: dave })).statusCode, 404);
    assert.equal((await app.inject({ url: `/console/api/jobs/${jobName}/logs`, headers: dave })).statusCode, 404);
    const noToken = await app.inject({ method: 'POST', url: `/console/api/jobs/${jobName}/stop`, headers: { cookie: carol.cookie } });
    assert.equal(noToken.statusCode, 403);
    const ended = await app.inject({ method: 'POST', url: `/console/api/jobs/${jobName}/stop`, headers: carol });
    assert.equal(ended.statusCode, 409, ended.body);
    assert.equal((await app.inject({ url: '/console/api/jobs' })).statusCode, 401, 'no cookie, no jobs');
    assert.equal(
      (await app.inject({ url: '/api/v1/training-jobs', headers: { cookie: carol.cookie } })).statusCode,
      401,
      'the cookie is not an API credential',
    );
  });

  it('uploads into the user’s own stage in the sign-in’s session, refusing content that is not base64', T, async () => {
    const content = Buffer.from('userid,movieid,rating\n1,2,3\n').toString('base64');
    const up = await app.inject({
      method: 'POST',
      url: '/console/api/stages/files',
      headers: carol,
      payload: { target: '@~/up', name: 'r.csv', content },
    });
    assert.equal(up.statusCode, 200, up.body);
    const [listed] = await sql(carol, 'list @~');
    assert.deepEqual(
      listed.rows.map((r) => r[0]),
      ['~/up/r.csv'],
    );
    const [daves] = await sql(dave, 'list @~');
    assert.deepEqual(daves.rows, [], "another user's stage is their own");
    const bad = await app.inject({
      method: 'POST',
      url: '/console/api/stages/files',
      headers: carol,
      payload: { target: '@~', name: 'x', content: '%%%' },
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().error.message, /base64/);
  });
});
