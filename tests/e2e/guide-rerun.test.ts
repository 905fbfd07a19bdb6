import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { HttpSqlClient } from '../../src/client/http-sql-client.js';
import { InProcessSqlClient } from '../../src/client/in-process-sql-client.js';
import type { SqlClient } from '../../src/client/sql-client.js';
import { ownerKey } from '../support/auth.js';
import { serveHome, type ServedHome } from '../support/served-home.js';
import { mlSmall, sharedDataSkip } from '../support/shared-data.js';
import { tempDir } from '../support/temp-engine.js';

/**
 * The guide's Lab 1 → Lab 4 SQL as written there (file paths and the model artifact substituted;
 * Lab 3's external-function creation skipped: the functions are built in), one statement at a time
 * as a worksheet runs them, twice on the same home. The second run must give the same counts and
 * recommendations: COPY loads the replaced RATINGS table again, the guide's output table shape is
 * accepted, and the only errors are the ones Snowflake gives too ("already exists" for the guide's
 * plain CREATE DATABASE / CREATE TABLE statements).
 */
const LAB_1 = [
  'use role sysadmin;',
  'create database MOVIELENS;',
  'use schema movielens.public;',
  `create table movies  (
    movieid int,
    title varchar,
    genres varchar
);`,
  `create or replace table ratings (
    userid int,
    movieid int,
    rating float,
    timestamp timestamp_ntz
);`,
  // The guide's Load Data button: an XS warehouse, a new file format MOVIELENS, one load per table.
  "create or replace warehouse COMPUTE_WH with warehouse_size='XSMALL' auto_suspend=60 auto_resume=true;",
  `create or replace file format MOVIELENS type=csv skip_header=1 field_optionally_enclosed_by='"';`,
  `copy into movies from 'file://${mlSmall('movies.csv')}' file_format=(format_name=MOVIELENS);`,
  `copy into ratings from 'file://${mlSmall('ratings.csv')}' file_format=(format_name=MOVIELENS);`,
];

const LAB_2 = [
  'use warehouse COMPUTE_WH;',
  'select * from ratings limit 10;',
  `-- INPUT TABLE: small dataset for local testing
create table ratings_train_data_local_test as
(select USERID, MOVIEID, RATING from ratings limit 1000);`,
  `-- OUTPUT TABLE: top 10 recommendations for local_testing
create or replace table user_movie_recommendations_local_test
(USERID float, TOP_10_RECOMMENDATIONS variant);`,
];

const LAB_3 = [
  'grant usage on function train_and_get_recommendations(varchar, varchar) to role sysadmin;',
  'grant usage on function deploy_model(varchar, varchar) to role sysadmin;',
  'grant usage on function invoke_model(varchar, varchar, varchar) to role sysadmin;',
  'use role sysadmin;',
];

const LAB_4_TRAIN = [
  `create or replace table ratings_train_data as 
    (select USERID, MOVIEID, RATING from ratings limit 10000);`,
  `create or replace table user_movie_recommendations 
(USERID float, TOP_10_RECOMMENDATIONS variant);`,
  "select train_and_get_recommendations('MOVIELENS.PUBLIC.ratings_train_data','MOVIELENS.PUBLIC.user_movie_recommendations');",
];

const lab4Serve = (artifact: string) => [
  'select * from user_movie_recommendations limit 10;',
  `select deploy_model('movielens-model-v1', '${artifact}');`,
  `-- create a table to hold pairs of users and movies where we DO NOT have a rating
create or replace table no_ratings (USERID float, MOVIEID float);`,
  `insert into no_ratings (USERID, MOVIEID) values
    ('1', '610'),
    ('10', '313'),
    ('10', '297'),
    ('5', '18'),
    ('5', '19');`,
];

const INVOKE = `--real-time prediction for an individual movie for a particular user
select nr.USERID, nr.MOVIEID, m.title, invoke_model('movielens-model-v1', nr.USERID, nr.MOVIEID) as rating_prediction 
from no_ratings nr, movies m
where nr.movieid = m.movieid;`;

interface GuideRun {
  /** Statements that failed, with their error (the rest must have succeeded). */
  errors: string[];
  counts: unknown[];
  recommendations: unknown[][];
  predictions: unknown[][];
}

