import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { readArtifact } from '../../src/artifacts/index.js';
import { Engine, type Session } from '../../src/engine/index.js';
import type { TrainingJob } from '../../src/jobs/index.js';
import { createService } from '../../src/service/index.js';
import { authHeaders } from '../support/auth.js';
import { syntheticRatingsSql } from '../support/ratings-sql.js';
import { sql, tempDir } from '../support/temp-engine.js';

/** train_and_get_recommendations with a search: the job runs the search, reports its trials and keeps the best model. */
describe('search jobs from SQL', () => {
  const files = tempDir();
  let engine: Engine;
  let s: Session;
  let app: FastifyInstance;
  before(async () => {
    engine = await Engine.open({ home: files.dir });
    s = engine.createSession();
    await engine.execute(s, syntheticRatingsSql('tune_ml', 'ratings', 40, 60));
    app = await createService(engine, { home: files.dir });
  });
  after(async () => {
    await app.close();
    await engine.close();
    files.remove();
  });

  const start = async (options: object): Promise<string> => {
    const r = await sql(
      engine,
      s,
      `select train_and_get_recommendations('ratings', 'recs', parse_json('${JSON.stringify(options)}')) as j`,
    );
    return (r.rows[0][0] as { TrainingJobName: string }).TrainingJobName;
  };

  it('runs a TPE search as the training job; its model, trials and description follow the best', async () => {
    const name = await start({
      folds: 3,
      search: {
        algorithms: ['svd', 'baseline'],
        time_budget: 60,
        max_trials: 6,
        space: { svd: { n_factors: { int: [2, 6] }, n_epochs: [3, 6] } },
      },
    });
    const job = await engine.jobs.wait(name, { timeoutMs: 150_000 });
    assert.equal(job.status, 'Completed', job.failureReason ?? '');
    const search = job.metrics?.search;
    assert.ok(search, 'the job reports its search');
    assert.equal(search.trials.length, 6);
    const ok = search.trials.filter((t) => t.status === 'ok');
    const best = ok.reduce((a, b) => (b.rmse < a.rmse ? b : a));
    assert.equal(search.best?.rmse, best.rmse);
    assert.equal(search.best?.algorithm, best.algorithm);
    // The job's cross-validation figures are the best trial's folds.
    assert.deepEqual(
      job.metrics?.cv?.folds.map((f) => f.rmse),
      best.folds.map((f) => f.rmse),
    );
    const { manifest } = await readArtifact(job.artifactUri as string);
    assert.equal(manifest.algorithm, best.algorithm);
    const logs = await engine.jobs.logs(name);
    assert.match(logs, /Searching \(TPE over svd, baseline, time budget 60 s\) on 3 folds by mean RMSE/);
    assert.match(logs, /trial +6 (svd|baseline) +(RMSE|pruned after fold 1: RMSE)/);
    assert.match(logs, /Best of 6 trials \(max trials\)/);

    const described = Object.fromEntries((await sql(engine, s, `describe training job ${name}`)).rows as [string, unknown][]);
    const value = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
    assert.equal(value(described.Search).max_trials, 6);
    const metrics = value(described.FinalMetrics) as { search: { trials: unknown[] } };
    assert.equal(metrics.search.trials.length, 6);
    const res = await app.inject({ url: `/api/v1/training-jobs/${name}`, headers: authHeaders(files.dir) });
    assert.equal(res.statusCode, 200, res.body);
    const http = res.json<TrainingJob>();
    assert.equal(http.metrics?.search?.trials.length, 6);
    assert.deepEqual(http.metrics?.search?.best, search.best);
    assert.equal((http.spec.search as { max_trials: number }).max_trials, 6);
    const recs = await sql(engine, s, 'select count(*) from recs');
    assert.equal(Number(recs.rows[0][0]), 40);
  });

  it("runs a GridSearchCV over the job's algorithm and keeps its best parameters", async () => {
    const name = await start({ algorithm: 'svd', folds: 2, search: { param_grid: { n_factors: [2, 4], n_epochs: [2, 8] } } });
    const job = await engine.jobs.wait(name, { timeoutMs: 120_000 });
    assert.equal(job.status, 'Completed', job.failureReason ?? '');
    const search = job.metrics?.search;
    assert.equal(search?.method, 'grid');
    assert.equal(search?.trials.length, 4);
    const { manifest } = await readArtifact(job.artifactUri as string);
    assert.equal(manifest.nFactors, search?.best?.params.n_factors);
    assert.equal((manifest.hyperparameters as { nEpochs: number }).nEpochs, search?.best?.params.n_epochs);
  });

  it('refuses a bad search when called, before any job starts', async () => {
    const before = engine.jobs.list().length;
    const cases: [object, RegExp][] = [
      [{ search: { param_grid: { n_factor: [1] } } }, /unknown parameter 'n_factor' for algorithm svd/],
      [{ folds: 0, search: {} }, /a search compares candidates by cross-validation and needs folds ≥ 2/],
      [{ hyperparameters: { n_factors: 3 }, search: {} }, /give either hyperparameters or a search/],
      [{ search: { time_budget: 100 }, max_runtime_seconds: 60 }, /leaves no time for the final fit/],
      [{ search: { algorithms: ['svd'], space: { svdpp: { n_factors: [2] } } } }, /not among the searched algorithms/],
    ];
    for (const [options, message] of cases) await assert.rejects(start(options), message, JSON.stringify(options));
    assert.equal(engine.jobs.list().length, before);
  });
});
