import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { Engine } from '../engine/index.js';
import { authHeaders } from '../../tests/support/auth.js';
import type { TrainingJob } from '../jobs/index.js';
import { syntheticRatingsSql } from '../../tests/support/ratings-sql.js';
import { createService, type StatementsResponse } from './index.js';

/** Small and quick: 200 ratings, no cross-validation, a tiny model. */
const QUICK = { folds: 0, hyperparameters: { n_factors: 4, n_epochs: 5 } };
/** Runs for minutes unless stopped: 20,000 ratings and 100,000 epochs. */
const SLOW = { folds: 0, hyperparameters: { n_factors: 100, n_epochs: 100_000 } };

describe('training-jobs and endpoints areas (app.inject)', () => {
  const home = mkdtempSync(join(tmpdir(), 'recpipe-'));
  const auth = authHeaders(home);
  let engine: Engine;
  let app: FastifyInstance;
  before(async () => {
    engine = await Engine.open({ home });
    const session = engine.createSession();
    await engine.execute(session, syntheticRatingsSql('svc_ml', 'ratings'));
    await engine.execute(session, syntheticRatingsSql('svc_ml', 'big', 200, 300));
    app = await createService(engine, { home });
  });
  after(async () => {
    await app.close();
    await engine.close();
    rmSync(home, { recursive: true, force: true });
  });

  const post = (url: string, payload?: object) => app.inject({ method: 'POST', url, headers: auth, ...(payload ? { payload } : {}) });
  const start = async (body: object): Promise<TrainingJob> => {
    const res = await post('/api/v1/training-jobs', body);
    assert.equal(res.statusCode, 201, res.body);
    return res.json<TrainingJob>();
  };
  const wait = async (name: string, seconds = 30): Promise<TrainingJob> => {
    const res = await app.inject({ url: `/api/v1/training-jobs/${name}/wait?timeoutSeconds=${seconds}`, headers: auth });
    assert.equal(res.statusCode, 200, res.body);
    return res.json<TrainingJob>();
  };
  let completed: TrainingJob;

  it('starts a job on tables named as in SQL (database in the body), waits for it, describes it and serves its log', async () => {
    const started = await start({ input: 'ratings', output: 'recs', database: 'svc_ml', ...QUICK });
    assert.match(started.name, /^train-\d{8}-\d{6}-[0-9a-f]{4}$/);
    assert.equal(started.status, 'InProgress');
    assert.deepEqual(started.spec.input, { database: 'SVC_ML', schema: 'PUBLIC', name: 'RATINGS' });
    assert.equal(started.spec.hyperparameters.nFactors, 4);

    completed = await wait(started.name);
    assert.equal(completed.status, 'Completed', completed.failureReason ?? '');
    assert.equal(completed.metrics?.data.ratings, 200);
    assert.equal(completed.metrics?.rowsWritten, 20, 'one row per user');
    assert.deepEqual(
      completed.secondaryStatusTransitions.map((t) => t.status),
      ['Starting', 'Downloading', 'Training', 'Uploading', 'Completed'],
    );
    const [count] = await engine.execute(engine.createSession(), 'select count(*) from svc_ml.public.recs');
    assert.equal(Number(count.rows[0][0]), 20);

    const described = await app.inject({ url: `/api/v1/training-jobs/${started.name}`, headers: auth });
    assert.deepEqual(described.json(), completed);

    const logs = await app.inject({ url: `/api/v1/training-jobs/${started.name}/logs`, headers: auth });
    assert.equal(logs.statusCode, 200);
    assert.match(logs.headers['content-type'] as string, /^text\/plain/);
    assert.match(logs.body, /^Read 200 ratings of 20 users and 30 movies/);
    assert.match(logs.body, /Training complete in [\d.]+ s\n$/);
  });

  it('resolves table names in a SQL session, and refuses a session together with database/schema', async () => {
    const use = (await post('/api/v1/statements', { sql: 'use schema svc_ml.public' })).json<StatementsResponse>();
    const job = await start({ input: 'ratings', output: 'recs_from_session', sessionId: use.sessionId, ...QUICK });
    assert.deepEqual(job.spec.output, { database: 'SVC_ML', schema: 'PUBLIC', name: 'RECS_FROM_SESSION' });
    assert.equal((await wait(job.name)).status, 'Completed');

    const both = await post('/api/v1/training-jobs', { input: 'ratings', output: 'x', sessionId: use.sessionId, database: 'svc_ml' });
    assert.equal(both.statusCode, 400);
    assert.match(both.json().error.message, /sessionId or database\/schema/);
  });

  it('takes the deploy options of the SQL function: deploys when done under a policy, answers the decision with wait', async () => {
    const always = await start({
      input: 'ratings',
      output: 'recs_deployed',
      database: 'svc_ml',
      ...QUICK,
      deployTo: 'svc-ep',
      deployPolicy: 'always',
      wait: true,
    });
    const decided = always as TrainingJob & { deployment: { endpoint: string; deployed: boolean; reason: string } | null };
    assert.equal(decided.status, 'Completed');
    assert.equal(decided.deployment?.endpoint, 'svc-ep');
    assert.equal(decided.deployment?.deployed, true, decided.deployment?.reason);
    assert.equal(engine.endpoints.describe('svc-ep').artifactUri, always.artifactUri);

    const kept = await start({
      ...{ input: 'ratings', output: 'recs_judged', database: 'svc_ml', ...QUICK },
      ...{ deployTo: 'svc-ep', holdoutTable: 'ratings', deployMargin: 0.9, wait: true },
    });
    const judged = kept as TrainingJob & { deployment: { deployed: boolean; reason: string } | null };
    assert.equal(judged.deployment?.deployed, false, 'if_better (the default) needs a 90% better RMSE here');
    assert.equal(engine.endpoints.describe('svc-ep').artifactUri, always.artifactUri, 'the endpoint keeps its model');

    const noHoldout = await post('/api/v1/training-jobs', { input: 'ratings', output: 'r', database: 'svc_ml', deployTo: 'svc-ep' });
    assert.equal(noHoldout.statusCode, 400);
    assert.match(noHoldout.body, /holdout_table/);
    const badPolicy = await post('/api/v1/training-jobs', {
      input: 'ratings',
      output: 'r',
      database: 'svc_ml',
      deployTo: 'x',
      deployPolicy: 'sometimes',
    });
    assert.equal(badPolicy.statusCode, 400);
    assert.match(badPolicy.body, /deployPolicy/);
  });

  it('takes timestampColumn and search.results_table as the SQL options: checked, resolved like the tables, and used', {
    timeout: 300_000,
  }, async () => {
    await engine.execute(
      engine.createSession(),
      'create table svc_ml.public.timed as select userid, movieid, rating, 1600000000 + movieid * 86400 + userid as rated_at from svc_ml.public.ratings',
    );
    const timed = await start({
      input: 'timed',
      output: 'recs_timed',
      database: 'svc_ml',
      algorithm: 'timesvd',
      timestampColumn: 'rated_at',
      ...QUICK,
    });
    assert.equal(timed.spec.timestampColumn, 'rated_at');
    const trained = await wait(timed.name, 120);
    assert.equal(trained.status, 'Completed', trained.failureReason ?? '');
    assert.equal(trained.metrics?.rowsWritten, 20);

    const searched = await start({
      input: 'ratings',
      output: 'recs_searched',
      database: 'svc_ml',
      folds: 2,
      search: { algorithms: ['baseline'], max_trials: 2, time_budget: 30, results_table: 'svc_trials', blend: false },
    });
    assert.deepEqual(searched.spec.resultsTable, { database: 'SVC_ML', schema: 'PUBLIC', name: 'SVC_TRIALS' });
    assert.equal((await wait(searched.name, 120)).status, 'Completed');
    const [trials] = await engine.execute(engine.createSession(), 'select count(*) from svc_ml.public.svc_trials');
    assert.equal(Number(trials.rows[0][0]), 2, 'one row per trial');

    const body = { input: 'timed', output: 'o', database: 'svc_ml' };
    const search = { algorithms: ['baseline'], max_trials: 1 };
    const cases: [object, number, RegExp][] = [
      [{ ...body, timestampColumn: 5 }, 400, /body\.timestampColumn must be string/],
      [{ ...body, timestampColumn: 'rated\nat' }, 400, /timestamp_column "rated\\nat" contains a control character/],
      // Any other text is a quoted name, checked against the table's columns.
      [{ ...body, timestampColumn: 'x; drop table timed' }, 400, /TIMED has no timestamp column x; drop table timed \(it has USERID/],
      [{ ...body, timestampColumn: 'no_such' }, 400, /input table SVC_ML\.PUBLIC\.TIMED has no timestamp column no_such/],
      [{ ...body, folds: 2, search: { ...search, results_table: 'o' } }, 400, /results_table SVC_ML\.PUBLIC\.O is the job's output table/],
      [
        { ...body, folds: 2, search: { ...search, results_table: 'x; drop table timed' } },
        400,
        /invalid object name 'x; drop table timed'/,
      ],
      [{ ...body, results_table: 'x' }, 400, /body\.results_table is not a known field/],
    ];
    for (const [request, status, message] of cases) {
      const res = await post('/api/v1/training-jobs', request);
      assert.equal(res.statusCode, status, `${JSON.stringify(request)} → ${res.body}`);
      assert.match(res.json().error.message, message);
    }
    // RATED_AT is not a name recpipe takes for time by itself: without timestampColumn, timeSVD has none.
    const untimed = await wait((await start({ ...body, algorithm: 'timesvd', ...QUICK })).name, 120);
    assert.equal(untimed.status, 'Failed');
    assert.match(untimed.failureReason ?? '', /timestamp/i);
  });

  it('lists jobs newest first', async () => {
    const res = await app.inject({ url: '/api/v1/training-jobs', headers: auth });
    const jobs = res.json<{ trainingJobs: TrainingJob[] }>().trainingJobs;
    assert.ok(jobs.length >= 2);
    const created = jobs.map((j) => j.creationTime);
    assert.deepEqual(created, [...created].sort().reverse());
    assert.equal(jobs[jobs.length - 1].name, completed.name, 'the first job started is last');
  });

  it('answers a wait at its timeout with the running job, stops it, and then reports it Stopped', async () => {
    const job = await start({ input: 'svc_ml.public.big', output: 'svc_ml.public.big_recs', ...SLOW });
    const running = await wait(job.name, 0.2);
    assert.equal(running.status, 'InProgress');
    const stop = await post(`/api/v1/training-jobs/${job.name}/stop`);
    assert.equal(stop.statusCode, 200, stop.body);
    assert.ok(['Stopping', 'Stopped'].includes(stop.json<TrainingJob>().status));
    const ended = await wait(job.name);
    assert.equal(ended.status, 'Stopped');
    assert.equal(ended.stopReason, 'Stopped by request');
    const again = await post(`/api/v1/training-jobs/${job.name}/stop`);
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().error.code, 'FAILED_PRECONDITION');
  });

  it('answers unknown jobs with 404 on every route, the log route included', async () => {
    for (const res of [
      await post('/api/v1/training-jobs/train-20200101-000000-abcd/stop'),
      await app.inject({ url: '/api/v1/training-jobs/train-20200101-000000-abcd', headers: auth }),
      await app.inject({ url: '/api/v1/training-jobs/no-such-job/logs', headers: auth }),
      await app.inject({ url: '/api/v1/training-jobs/no-such-job/wait?timeoutSeconds=1', headers: auth }),
    ]) {
      assert.equal(res.statusCode, 404, res.body);
      assert.equal(res.json().error.code, 'NOT_FOUND');
    }
    assert.match((await post('/api/v1/training-jobs/nope/stop')).json().error.message, /"nope" does not exist/);
  });

  it('refuses bad requests with the field named: types, unknown fields, values, tables, waits', async () => {
    const cases: [object, number, RegExp][] = [
      [{ input: 'svc_ml.public.ratings', output: 'svc_ml.public.o', folds: '3' }, 400, /body\.folds must be integer/],
      [{ input: 'svc_ml.public.ratings', output: 'svc_ml.public.o', fold: 3 }, 400, /body\.fold is not a known field/],
      [{ input: 'svc_ml.public.ratings', output: 'svc_ml.public.o', folds: 1 }, 400, /folds must be 0 .* or at least 2/],
      [{ input: 'svc_ml.public.ratings', output: 'svc_ml.public.o', algorithm: 'knn' }, 400, /knn/],
      [{ input: 'svc_ml.public.missing', output: 'svc_ml.public.o' }, 404, /MISSING/i],
      [{ input: 'ratings; drop table x', output: 'o', database: 'svc_ml' }, 400, /invalid object name/],
      [{ input: 'ratings', output: 'o' }, 409, /current database/],
      [{ input: 'ratings', output: 'o', database: 'no_such_db' }, 404, /NO_SUCH_DB/i],
    ];
    for (const [body, status, message] of cases) {
      const res = await post('/api/v1/training-jobs', body);
      assert.equal(res.statusCode, status, `${JSON.stringify(body)} → ${res.body}`);
      assert.match(res.json().error.message, message);
    }
    for (const q of ['timeoutSeconds=abc', 'timeoutSeconds=301', 'timeout=1']) {
      const res = await app.inject({ url: `/api/v1/training-jobs/${completed.name}/wait?${q}`, headers: auth });
      assert.equal(res.statusCode, 400, q);
      assert.equal(res.json().error.code, 'INVALID_ARGUMENT');
    }
  });

  it("mounts the endpoint routes: deploys a job's artifact through the API and serves invocations", async () => {
    const deploy = await post('/api/v1/endpoints', { name: 'svc-model', artifactUri: completed.artifactUri as string });
    assert.equal(deploy.statusCode, 202, deploy.body);
    assert.equal(deploy.json().status, 'Creating');
    await engine.endpoints.waitFor('svc-model', 'InService', 10_000);
    const described = (await app.inject({ url: '/api/v1/endpoints/svc-model', headers: auth })).json();
    assert.equal(described.status, 'InService');
    assert.equal(described.model.users, 20);

    const invoke = await app.inject({
      method: 'POST',
      url: '/endpoints/svc-model/invocations',
      headers: { ...auth, 'content-type': 'text/csv' },
      payload: '1,2\n3,5\n',
    });
    assert.equal(invoke.statusCode, 200, invoke.body);
    const predictions = invoke.body.trim().split('\n').map(Number);
    const expected = [engine.endpoints.invokeOne('svc-model', 1, 2), engine.endpoints.invokeOne('svc-model', 3, 5)];
    assert.deepEqual(predictions, expected, 'the HTTP route answers what the endpoint predicts');
    assert.ok(predictions.every((p) => p >= 0.5 && p <= 5));

    const unknown = await app.inject({
      method: 'POST',
      url: '/endpoints/nope/invocations',
      headers: { ...auth, 'content-type': 'text/csv' },
      payload: '1,2\n',
    });
    assert.equal(unknown.statusCode, 404);
    assert.deepEqual(Object.keys(unknown.json().error).sort(), ['code', 'message'], "the service's error shape");
    const badDeploy = await post('/api/v1/endpoints', { name: 'x', artifactUri: 'file:///nope', extra: 1 });
    assert.equal(badDeploy.statusCode, 400);
    assert.equal(badDeploy.json().error.code, 'INVALID_ARGUMENT');
    const deleted = await app.inject({ method: 'DELETE', url: '/api/v1/endpoints/svc-model', headers: auth });
    assert.equal(deleted.statusCode, 200);
    assert.equal((await app.inject({ url: '/api/v1/endpoints/svc-model', headers: auth })).statusCode, 404);
  });

  it('documents the training-jobs and endpoint routes in the OpenAPI document', async () => {
    const doc = (await app.inject({ url: '/openapi.json', headers: auth })).json<{
      paths: Record<string, Record<string, { responses: Record<string, { content?: object }> }>>;
    }>();
    const paths = doc.paths;
    assert.ok(paths['/api/v1/training-jobs']?.get && paths['/api/v1/training-jobs']?.post);
    for (const p of ['/api/v1/training-jobs/{name}', '/api/v1/training-jobs/{name}/logs', '/api/v1/training-jobs/{name}/wait'])
      assert.ok(paths[p]?.get, p);
    assert.ok(paths['/api/v1/training-jobs/{name}/stop']?.post);
    assert.ok(paths['/endpoints/{name}/invocations']?.post);
    assert.ok(paths['/api/v1/endpoints']?.post);
    assert.deepEqual(Object.keys(paths['/api/v1/training-jobs/{name}/logs'].get.responses['200'].content ?? {}), ['text/plain']);
  });
});
