import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readArtifact } from '../../src/artifacts/index.js';
import { Predictor } from '../../src/core/index.js';
import { syntheticMovieLens } from '../../src/datasets/synthetic.js';
import { Engine, type Session } from '../../src/engine/index.js';
import { mlSmall, sharedDataSkip } from '../support/shared-data.js';
import { sql, tempDir } from '../support/temp-engine.js';
import { ratingsFromText } from '../support/ratings-text.js';

/** The guide's Lab 4 entirely in SQL: train from a table, read the output table, deploy, invoke, recommend. */
describe("the guide's Lab 4 in SQL (synthetic MovieLens)", () => {
  const files = tempDir();
  const sample = syntheticMovieLens(60, 300, 25, 5);
  let engine: Engine;
  let s: Session;
  let jobName = '';
  const quick = `parse_json('{"folds": 0, "hyperparameters": {"n_factors": 8, "n_epochs": 10}}')`;

  before(async () => {
    writeFileSync(join(files.dir, 'ratings.csv'), sample.ratingsCsv);
    writeFileSync(join(files.dir, 'movies.csv'), sample.moviesCsv);
    engine = await Engine.open({ home: join(files.dir, 'home') });
    s = engine.createSession();
    await engine.execute(
      s,
      `create database MOVIELENS; use schema movielens.public;
       create table movies (movieid int, title varchar, genres varchar);
       create or replace table ratings (userid int, movieid int, rating float, timestamp timestamp_ntz);
       create or replace file format MOVIELENS type=csv skip_header=1 field_optionally_enclosed_by='"';
       copy into movies from 'file://${files.dir}/movies.csv' file_format=(format_name=MOVIELENS);
       copy into ratings from 'file://${files.dir}/ratings.csv' file_format=(format_name=MOVIELENS);
       create or replace table ratings_train_data as (select USERID, MOVIEID, RATING from ratings);
       create or replace table user_movie_recommendations (USERID float, RECOMMENDATIONS variant);`,
    );
  });
  after(async () => {
    await engine.close();
    files.remove();
  });

  it('train_and_get_recommendations answers at once with the job, which fills the output table', async () => {
    const r = await sql(
      engine,
      s,
      `select train_and_get_recommendations('MOVIELENS.PUBLIC.ratings_train_data', 'user_movie_recommendations', ${quick}) as job`,
    );
    const started = r.rows[0][0] as Record<string, string>;
    assert.equal(started.TrainingJobStatus, 'InProgress');
    assert.equal(started.OutputTable, 'MOVIELENS.PUBLIC.USER_MOVIE_RECOMMENDATIONS');
    jobName = started.TrainingJobName;
    const done = await engine.jobs.wait(jobName, { timeoutMs: 150_000 });
    assert.equal(done.status, 'Completed', done.failureReason ?? '');

    const { dataset } = ratingsFromText(sample.ratingsCsv, { source: 'sample' });
    const rated = new Map<string, Set<string>>();
    for (let x = 0; x < dataset.size; x++) {
      const u = dataset.userIds.raw(dataset.users[x]);
      if (!rated.has(u)) rated.set(u, new Set());
      rated.get(u)!.add(dataset.itemIds.raw(dataset.items[x]));
    }
    const out = await sql(engine, s, 'select USERID, RECOMMENDATIONS from user_movie_recommendations');
    assert.equal(out.rows.length, dataset.userIds.size);
    for (const [user, recs] of out.rows as [number, number[]][]) {
      assert.equal(recs.length, 10);
      assert.equal(new Set(recs).size, 10);
      for (const item of recs) assert.ok(!rated.get(String(user))!.has(String(item)), `user ${user} already rated ${item}`);
    }
  });

  it('SHOW TRAINING JOBS and DESCRIBE TRAINING JOB report the job', async () => {
    const shown = await sql(engine, s, "show training jobs like 'train-%'");
    assert.ok(shown.rows.some((row) => row[0] === jobName && row[1] === 'Completed'));
    const described = await sql(engine, s, `describe training job ${jobName}`);
    const props = Object.fromEntries(described.rows as [string, string][]);
    assert.equal(props.TrainingJobStatus, 'Completed');
    assert.match(props.ModelArtifact, /^file:\/\/.*\/model$/);
    await assert.rejects(
      engine.execute(s, "describe training job 'train-20000101-000000-beef'"),
      /Training Job 'train-20000101-000000-beef' does not exist/,
    );
  });

  it('deploy_model takes the job, invoke_model scores FLOAT ids like the artifact, recommend excludes rated items', async () => {
    const d = await sql(engine, s, `select deploy_model('movielens-model-v1', '${jobName}') as d`);
    assert.equal((d.rows[0][0] as Record<string, string>).EndpointStatus, 'Creating');
    await engine.endpoints.waitFor('movielens-model-v1', 'InService', 10_000);
    await engine.execute(
      s,
      `create or replace table no_ratings (USERID float, MOVIEID float);
      insert into no_ratings (USERID, MOVIEID) values ('1', '61'), ('10', '31'), ('10', '29'), ('5', '18'), ('5', '19'), (NULL, '5'), ('999999', '7');`,
    );
    const r = await sql(
      engine,
      s,
      `select nr.USERID, nr.MOVIEID, invoke_model('movielens-model-v1', nr.USERID, nr.MOVIEID) as rating_prediction from no_ratings nr`,
    );
    const { model } = await readArtifact(engine.jobs.get(jobName).artifactUri!);
    const p = new Predictor(model);
    for (const [u, i, pred] of r.rows as [number | null, number, number | null][]) {
      if (u === null) assert.equal(pred, null);
      else assert.equal(pred, p.predict(String(u), String(i)));
    }
    const join = await sql(
      engine,
      s,
      `select m.title, invoke_model('movielens-model-v1', nr.USERID, nr.MOVIEID) p from no_ratings nr, movies m where nr.movieid = m.movieid`,
    );
    assert.ok(join.rows.length >= 5 && join.rows.every((row) => typeof row[0] === 'string'));
    const rec = await sql(engine, s, `select recommend('movielens-model-v1', '1', 5) r`);
    const out = await sql(engine, s, `select RECOMMENDATIONS from user_movie_recommendations where USERID = 1`);
    assert.deepEqual(rec.rows[0][0], (out.rows[0][0] as number[]).slice(0, 5));
    const shown = await sql(engine, s, 'show endpoints');
    assert.deepEqual(
      shown.rows.map((row) => [row[0], row[1]]),
      [['movielens-model-v1', 'InService']],
    );
  });

  it("accepts the guide's output table (USERID float, TOP_10_RECOMMENDATIONS variant) and reports the mapping", async () => {
    await engine.execute(s, 'create or replace table guide_recs (USERID float, TOP_10_RECOMMENDATIONS variant)');
    const r = await sql(engine, s, `select train_and_get_recommendations('ratings_train_data', 'guide_recs', ${quick}) as j`);
    const name = (r.rows[0][0] as Record<string, string>).TrainingJobName;
    const job = await engine.jobs.wait(name, { timeoutMs: 150_000 });
    assert.equal(job.status, 'Completed', job.failureReason ?? '');
    const out = await sql(engine, s, 'select count(*), min(json_array_length(TOP_10_RECOMMENDATIONS)) from guide_recs');
    assert.deepEqual(out.rows[0], [60, 10]);
    const described = Object.fromEntries((await sql(engine, s, `describe training job ${name}`)).rows as [string, string][]);
    assert.equal(described.OutputColumns, 'USERID (user id), TOP_10_RECOMMENDATIONS (recommendations)');
    assert.equal(described.InputColumns, 'USERID (user id), MOVIEID (item id), RATING (rating)');
  });

  it('fails the calling statement for a missing or empty input table and an output table of the wrong shape', async () => {
    const before = engine.jobs.list().length;
    await assert.rejects(engine.execute(s, `select train_and_get_recommendations('no_such_table', 'out2')`), (e: Error) => {
      assert.match(e.message, /input table MOVIELENS\.PUBLIC\.NO_SUCH_TABLE does not exist \(training job train-\S+ failed\)/);
      return true;
    });
    await engine.execute(s, 'create or replace table empty_ratings (userid int, movieid int, rating float)');
    await assert.rejects(
      engine.execute(s, `select train_and_get_recommendations('empty_ratings', 'out2')`),
      /input table MOVIELENS\.PUBLIC\.EMPTY_RATINGS is empty/,
    );
    await engine.execute(
      s,
      'create or replace table two_variants (a variant, b variant); create or replace table three_cols (u int, r variant, x int)',
    );
    await assert.rejects(
      engine.execute(s, `select train_and_get_recommendations('ratings_train_data', 'two_variants')`),
      /cannot tell which column holds the recommendations/,
    );
    await assert.rejects(
      engine.execute(s, `select train_and_get_recommendations('ratings_train_data', 'three_cols')`),
      /has 3 column\(s\) \(U BIGINT, R JSON, X BIGINT\)/,
    );
    const failed = engine.jobs.list().slice(0, engine.jobs.list().length - before);
    assert.equal(failed.length, 4);
    assert.ok(failed.every((j) => j.status === 'Failed' && j.metrics === null));
  });

  it('logs a counted warning for ratings outside 0–10', async () => {
    await engine.execute(
      s,
      `create or replace table odd_ratings as select * from ratings_train_data; insert into odd_ratings values (999991, 2, -3), (999992, 3, 50)`,
    );
    const r = await sql(engine, s, `select train_and_get_recommendations('odd_ratings', 'odd_recs', ${quick}) as j`);
    const name = (r.rows[0][0] as Record<string, string>).TrainingJobName;
    assert.equal((await engine.jobs.wait(name, { timeoutMs: 150_000 })).status, 'Completed');
    assert.match(
      await engine.jobs.logs(name),
      /Warning: 2 of [\d,]+ ratings of MOVIELENS\.PUBLIC\.ODD_RATINGS\.RATING are outside 0–10: 1 negative \(lowest -3\), 1 over 10 \(highest 50\)/,
    );
  });

  it('refuses injection and unknown endpoints', async () => {
    await assert.rejects(
      engine.execute(s, `select train_and_get_recommendations('ratings; drop table movies', 'x')`),
      /invalid object name 'ratings; drop table movies'/,
    );
    await assert.rejects(engine.execute(s, `select train_and_get_recommendations('"a"."b"."c"."d"', 'x')`), /invalid object name/);
    assert.equal((await sql(engine, s, 'select count(*) from movies')).rows[0][0], 300);
    await assert.rejects(engine.execute(s, `select invoke_model('no-such-endpoint', 1, 2)`), /Could not find endpoint no-such-endpoint/);
  });

  it('a multi-row call starts one job per row, each row with its own answer', async () => {
    await engine.execute(
      s,
      `create or replace table requests (input varchar, output varchar);
      insert into requests values ('ratings_train_data', 'recs_a'), ('ratings_train_data', 'recs_b');`,
    );
    const r = await sql(
      engine,
      s,
      `select output, train_and_get_recommendations(input, output, ${quick}) as job from requests order by output`,
    );
    const names = r.rows.map((row) => (row[1] as Record<string, string>).TrainingJobName);
    assert.equal(new Set(names).size, 2);
    for (const n of names) assert.equal((await engine.jobs.wait(n, { timeoutMs: 150_000 })).status, 'Completed');
    assert.equal((await sql(engine, s, 'select count(*) from recs_b')).rows[0][0], 60);
  });
});

