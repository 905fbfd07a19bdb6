import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readArtifact } from '../../src/artifacts/index.js';
import { Predictor, type Dataset } from '../../src/core/index.js';
import type { JobManager, TrainingJob } from '../../src/jobs/index.js';
import { loadKernels } from '../../src/kernels/index.js';
import { runTraining, type TrainingOutcome } from '../../src/training/index.js';
import { mlSmall, sharedDataSkip } from '../support/shared-data.js';
import { closeKeepingHome, loadMovieLensRatings, openFixture, table, type JobsFixture } from './jobs-fixture.js';
import { ratingsFromText } from '../support/ratings-text.js';

/** The first `rows` ratings of ratings.csv parsed in-process, as `recpipe train` reads them. */
function csvDataset(rows: number): Dataset {
  const lines = readFileSync(mlSmall('ratings.csv'), 'utf8').split('\n');
  return ratingsFromText(lines.slice(0, rows + 1).join('\n'), { source: 'ratings.csv' }).dataset;
}

/** The same training in this thread (same data order, seed and kernels), to check the job against. */
function trainInProcess(dataset: Dataset, params: Record<string, unknown>): Promise<TrainingOutcome> {
  const quiet = { phase: () => undefined, tick: () => undefined, log: () => undefined };
  return runTraining(
    { dataset, algorithm: 'svd', params, evaluation: { kind: 'kfold', folds: 5 }, seed: 0, topN: 10 },
    { kernels: loadKernels('auto'), clock: () => performance.now() },
    quiet,
  );
}

interface OutputRow {
  user: number;
  recommendations: number[];
}

async function outputRows(fx: JobsFixture, name: string): Promise<OutputRow[]> {
  const r = await fx.warehouse.run(`SELECT USERID, RECOMMENDATIONS FROM MOVIELENS.PUBLIC.${name} ORDER BY USERID`);
  return r.rows.map(([user, recs]) => ({ user: user as number, recommendations: recs as number[] }));
}

/** Recommended movies the user already rated in the input table (there must be none). */
async function alreadyRated(fx: JobsFixture, output: string, input: string): Promise<number> {
  const r = await fx.warehouse.run(
    `SELECT count(*) FROM (SELECT USERID, unnest(from_json(RECOMMENDATIONS, '["BIGINT"]')) AS MOVIEID FROM MOVIELENS.PUBLIC.${output}) AS rec
       JOIN MOVIELENS.PUBLIC.${input} AS rated ON rated.USERID = rec.USERID AND rated.MOVIEID = rec.MOVIEID`,
  );
  return Number(r.rows[0][0]);
}

