import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { readArtifact } from '../../src/artifacts/index.js';
import { Engine, type Session } from '../../src/engine/index.js';
import type { Trial } from '../../src/core/index.js';
import type { TrainingJob } from '../../src/jobs/index.js';
import { createService } from '../../src/service/index.js';
import { authHeaders } from '../support/auth.js';
import { recpipeInProcess } from '../support/cli-in-process.js';
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
    // Six trials, then the blend stacked from their held-out predictions.
    assert.equal(search.trials.length, 7);
    assert.equal(search.trials[6].algorithm, 'blend');
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
    assert.equal(manifest.family, best.algorithm === 'blend' ? 'blend' : 'factor');
    const logs = await engine.jobs.logs(name);
    assert.match(logs, /Searching \(TPE over svd, baseline, time budget 60 s\) on 3 folds by mean RMSE/);
    assert.match(logs, /trial +6 (svd|baseline) +(RMSE|pruned after fold 1: RMSE)/);
    assert.match(logs, /trial +7 blend +RMSE/);
    assert.match(logs, /Best of 7 trials \(max trials\)/);

    const described = Object.fromEntries((await sql(engine, s, `describe training job ${name}`)).rows as [string, unknown][]);
    const value = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
    assert.equal(value(described.Search).max_trials, 6);
    const metrics = value(described.FinalMetrics) as { search: { trials: unknown[] } };
    assert.equal(metrics.search.trials.length, 7);
    const res = await app.inject({ url: `/api/v1/training-jobs/${name}`, headers: authHeaders(files.dir) });
    assert.equal(res.statusCode, 200, res.body);
    const http = res.json<TrainingJob>();
    assert.equal(http.metrics?.search?.trials.length, 7);
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

  it('writes every trial of the search into its results_table, best first, and describes the best', async () => {
    const name = await start({
      folds: 2,
      search: {
        algorithms: ['svd', 'baseline'],
        max_trials: 5,
        time_budget: 60,
        blend: false,
        space: { svd: { n_factors: { int: [2, 6] }, n_epochs: [3, 6] } },
        results_table: 'search_trials',
      },
    });
    const job = await engine.jobs.wait(name, { timeoutMs: 150_000 });
    assert.equal(job.status, 'Completed', job.failureReason ?? '');
    const search = job.metrics?.search;
    assert.ok(search?.best);
    const rows = (
      await sql(
        engine,
        s,
        'select rank, trial, algorithm, params, state, rmse, mae, folds, fold_rmse, seconds, best from search_trials order by rank',
      )
    ).rows;
    assert.equal(rows.length, 5);
    const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
    for (const [r, row] of rows.entries()) {
      const [rank, trialNo, algorithm, params, state, rmse, , folds, foldRmse, seconds] = row;
      const trial: Trial | undefined = search.trials.find((t) => t.number === Number(trialNo));
      assert.ok(trial, `row ${r + 1} names trial ${trialNo}`);
      assert.equal(Number(rank), r + 1);
      assert.equal(algorithm, trial.algorithm);
      assert.deepEqual(json(params), trial.params);
      assert.equal(state, { ok: 'complete', pruned: 'pruned', failed: 'failed' }[trial.status]);
      assert.equal(Number(rmse), trial.rmse);
      assert.equal(Number(folds), trial.folds.length);
      assert.deepEqual(
        json(foldRmse),
        trial.folds.map((f) => f.rmse),
      );
      assert.ok(Number(seconds) > 0);
    }
    // Complete trials lead, by RMSE; the first row is the job's model.
    assert.equal(rows[0][4], 'complete');
    assert.equal(Number(rows[0][1]), search.best.trial);
    assert.equal(rows[0][10], true);
    assert.equal(rows.filter((row) => row[10] === true).length, 1);
    const complete = rows.filter((row) => row[4] === 'complete').map((row) => Number(row[5]));
    assert.deepEqual(
      complete,
      [...complete].sort((a, b) => a - b),
    );
    // Parameters are a VARIANT: its fields are reachable from SQL.
    const best = await sql(engine, s, 'select params:n_factors::int from search_trials where best');
    if (search.best.algorithm === 'svd') assert.equal(Number(best.rows[0][0]), search.best.params.n_factors);

    const described = Object.fromEntries((await sql(engine, s, `describe training job ${name}`)).rows as [string, unknown][]);
    const value = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
    assert.deepEqual(value(described.SearchBest), search.best);
    assert.equal(described.SearchResultsTable, 'TUNE_ML.PUBLIC.SEARCH_TRIALS');
    assert.match(await engine.jobs.logs(name), /The search's 5 trials saved to table TUNE_ML\.PUBLIC\.SEARCH_TRIALS, best first/);
  });

  it("trains timeSVD on the table's timestamp column: the same model as recpipe train on the same ratings file", async () => {
    // 30 users × 40 movies, every third pair rated, on days spread over a year (epoch seconds).
    const rows: [number, number, number, number][] = [];
    for (let u = 1; u <= 30; u++)
      for (let i = 1; i <= 40; i++)
        if ((u + 2 * i) % 3 === 0)
          rows.push([u, i, ((u * 7 + i * 11) % 9) / 2 + 1, 1_500_000_000 + ((u * 37 + i * 101) % 365) * 86_400 + u * 60]);
    const csv = join(files.dir, 'timed.csv');
    writeFileSync(csv, `user,item,rating,timestamp\n${rows.map((r) => r.join(',')).join('\n')}\n`);
    const iso = (t: number) => new Date(t * 1000).toISOString().replace('T', ' ').replace('Z', '');
    await engine.execute(
      s,
      'create table timed (userid int, movieid int, rating float, timestamp timestamp_ntz); ' +
        `insert into timed values ${rows.map(([u, i, r, t]) => `(${u}, ${i}, ${r}, '${iso(t)}')`).join(', ')}; ` +
        'create table timed_epoch (userid int, movieid int, rating float, rated_at bigint); ' +
        `insert into timed_epoch values ${rows.map(([u, i, r, t]) => `(${u}, ${i}, ${r}, ${t})`).join(', ')}`,
    );
    const params = { n_factors: 4, n_epochs: 8 };
    const viaSql = async (table: string, extra: object) => {
      const r = await sql(
        engine,
        s,
        `select train_and_get_recommendations('${table}', '${table}_recs', parse_json('${JSON.stringify({ algorithm: 'timesvd', hyperparameters: params, folds: 0, ...extra })}')) as j`,
      );
      const job = await engine.jobs.wait((r.rows[0][0] as { TrainingJobName: string }).TrainingJobName, { timeoutMs: 120_000 });
      assert.equal(job.status, 'Completed', job.failureReason ?? '');
      return (await readArtifact(job.artifactUri as string)).manifest;
    };
    const cliDir = join(files.dir, 'timesvd-cli');
    const cli = await recpipeInProcess([
      'train',
      '--ratings',
      csv,
      '--model',
      cliDir,
      '--algo',
      'timesvd',
      '--param',
      'n_factors=4',
      '--param',
      'n_epochs=8',
      '--cv',
      '0',
      '--top-n',
      '0',
    ]);
    assert.equal(cli.code, 0, cli.stderr);
    const fromFile = (await readArtifact(cliDir)).manifest;
    const arrays = (m: typeof fromFile) =>
      Object.fromEntries(m.files.filter((f) => /factors|bias/.test(f.name)).map((f) => [f.name, f.sha256]));
    assert.ok(Object.keys(arrays(fromFile)).length >= 4, JSON.stringify(fromFile.files));
    // A TIMESTAMP column found by its name, and a number of epoch seconds named in the options.
    assert.deepEqual(arrays(await viaSql('timed', {})), arrays(fromFile));
    assert.deepEqual(arrays(await viaSql('timed_epoch', { timestamp_column: 'rated_at' })), arrays(fromFile));
    // Without the column the job says what is missing.
    const r = await sql(
      engine,
      s,
      `select train_and_get_recommendations('timed_epoch', 'x_recs', parse_json('${JSON.stringify({ algorithm: 'timesvd', folds: 0 })}')) as j`,
    );
    const failed = await engine.jobs.wait((r.rows[0][0] as { TrainingJobName: string }).TrainingJobName, { timeoutMs: 120_000 });
    assert.equal(failed.status, 'Failed');
    assert.match(failed.failureReason ?? '', /timesvd needs the ratings' timestamps/);
  });

  it('refuses a bad search when called, before any job starts', async () => {
    const before = engine.jobs.list().length;
    const cases: [object, RegExp][] = [
      [{ search: { param_grid: { n_factor: [1] } } }, /unknown parameter 'n_factor' for algorithm svd/],
      [{ folds: 0, search: {} }, /a search compares candidates by cross-validation and needs folds ≥ 2/],
      [{ hyperparameters: { n_factors: 3 }, search: {} }, /give either hyperparameters or a search/],
      [{ search: { time_budget: 100 }, max_runtime_seconds: 60 }, /leaves no time for the final fit/],
      [{ search: { algorithms: ['svd'], space: { svdpp: { n_factors: [2] } } } }, /not among the searched algorithms/],
      [{ search: { algorithms: ['wrmf'] } }, /wrmf is a ranking model: its scores are relevance, not ratings/],
      [{ search: { algorithms: ['svd'], results_table: 'recs' } }, /results_table TUNE_ML\.PUBLIC\.RECS is the job's output table/],
      [{ search: { algorithms: ['svd'], results_table: 'x; drop table ratings' } }, /invalid object name 'x; drop table ratings'/],
    ];
    for (const [options, message] of cases) await assert.rejects(start(options), message, JSON.stringify(options));
    assert.equal(engine.jobs.list().length, before);
    // The tables are checked as the job starts, and the call fails with the reason.
    await assert.rejects(start({ timestamp_column: 'no such' }), /input table TUNE_ML\.PUBLIC\.RATINGS has no timestamp column no such/);
  });
});