describe("the guide's Lab 4 on ml-latest-small", { skip: sharedDataSkip }, () => {
  it('trains on ratings_train_data (10,000 rows) with 5-fold CV and writes one row per user', async () => {
    const files = tempDir();
    const engine = await Engine.open({ home: join(files.dir, 'home') });
    try {
      const s = engine.createSession();
      await engine.execute(
        s,
        `create database MOVIELENS; use schema movielens.public;
         create or replace table ratings (userid int, movieid int, rating float, timestamp timestamp_ntz);
         create or replace file format MOVIELENS type=csv skip_header=1 field_optionally_enclosed_by='"';
         copy into ratings from 'file://${mlSmall('ratings.csv')}' file_format=(format_name=MOVIELENS);
         create or replace table ratings_train_data as (select USERID, MOVIEID, RATING from ratings limit 10000);
         create or replace table user_movie_recommendations (USERID float, RECOMMENDATIONS variant);`,
      );
      const r = await sql(
        engine,
        s,
        `select train_and_get_recommendations('MOVIELENS.PUBLIC.ratings_train_data','MOVIELENS.PUBLIC.user_movie_recommendations') as j`,
      );
      const job = await engine.jobs.wait((r.rows[0][0] as Record<string, string>).TrainingJobName, { timeoutMs: 120_000 });
      assert.equal(job.status, 'Completed', job.failureReason ?? '');
      assert.equal(job.metrics?.cv?.folds.length, 5);
      const users = (await sql(engine, s, 'select count(distinct USERID) from ratings_train_data')).rows[0][0];
      assert.equal((await sql(engine, s, 'select count(*) from user_movie_recommendations')).rows[0][0], users);
    } finally {
      await engine.close();
      files.remove();
    }
  });
});