describe("training jobs: the guide's train_and_get_recommendations on ml-latest-small", { skip: sharedDataSkip }, () => {
  let fx: JobsFixture;
  let jobs: JobManager;

  before(async () => {
    fx = await openFixture();
    await loadMovieLensRatings(fx.warehouse);
    jobs = await fx.manager();
  });
  after(() => fx?.cleanup());

  it('trains on the first 10,000 ratings into the pre-created output table, exactly as the same training in-process', async () => {
    // The guide: create or replace table ratings_train_data as (select * from ratings limit 10000);
    //            create or replace table user_movie_recommendations (USERID float, RECOMMENDATIONS variant);
    await fx.warehouse.run('CREATE TABLE MOVIELENS.PUBLIC.RATINGS_TRAIN_DATA AS SELECT * FROM MOVIELENS.PUBLIC.RATINGS LIMIT 10000');
    await fx.warehouse.run('CREATE TABLE MOVIELENS.PUBLIC.USER_MOVIE_RECOMMENDATIONS (USERID DOUBLE, RECOMMENDATIONS JSON)');
    const params = { n_factors: 20, n_epochs: 10 };
    const started = await jobs.start({
      input: table('RATINGS_TRAIN_DATA'),
      output: table('USER_MOVIE_RECOMMENDATIONS'),
      hyperparameters: params,
    });
    assert.deepEqual([started.status, started.secondaryStatus], ['InProgress', 'Starting']);
    assert.match(started.name, /^train-\d{8}-\d{6}-[0-9a-f]{4}$/);
    const job = await jobs.wait(started.name, { timeoutMs: 150_000 });
    assert.equal(job.status, 'Completed', job.failureReason ?? '');
    assert.deepEqual(
      job.secondaryStatusTransitions.map((t) => t.status),
      ['Starting', 'Downloading', 'Training', 'Uploading', 'Completed'],
    );
    const times = job.secondaryStatusTransitions.flatMap((t) => [t.startTime, t.endTime as string]);
    assert.deepEqual([...times].sort(), times, 'transitions are closed in time order');

    const expected = await trainInProcess(csvDataset(10_000), params);
    assert.equal(job.metrics?.data.rowsRead, 10_000);
    assert.equal(job.metrics?.cv?.folds.length, 5);
    assert.deepEqual(
      job.metrics?.cv?.folds.map((f) => [f.rmse, f.mae]),
      expected.cv?.folds.map((f) => [f.rmse, f.mae]),
      'same folds, same seed: the same per-fold RMSE and MAE as in-process cross-validation',
    );

    const rows = await outputRows(fx, 'USER_MOVIE_RECOMMENDATIONS');
    assert.equal(rows.length, expected.model.userIds.length, 'one row per user of the input');
    const columns = await fx.warehouse.tableColumns(table('USER_MOVIE_RECOMMENDATIONS'));
    assert.deepEqual(
      columns?.map((c) => [c.name, c.type]),
      [
        ['USERID', 'DOUBLE'],
        ['RECOMMENDATIONS', 'JSON'],
      ],
      "the existing table's USERID type is kept",
    );
    const byUser = new Map(expected.recommendations.map((r) => [Number(r.user), r.items.map(Number)]));
    for (const row of rows) {
      assert.equal(new Set(row.recommendations).size, 10, `user ${row.user} gets 10 distinct movies`);
      assert.deepEqual(row.recommendations, byUser.get(row.user), `user ${row.user}: the in-process top-10`);
    }
    assert.equal(
      await alreadyRated(fx, 'USER_MOVIE_RECOMMENDATIONS', 'RATINGS_TRAIN_DATA'),
      0,
      'no recommended movie was rated by its user',
    );

    const artifact = job.artifactUri ?? assert.fail('a completed job has an artifact');
    assert.equal(fileURLToPath(artifact), join(fx.home, 'artifacts', job.name, 'model'));
    const { model, manifest } = await readArtifact(artifact);
    assert.equal(manifest.trainingData.source, 'MOVIELENS.PUBLIC.RATINGS_TRAIN_DATA');
    assert.equal(manifest.trainingData.ratings, 10_000);
    assert.equal((manifest.metrics as { mean: { rmse: number } }).mean.rmse, job.metrics?.cv?.mean.rmse);
    const fromArtifact = new Predictor(model);
    const inProcess = new Predictor(expected.model);
    for (const [u, i] of [
      [1, 1],
      [1, 610],
      [5, 18],
      [10, 297],
      ['10', '313.0'],
      [66, 999_999],
      [999, 1],
    ] as const) {
      assert.equal(fromArtifact.predict(u, i), inProcess.predict(u, i), `prediction for (${u}, ${i})`);
    }

    const log = await jobs.logs(job.name);
    assert.match(log, /Evaluating RMSE, MAE of algorithm SVD on 5 split\(s\)\./);
    assert.match(
      log,
      new RegExp(`Top 10 predictions for all ${rows.length} users saved to table MOVIELENS\\.PUBLIC\\.USER_MOVIE_RECOMMENDATIONS`),
    );
    assert.ok(existsSync(join(fx.home, 'jobs', job.name, 'job.json')));
  });

  it('trains the default SVD on all 100,836 ratings, creating the output table, while SQL keeps being answered', async () => {
    const started = await jobs.start({ input: table('RATINGS'), output: table('ALL_RECOMMENDATIONS') });
    let answered = 0;
    while (jobs.get(started.name).status === 'InProgress') {
      const r = await fx.warehouse.run('SELECT count(*) FROM MOVIELENS.PUBLIC.RATINGS');
      assert.equal(r.rows[0][0], 100_836);
      if (jobs.get(started.name).secondaryStatus === 'Training') answered++;
    }
    const job = await jobs.wait(started.name);
    assert.equal(job.status, 'Completed', job.failureReason ?? '');
    assert.ok(answered >= 5, `the owner thread answered only ${answered} queries while the job trained`);
    const m = job.metrics as NonNullable<TrainingJob['metrics']>;
    assert.deepEqual([m.data.rowsRead, m.data.users, m.data.items, m.rowsWritten], [100_836, 610, 9_724, 610]);
    assert.ok(m.cv && m.cv.mean.rmse > 0.86 && m.cv.mean.rmse < 0.89, `mean RMSE ${m.cv?.mean.rmse} is where Surprise's SVD lands (.8726)`);
    assert.equal(m.fullFit.trainRmse.length, 20);
    assert.ok(m.phases.totalSeconds >= m.phases.downloadingSeconds + m.phases.trainingSeconds + m.phases.uploadingSeconds - 1e-9);

    const columns = await fx.warehouse.tableColumns(table('ALL_RECOMMENDATIONS'));
    assert.deepEqual(
      columns?.map((c) => [c.name, c.type]),
      [
        ['USERID', 'BIGINT'],
        ['RECOMMENDATIONS', 'JSON'],
      ],
    );
    const rows = await outputRows(fx, 'ALL_RECOMMENDATIONS');
    assert.equal(rows.length, 610);
    assert.ok(rows.every((r) => r.recommendations.length === 10 && new Set(r.recommendations).size === 10));
    assert.equal(await alreadyRated(fx, 'ALL_RECOMMENDATIONS', 'RATINGS'), 0);
  });

  it('keeps its history across a restart', async () => {
    const before = jobs.list();
    await closeKeepingHome(fx, jobs);
    const reopened = await openFixture(fx.home);
    fx = reopened;
    jobs = await fx.manager();
    assert.deepEqual(jobs.list(), before);
    assert.ok(jobs.list().every((j) => j.status === 'Completed'));
    assert.match(await jobs.logs(before[0].name), /Training complete/);
  });
});
