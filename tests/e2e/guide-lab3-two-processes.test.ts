import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApiKeyStore } from '../../src/auth/index.js';
import { WAREHOUSE_KEY_SECRET } from '../../src/config/index.js';
import { Engine, type Session } from '../../src/engine/index.js';
import { SecretStore } from '../../src/secrets/index.js';
import { startServer, type RunningServer } from '../../src/service/index.js';
import { syntheticRatingsSql } from '../support/ratings-sql.js';
import { recpipeInProcess } from '../support/cli-in-process.js';
import { startServerChild, type ServerChild } from '../support/recpipe-cli.js';
import { sql, tempDir } from '../support/temp-engine.js';
import { authHeaders } from '../support/auth.js';

/**
 * The guide's Lab 3–4 with two recpipe processes: this test's engine, served on loopback, is the
 * warehouse (Snowflake's role); a `recpipe server --warehouse-url` child is the ML service (API
 * Gateway + Lambda + SageMaker's role). The warehouse creates the API integration and external
 * functions, grants usage, and calls them; every call crosses loopback HTTP in Snowflake's
 * external-function protocol, and the ML service reads the ratings from the warehouse and writes
 * the recommendations back there, as the guide's SageMaker container does through its Snowflake connection.
 */
describe("the guide's Lab 3–4 across two recpipe processes", () => {
  const tmp = tempDir();
  const serviceHome = join(tmp.dir, 'ml-service');
  let service: ServerChild;
  let warehouse: Engine;
  let warehouseServer: RunningServer;
  let s: Session;
  let key = '';

  const api = async (path: string) =>
    (await fetch(`${service.url}${path}`, { headers: authHeaders(serviceHome) })).json() as Promise<Record<string, unknown>>;
  const recommendations = async () =>
    (
      await sql(
        warehouse,
        warehouse.createSession(),
        'select USERID, TOP_10_RECOMMENDATIONS from movielens.public.user_movie_recommendations order by USERID',
      )
    ).rows;

  before(async () => {
    // The tables exist only in the warehouse, the output table in the guide's own shape.
    const warehouseHome = join(tmp.dir, 'warehouse');
    warehouse = await Engine.open({ home: warehouseHome });
    s = warehouse.createSession();
    await warehouse.execute(
      s,
      `${syntheticRatingsSql('MOVIELENS', 'ratings_train_data', 40, 60)}; create table user_movie_recommendations (USERID float, TOP_10_RECOMMENDATIONS variant);
      use role accountadmin; create user if not exists ML_SERVICE default_role = sysadmin; grant role sysadmin to user ML_SERVICE; use role sysadmin`,
    );
    warehouseServer = await startServer(warehouse, { home: warehouseHome, host: '127.0.0.1', port: 0 });
    // The ML service's credential for the warehouse, in its secret store (the guide keeps it in Secrets Manager).
    new SecretStore(serviceHome).set(
      WAREHOUSE_KEY_SECRET,
      new ApiKeyStore(warehouseHome).create('SYSADMIN', 'ml-service', 'ML_SERVICE').key,
    );
    service = await startServerChild(serviceHome, 60_000, ['--warehouse-url', warehouseServer.url]);
    // Through the running server (the CLI finds it), so the ML home is opened by one process only.
    const created = await recpipeInProcess(['keys', 'create', '--role', 'sysadmin', '--name', 'snowflake-gateway', '--home', serviceHome]);
    assert.equal(created.code, 0, created.stderr);
    key = created.stdout.trim(); // printed once, alone on stdout
  });
  after(async () => {
    await service?.stop();
    await warehouseServer?.close();
    await warehouse?.close();
    tmp.remove();
  });

  it('creates the integration (its key added by ALTER), the three external functions and the grants as the README writes them', async () => {
    await warehouse.execute(
      s,
      `use role sysadmin;
       create database if not exists MOVIELENS; use schema movielens.public;
       use role accountadmin;
       create or replace api integration snf_recommender_api_integration
         api_provider = aws_api_gateway
         api_aws_role_arn = 'arn:aws:iam::123456789012:role/snf-ef-role-test'
         enabled = true
         api_allowed_prefixes = ('${service.url}/ext/');
       alter api integration snf_recommender_api_integration set api_key = '${key}';
       create or replace external function train_and_get_recommendations(input_table_name varchar, output_table_name varchar)
         returns variant api_integration = snf_recommender_api_integration as '${service.url}/ext/train';
       create or replace external function deploy_model(model_name varchar, model_url varchar)
         returns variant api_integration = snf_recommender_api_integration as '${service.url}/ext/deploy';
       create or replace external function invoke_model(model_name varchar, user_id varchar, item_id varchar)
         returns variant api_integration = snf_recommender_api_integration as '${service.url}/ext/invoke';
       grant usage on function train_and_get_recommendations(varchar, varchar) to role sysadmin;
       grant usage on function deploy_model(varchar, varchar) to role sysadmin;
       grant usage on function invoke_model(varchar, varchar, varchar) to role sysadmin;`,
    );
    const described = await sql(warehouse, s, 'describe integration snf_recommender_api_integration');
    const props = Object.fromEntries(described.rows.map((r) => [r[0], r[2]]));
    assert.match(String(props.API_AWS_IAM_USER_ARN), /^arn:aws:iam::\d{12}:user\//);
    assert.ok(String(props.API_AWS_EXTERNAL_ID).length > 0);
    assert.ok(!JSON.stringify(described.rows).includes(key), 'describe never shows the API key');
    await warehouse.execute(s, 'use role sysadmin');
    const shown = await sql(warehouse, s, 'show external functions');
    assert.deepEqual(shown.rows.map((r) => String(r.find((v) => typeof v === 'string' && /^(TRAIN|DEPLOY|INVOKE)/.test(v)))).sort(), [
      'DEPLOY_MODEL',
      'INVOKE_MODEL',
      'TRAIN_AND_GET_RECOMMENDATIONS',
    ]);
  });

  it("trains on the warehouse's table and writes the recommendations into the warehouse's table, then deploys and predicts, as the sysadmin role", {
    timeout: 120_000,
  }, async () => {
    const started = (
      await sql(warehouse, s, "select train_and_get_recommendations('ratings_train_data', 'user_movie_recommendations') as j")
    ).rows[0][0] as Record<string, string>;
    assert.equal(started.TrainingJobStatus, 'InProgress');
    assert.equal(started.InputTable, 'MOVIELENS.PUBLIC.RATINGS_TRAIN_DATA', "one-part names resolve in the caller's context");
    assert.equal(started.Warehouse, warehouseServer.url, 'the answer says which warehouse holds the tables');
    const job = await api(`/api/v1/training-jobs/${started.TrainingJobName}/wait?timeoutSeconds=60`);
    assert.equal(job.status, 'Completed', String(job.failureReason));
    assert.equal((job.spec as Record<string, unknown>).warehouse, warehouseServer.url);
    assert.deepEqual((job.columns as Record<string, unknown>).output, {
      user: 'USERID',
      recommendations: 'TOP_10_RECOMMENDATIONS',
      created: false,
    });
    assert.match(
      await (
        await fetch(`${service.url}/api/v1/training-jobs/${started.TrainingJobName}/logs`, { headers: authHeaders(serviceHome) })
      ).text(),
      new RegExp(`saved to table MOVIELENS\\.PUBLIC\\.USER_MOVIE_RECOMMENDATIONS at ${warehouseServer.url}`),
    );

    // In the warehouse: one row per user, ten distinct movies of the catalogue that the user has not rated, best first.
    const rows = await recommendations();
    assert.equal(rows.length, 40, 'one row of recommendations per user, in the warehouse');
    const rated = (await sql(warehouse, s, 'select userid, movieid from ratings_train_data')).rows.map(([u, m]) => `${u}/${m}`);
    for (const [user, list] of rows) {
      const movies = list as number[];
      assert.equal(movies.length, 10, `user ${user}`);
      assert.equal(new Set(movies).size, 10);
      for (const m of movies)
        assert.ok(Number.isInteger(m) && m >= 1 && m <= 60 && !rated.includes(`${user}/${m}`), `user ${user}: movie ${m}`);
    }
    // The ML home keeps no copy of the tables (it has no MOVIELENS database at all); its job description names the warehouse.
    const shown = await fetch(`${service.url}/api/v1/statements`, {
      method: 'POST',
      headers: { ...authHeaders(serviceHome), 'content-type': 'application/json' },
      body: JSON.stringify({ sql: `show databases; describe training job ${started.TrainingJobName}` }),
    });
    const [databases, described] = ((await shown.json()) as { results: { rows: unknown[][] }[] }).results;
    assert.ok(!JSON.stringify(databases.rows).includes('MOVIELENS'), 'the ML home has no MOVIELENS database');
    assert.equal(Object.fromEntries(described.rows as [string, unknown][]).Warehouse, warehouseServer.url);

    await sql(warehouse, s, `select deploy_model('movielens-model-v1', '${started.TrainingJobName}')`);
    for (let i = 0; i < 100 && (await api('/api/v1/endpoints/movielens-model-v1')).status !== 'InService'; i++)
      await new Promise((r) => setTimeout(r, 50));

    await warehouse.execute(
      s,
      `create or replace table no_ratings (USERID float, MOVIEID float);
      insert into no_ratings (USERID, MOVIEID) values ('1', '2'), ('10', '31'), ('10', '29'), ('5', '18'), (NULL, '19');`,
    );
    const r = await sql(
      warehouse,
      s,
      `select nr.USERID, nr.MOVIEID, invoke_model('movielens-model-v1', nr.USERID, nr.MOVIEID) as rating_prediction from no_ratings nr order by nr.MOVIEID`,
    );
    const pairs = r.rows.filter((row) => row[0] !== null);
    const direct = await fetch(`${service.url}/endpoints/movielens-model-v1/invocations`, {
      method: 'POST',
      headers: { ...authHeaders(serviceHome), 'content-type': 'text/csv' },
      body: pairs.map((row) => `${row[0]},${row[1]}`).join('\n'),
    });
    const expected = (await direct.text()).trim().split('\n').map(Number);
    assert.deepEqual(
      pairs.map((row) => Number(row[2])),
      expected,
    );
    assert.equal(r.rows.find((row) => row[0] === null)?.[2], null);
  });

  it("leaves the warehouse's output table as it was when a job fails", { timeout: 120_000 }, async () => {
    const before = await recommendations();
    await warehouse.execute(s, 'insert into ratings_train_data values (1, 2, NULL)');
    try {
      const started = (
        await sql(warehouse, s, "select train_and_get_recommendations('ratings_train_data', 'user_movie_recommendations') as j")
      ).rows[0][0] as Record<string, string>;
      const job = await api(`/api/v1/training-jobs/${started.TrainingJobName}/wait?timeoutSeconds=60`);
      assert.equal(job.status, 'Failed');
      assert.match(String(job.failureReason), /RATINGS_TRAIN_DATA has 1 row with a NULL/);
      assert.deepEqual(await recommendations(), before);
    } finally {
      await warehouse.execute(s, 'delete from ratings_train_data where rating is null');
    }
  });

  it('refuses a role without usage, as Snowflake does', async () => {
    await warehouse.execute(s, 'use role public');
    await assert.rejects(
      warehouse.execute(s, `select invoke_model('movielens-model-v1', 1, 2)`),
      /Insufficient privileges to operate on function 'INVOKE_MODEL'/,
    );
    await warehouse.execute(s, 'use role sysadmin');
  });
});