/** Runs statements one by one, as a worksheet does, noting failures and carrying on. */
async function runAll(client: SqlClient, statements: readonly string[], errors: string[]): Promise<unknown[][][]> {
  const rows: unknown[][][] = [];
  for (const st of statements) {
    try {
      const run = await client.execute(st);
      rows.push(run.results[run.results.length - 1].rows);
    } catch (e) {
      errors.push(`${st.split('\n').find((l) => !l.startsWith('--'))} → ${(e as Error).message.split('\n')[0]}`);
      rows.push([]);
    }
  }
  return rows;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 150_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function playGuide(client: SqlClient): Promise<GuideRun> {
  const errors: string[] = [];
  await runAll(client, [...LAB_1, ...LAB_2, ...LAB_3], errors);
  const trained = await runAll(client, LAB_4_TRAIN, errors);
  const started = trained[2][0]?.[0] as { TrainingJobName: string; ModelArtifact: string } | undefined;
  assert.ok(started, `the training call answered: ${errors.join('; ')}`);
  const job = started.TrainingJobName;
  const status = await until(`training job ${job}`, async () => {
    const [row] = (await client.execute(`show training jobs like '${job}'`)).results[0].rows;
    return ['Completed', 'Failed', 'Stopped'].includes(row?.[1] as string) ? row : undefined;
  });
  assert.equal(status[1], 'Completed', String(status[10]));
  const served = await runAll(client, lab4Serve(started.ModelArtifact), errors);
  assert.equal(served[0].length, 10, 'select * from user_movie_recommendations limit 10');
  await until('endpoint movielens-model-v1', async () => {
    const rows = (await client.execute('show endpoints')).results[0].rows;
    return rows.some((r) => r[0] === 'movielens-model-v1' && r[1] === 'InService' && r[2] === started.ModelArtifact) ? true : undefined;
  });
  const [predictions] = await runAll(client, [INVOKE], errors);
  const [counts] = await runAll(
    client,
    [
      `select (select count(*) from movies), (select count(*) from ratings), (select count(*) from ratings_train_data_local_test),
              (select count(*) from ratings_train_data), (select count(*) from user_movie_recommendations), (select count(*) from no_ratings),
              (select count(distinct USERID) from ratings_train_data)`,
    ],
    errors,
  );
  const [recommendations] = await runAll(
    client,
    ['select USERID, TOP_10_RECOMMENDATIONS from user_movie_recommendations order by USERID'],
    errors,
  );
  return {
    errors,
    counts: counts[0],
    recommendations,
    predictions: [...predictions].sort((a, b) => Number(a[0]) - Number(b[0]) || Number(a[1]) - Number(b[1])),
  };
}

/** The errors Snowflake itself gives the second time: the guide creates these without OR REPLACE. */
const RERUN_ERRORS = [
  /^create database MOVIELENS; → .*MOVIELENS.* already exists/,
  /^create table movies {2}\( → .*MOVIES.* already exists/,
  /^create table ratings_train_data_local_test as → .*RATINGS_TRAIN_DATA_LOCAL_TEST.* already exists/,
];

function checkRuns(first: GuideRun, second: GuideRun): void {
  assert.deepEqual(first.errors, []);
  assert.equal(second.errors.length, RERUN_ERRORS.length, second.errors.join('\n'));
  second.errors.forEach((e, i) => assert.match(e, RERUN_ERRORS[i]));
  const users = first.counts[6];
  assert.deepEqual(first.counts, [9742, 100836, 1000, 10000, users, 5, users], 'one row of recommendations per user of the training data');
  assert.deepEqual(second.counts, first.counts);
  assert.equal(first.recommendations.length, users);
  assert.ok(first.recommendations.every((r) => Array.isArray(r[1]) && r[1].length === 10));
  assert.deepEqual(second.recommendations, first.recommendations);
  assert.ok(first.predictions.length >= 4 && first.predictions.every((r) => typeof r[3] === 'number'));
  assert.deepEqual(second.predictions, first.predictions);
}

/**
 * One home, the guide played twice: first in-process, then over HTTP through a server started on that
 * home once the first engine closed (in the test process: sql-cli and lab 3 run `recpipe server` as a
 * child). Both ways of running must work, and the second run must give what the first gave.
 */
describe("the guide's Lab 1 → Lab 4 SQL, twice on the same home", { skip: sharedDataSkip }, () => {
  const files = tempDir();
  let server: ServedHome | undefined;
  after(async () => {
    await server?.close();
    files.remove();
  });

  it('in-process, then through a server: the second run gives the same counts and recommendations', { timeout: 300_000 }, async () => {
    const home = join(files.dir, 'home');
    const local = await InProcessSqlClient.open(home);
    let first: GuideRun;
    try {
      first = await playGuide(local);
    } finally {
      await local.close();
    }
    server = await serveHome(home);
    const remote = await HttpSqlClient.open(server.url, {}, ownerKey(home));
    try {
      checkRuns(first, await playGuide(remote));
    } finally {
      await remote.close();
    }
  });
});
