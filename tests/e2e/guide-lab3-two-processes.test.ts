import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Engine, type Session } from '../../src/engine/index.js';
import { syntheticRatingsSql } from '../support/ratings-sql.js';
import { recpipe, startServerChild, type ServerChild } from '../support/recpipe-cli.js';
import { sql, tempDir } from '../support/temp-engine.js';
import { authHeaders } from '../support/auth.js';

/**
 * The guide's Lab 3–4 with two recpipe processes: this test's engine is the warehouse (Snowflake's
 * role), a `recpipe server` child is the ML service (API Gateway + Lambda + SageMaker's role). The
 * warehouse creates the API integration and external functions, grants usage, and calls them; every
 * call crosses loopback HTTP in Snowflake's external-function protocol.
 */
describe("the guide's Lab 3–4 across two recpipe processes", () => {
  const tmp = tempDir();
  const serviceHome = join(tmp.dir, 'ml-service');
  let service: ServerChild;
  let warehouse: Engine;
  let s: Session;
  let key = '';

  const api = async (path: string) => (await fetch(`${service.url}${path}`, { headers: authHeaders(serviceHome) })).json() as Promise<Record<string, unknown>>;

  before(async () => {
    const setup = await recpipe(['sql', '--home', serviceHome, '-q', `${syntheticRatingsSql('MOVIELENS', 'ratings_train_data', 40, 60)}; create table user_movie_recommendations (USERID float, RECOMMENDATIONS variant)`]);
    assert.equal(setup.code, 0, setup.stderr);
    const created = await recpipe(['keys', 'create', '--role', 'sysadmin', '--name', 'snowflake-gateway', '--home', serviceHome]);
    assert.equal(created.code, 0, created.stderr);
    key = created.stdout.trim(); // printed once, alone on stdout
    service = await startServerChild(serviceHome);
    warehouse = await Engine.open({ home: join(tmp.dir, 'warehouse') });
    s = warehouse.createSession();
  });
  after(async () => {
    await warehouse?.close();
    await service?.stop();
    tmp.remove();
  });

  it('creates the integration, the three external functions and the grants as the guide writes them', async () => {
    await warehouse.execute(
      s,
      `use role sysadmin;
       create database MOVIELENS; use schema movielens.public;
       use role accountadmin;
       create or replace api integration snf_recommender_api_integration
         api_provider = aws_api_gateway
         api_aws_role_arn = 'arn:aws:iam::123456789012:role/snf-ef-role-test'
         api_key = '${key}'
         enabled = true
         api_allowed_prefixes = ('${service.url}/ext/');
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
    assert.deepEqual(shown.rows.map((r) => String(r.find((v) => typeof v === 'string' && /^(TRAIN|DEPLOY|INVOKE)/.test(v)))).sort(), ['DEPLOY_MODEL', 'INVOKE_MODEL', 'TRAIN_AND_GET_RECOMMENDATIONS']);
  });

  it('trains, deploys and predicts through the ML service, as the sysadmin role', async () => {
    const started = (await sql(warehouse, s, "select train_and_get_recommendations('MOVIELENS.PUBLIC.ratings_train_data','MOVIELENS.PUBLIC.user_movie_recommendations') as j")).rows[0][0] as Record<string, string>;
    assert.equal(started.TrainingJobStatus, 'InProgress');
    const job = await api(`/api/v1/training-jobs/${started.TrainingJobName}/wait?timeoutSeconds=60`);
    assert.equal(job.status, 'Completed', String(job.failureReason));

    await sql(warehouse, s, `select deploy_model('movielens-model-v1', '${started.TrainingJobName}')`);
    for (let i = 0; i < 100 && (await api('/api/v1/endpoints/movielens-model-v1')).status !== 'InService'; i++) await new Promise((r) => setTimeout(r, 50));

    await warehouse.execute(s, `create or replace table no_ratings (USERID float, MOVIEID float);
      insert into no_ratings (USERID, MOVIEID) values ('1', '2'), ('10', '31'), ('10', '29'), ('5', '18'), (NULL, '19');`);
    const r = await sql(warehouse, s, `select nr.USERID, nr.MOVIEID, invoke_model('movielens-model-v1', nr.USERID, nr.MOVIEID) as rating_prediction from no_ratings nr order by nr.MOVIEID`);
    const pairs = r.rows.filter((row) => row[0] !== null);
    const direct = await fetch(`${service.url}/endpoints/movielens-model-v1/invocations`, {
      method: 'POST',
      headers: { ...authHeaders(serviceHome), 'content-type': 'text/csv' },
      body: pairs.map((row) => `${row[0]},${row[1]}`).join('\n'),
    });
    const expected = (await direct.text()).trim().split('\n').map(Number);
    assert.deepEqual(pairs.map((row) => Number(row[2])), expected);
    assert.equal(r.rows.find((row) => row[0] === null)?.[2], null);
  });

  it('refuses a role without usage, as Snowflake does', async () => {
    await warehouse.execute(s, 'use role public');
    await assert.rejects(warehouse.execute(s, `select invoke_model('movielens-model-v1', 1, 2)`), /Insufficient privileges to operate on function 'INVOKE_MODEL'/);
    await warehouse.execute(s, 'use role sysadmin');
  });
});
