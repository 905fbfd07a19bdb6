import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApiKeyStore } from '../../src/auth/index.js';
import { authHeaders } from '../support/auth.js';
import { httpCall, type Reply } from '../support/http-call.js';
import { serveHome, type ServedHome } from '../support/served-home.js';
import { tempDir } from '../support/temp-engine.js';

const QUICK = { folds: 0, hyperparameters: { n_factors: 4, n_epochs: 5 } };
const QUICK_SQL = `parse_json('${JSON.stringify(QUICK)}')`;

/**
 * Issue 9 point 2 over a real server on loopback: for each kind of statement, a PUBLIC-only user is
 * refused and a user whose role was granted the privilege (and only it) succeeds, with Snowflake's
 * wording. Every attempt is counted into a tried / refused table by class.
 */
describe('privileges on objects over a real server: a PUBLIC-only user and a granted user', () => {
  const tmp = tempDir();
  const home = join(tmp.dir, 'home');
  const files = join(tmp.dir, 'files');
  let server: ServedHome;
  let owner: Record<string, string>;
  let ana: Record<string, string>;
  let pub: Record<string, string>;
  const table = new Map<string, { tried: number; refused: number }>();

  const call = (method: string, path: string, headers: Record<string, string> = {}, body?: unknown): Promise<Reply> =>
    httpCall(server.url, method, path, headers, body);
  const sql = (headers: Record<string, string>, text: string) => call('POST', '/api/v1/statements', headers, { sql: text });
  const ok = async (headers: Record<string, string>, text: string) => {
    const r = await sql(headers, text);
    assert.equal(r.status, 200, `${text}: ${r.text}`);
    return r.json().results.at(-1) as { rows: unknown[][]; columns: { name: string }[] };
  };
  /** An attempt that must be refused with this status and message; counted in the table. */
  const refused = async (kind: string, r: Reply | Promise<Reply>, status: number, message: RegExp) => {
    const reply = await r;
    const row = table.get(kind) ?? { tried: 0, refused: 0 };
    row.tried++;
    if (reply.status === status && message.test(reply.text)) row.refused++;
    table.set(kind, row);
    assert.equal(reply.status, status, reply.text);
    assert.match(reply.json().error.message, message);
  };
  const missing = (name: string) => new RegExp(`'${name.replace(/\./g, '\\.')}' does not exist or not authorized`);
  const insufficient = /Insufficient privileges to operate on/;
  const names = (r: { rows: unknown[][] }, col = 1) => r.rows.map((row) => row[col]);

  before(async () => {
    mkdirSync(files, { recursive: true });
    writeFileSync(join(files, 'a.csv'), '1,10\n2,20\n');
    server = await serveHome(home);
    owner = authHeaders(home);
    await ok(
      owner,
      `use role accountadmin;
      create role analyst; grant role analyst to role sysadmin;
      create user ana default_role = analyst; grant role analyst to user ana; create user pub;
      use role sysadmin; create database pdb;
      create table pdb.public.c (id int, v int);
      create table pdb.public.src (id int, v int); insert into pdb.public.src values (1, 100), (3, 300);
      create table pdb.public.tgt (id int, v int); insert into pdb.public.tgt values (1, 1), (2, 2);
      create table pdb.public.ratings (userid int, movieid int, rating float);
      create table pdb.public.outp (userid float, top variant);
      insert into pdb.public.ratings select u, m, 1 + (u * 7 + m) % 5 from range(1, 30) a(u), range(1, 20) b(m);
      use role accountadmin;
      create stage pdb.public.s url = 'file://${files}/' file_format = (type = csv);
      grant read on stage pdb.public.s to role analyst; grant read on stage pdb.public.s to role public`,
    );
    const keys = new ApiKeyStore(home);
    ana = { 'x-api-key': keys.create('ANALYST', 'ana', 'ANA').key };
    pub = { 'x-api-key': keys.create('PUBLIC', 'pub', 'PUB').key };
  });

  after(async () => {
    await server?.close();
    tmp.remove();
    console.log(
      'privilege attempts tried / refused, by class:\n' +
        [...table].map(([k, v]) => `  ${k.padEnd(22)} ${v.tried} / ${v.refused}`).join('\n'),
    );
  });

  it('COPY INTO needs INSERT on the target besides READ on the stage', async () => {
    const copy = "copy into pdb.public.c from @pdb.public.s files = ('a.csv')";
    await refused('copy into', sql(pub, copy), 404, missing('PDB.PUBLIC.C'));
    await refused('copy into', sql(ana, copy), 404, missing('PDB.PUBLIC.C'));
    await ok(owner, 'grant usage on database pdb to role analyst; grant usage on schema pdb.public to role analyst');
    await ok(owner, 'grant select on table pdb.public.c to role analyst');
    await refused('copy into', sql(ana, copy), 403, /Insufficient privileges to operate on table 'C'/);
    await ok(owner, 'grant insert on table pdb.public.c to role analyst');
    assert.equal((await ok(ana, copy)).rows[0][3], 2, 'loaded with INSERT granted');
    await refused('copy into', sql(pub, copy), 404, missing('PDB.PUBLIC.C'));
  });

  it('MERGE needs SELECT on the source and, on the target, only what its clauses do', async () => {
    const update = 'merge into pdb.public.tgt t using pdb.public.src s on t.id = s.id when matched then update set v = s.v';
    const del = 'merge into pdb.public.tgt as t using pdb.public.src s on t.id = s.id when matched then delete';
    const insert =
      'merge into pdb.public.tgt t using pdb.public.src s on t.id = s.id when not matched then insert (id, v) values (s.id, s.v)';
    // Reads are checked first: PUBLIC is told the source does not exist.
    await refused('merge', sql(pub, update), 404, missing('PDB.PUBLIC.SRC'));
    await ok(owner, 'grant update on table pdb.public.tgt to role analyst');
    await refused('merge', sql(ana, update), 404, missing('PDB.PUBLIC.SRC'));
    await ok(owner, 'grant select on table pdb.public.src to role analyst');
    await ok(ana, update);
    await refused('merge', sql(ana, del), 403, /Insufficient privileges to operate on table 'TGT'/);
    await refused('merge', sql(ana, insert), 403, /Insufficient privileges to operate on table 'TGT'/);
    await ok(owner, 'grant insert on table pdb.public.tgt to role analyst');
    await ok(ana, insert);
    const rows = await ok(owner, 'select id, v from pdb.public.tgt order by id');
    assert.deepEqual(rows.rows, [
      [1, 100],
      [2, 2],
      [3, 300],
    ]);
    await refused('merge', sql(pub, insert), 404, /does not exist or not authorized/);
  });

  it('schemas have owners: CREATE SCHEMA on the database to create, OWNERSHIP to drop; GRANT OWNERSHIP moves them', async () => {
    await refused('schema owner', sql(pub, 'create schema pdb.mine'), 404, missing('PDB'));
    await refused('schema owner', sql(ana, 'create schema pdb.mine'), 403, /CREATE SCHEMA is needed/);
    await ok(owner, 'grant create schema on database pdb to role analyst');
    await ok(ana, 'create schema pdb.mine; create table pdb.mine.x (a int)');
    const shown = await ok(ana, 'show schemas in database pdb');
    assert.deepEqual(
      shown.rows.filter((r) => r[1] === 'MINE').map((r) => r[5]),
      ['ANALYST'],
    );
    await refused('schema owner', sql(ana, 'drop schema pdb.public'), 403, /Insufficient privileges to operate on schema 'PDB.PUBLIC'/);
    await refused('schema owner', sql(pub, 'drop schema pdb.mine'), 404, /does not exist or not authorized/);
    await refused('schema owner', sql(ana, 'drop database pdb'), 403, /Insufficient privileges to operate on database 'PDB'/);
  });

  it('integrations and external functions: USAGE on the integration to create one; the creator owns it', async () => {
    await ok(
      owner,
      `use role accountadmin; create api integration pint api_provider = aws_api_gateway api_aws_role_arn = 'arn:aws:iam::1:role/r'
        enabled = true api_allowed_prefixes = ('${server.url}/ext/')`,
    );
    const fn = `create external function pdb.mine.echo(a varchar) returns variant api_integration = pint as '${server.url}/ext/invoke'`;
    await refused('integration/function', sql(ana, fn), 404, missing('PINT'));
    await refused('integration/function', sql(ana, 'describe integration pint'), 404, missing('PINT'));
    await refused('integration/function', sql(ana, 'grant usage on integration pint to role analyst'), 404, missing('PINT'));
    assert.deepEqual(names(await ok(ana, 'show integrations'), 0), []);
    await ok(owner, 'use role accountadmin; grant usage on integration pint to role analyst');
    assert.deepEqual(names(await ok(ana, 'show integrations'), 0), ['PINT']);
    await refused('integration/function', sql(ana, 'alter integration pint set enabled = false'), 403, insufficient);
    await refused('integration/function', sql(pub, fn), 404, /does not exist or not authorized/);
    await ok(ana, fn);
    await refused('integration/function', sql(pub, 'drop function pdb.mine.echo(varchar)'), 404, /does not exist or not authorized/);
    await ok(ana, 'drop function pdb.mine.echo(varchar)');
  });

  it('training calls check SELECT on the input and may replace or create the output; the caller owns the job and its table', async () => {
    await ok(owner, 'grant usage on function train_and_get_recommendations(varchar, varchar, variant) to role analyst');
    const train = (out: string) =>
      `select train_and_get_recommendations('pdb.public.ratings', '${out}', ${QUICK_SQL}):TrainingJobName::varchar`;
    await refused(
      'training (sql)',
      sql(pub, train('pdb.mine.recs')),
      403,
      /Insufficient privileges to operate on function 'TRAIN_AND_GET_RECOMMENDATIONS'/,
    );
    await refused('training (sql)', sql(ana, train('pdb.mine.recs')), 404, missing('PDB.PUBLIC.RATINGS'));
    await ok(owner, 'grant select on table pdb.public.ratings to role analyst');
    await refused('training (sql)', sql(ana, train('pdb.public.recs')), 403, /CREATE TABLE is needed/);
    await ok(owner, 'grant select on table pdb.public.outp to role analyst');
    await refused('training (sql)', sql(ana, train('pdb.public.outp')), 403, /Insufficient privileges to operate on table 'OUTP'/);
    // A search's results table is written like the output: CREATE TABLE on its schema, or INSERT and TRUNCATE on it.
    const search = { folds: 2, search: { algorithms: ['baseline'], max_trials: 1, time_budget: 30, results_table: 'pdb.public.trials' } };
    await refused(
      'training (sql)',
      sql(ana, `select train_and_get_recommendations('pdb.public.ratings', 'pdb.mine.recs_s', parse_json('${JSON.stringify(search)}'))`),
      403,
      /CREATE TABLE is needed/,
    );
    const job = String((await ok(ana, train('pdb.mine.recs'))).rows[0][0]);
    const done = await call('GET', `/api/v1/training-jobs/${job}/wait?timeoutSeconds=120`, ana);
    assert.equal(done.json().status, 'Completed', done.text);
    const tables = await ok(ana, 'show tables in schema pdb.mine');
    assert.deepEqual(
      tables.rows.filter((r) => r[1] === 'RECS').map((r) => r[9]),
      ['ANALYST'],
      'the table the job created is the caller role’s',
    );
    // The HTTP jobs API acts as the key's user and role.
    const body = { input: 'pdb.public.ratings', output: 'pdb.mine.recs2', ...QUICK };
    await refused('training (http api)', call('POST', '/api/v1/training-jobs', pub, body), 404, missing('PDB.PUBLIC.RATINGS'));
    const started = await call('POST', '/api/v1/training-jobs', ana, body);
    assert.equal(started.status, 201, started.text);
    await refused(
      'training (http api)',
      call('POST', '/api/v1/training-jobs', ana, { ...body, output: 'pdb.public.recs3' }),
      403,
      /CREATE TABLE/,
    );
    const name = started.json().name as string;
    await refused(
      'training job owner',
      call('POST', `/api/v1/training-jobs/${name}/stop`, pub),
      403,
      /Insufficient privileges to operate on training job/,
    );
    await call('GET', `/api/v1/training-jobs/${name}/wait?timeoutSeconds=120`, ana);
    assert.ok(names(await ok(ana, 'show training jobs'), 0).includes(job));
    assert.ok(!names(await ok(pub, 'show training jobs'), 0).includes(job), 'PUBLIC does not see the analyst’s jobs');
    await refused('training job owner', sql(pub, `describe training job ${job}`), 404, /does not exist or not authorized/);
    // The external-function route checks the key's role as the SQL function does.
    await ok(owner, 'grant usage on function train_and_get_recommendations(varchar, varchar, variant) to role public');
    await refused(
      'training (ext)',
      call('POST', '/ext/train', pub, { data: [[0, 'pdb.public.ratings', 'pdb.mine.recs5']] }),
      404,
      missing('PDB.PUBLIC.RATINGS'),
    );
    await ok(owner, 'revoke usage on function train_and_get_recommendations(varchar, varchar, variant) from role public');
    // The HTTP jobs API shows a key's role the same jobs SHOW does.
    const listedTo = async (headers: Record<string, string>) =>
      ((await call('GET', '/api/v1/training-jobs', headers)).json().trainingJobs as { name: string }[]).map((j) => j.name);
    assert.ok((await listedTo(ana)).includes(job));
    assert.ok(!(await listedTo(pub)).includes(job), 'PUBLIC does not list the analyst’s jobs over HTTP');
    await refused('training job owner', call('GET', `/api/v1/training-jobs/${job}`, pub), 404, /does not exist/);
    await refused('training job owner', call('GET', `/api/v1/training-jobs/${job}/logs`, pub), 404, /does not exist/);
  });

  it('endpoints: the deploying role owns a new endpoint; redeploying and deleting are the owner’s', async () => {
    await ok(owner, 'grant usage on function deploy_model(varchar, varchar) to role analyst');
    const [job] = names(await ok(ana, 'show training jobs'), 0) as string[];
    await ok(ana, `select deploy_model('ana-ep', '${job}')`);
    await ok(owner, 'grant usage on function deploy_model(varchar, varchar) to role public');
    await refused(
      'endpoint owner',
      sql(pub, `select deploy_model('ana-ep', '${job}')`),
      403,
      /Insufficient privileges to operate on endpoint 'ana-ep'/,
    );
    await ok(pub, `select deploy_model('pub-ep', '${job}')`);
    for (let i = 0; i < 300; i++) {
      const d = await call('GET', '/api/v1/endpoints/ana-ep', ana);
      if (d.json().status !== 'Creating') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await refused('endpoint owner', call('DELETE', '/api/v1/endpoints/ana-ep', pub), 403, /Insufficient privileges to operate on endpoint/);
    await refused(
      'endpoint owner',
      sql(pub, "grant ownership on endpoint 'ana-ep' to role public"),
      404,
      /does not exist or not authorized/,
    );
    const shown = names(await ok(pub, 'show endpoints'), 0);
    assert.ok(!shown.includes('ana-ep') && shown.includes('pub-ep'), 'the deploying role owns its endpoint once the statement returns');
    const listed = ((await call('GET', '/api/v1/endpoints', pub)).json().endpoints as { name: string }[]).map((e) => e.name);
    assert.ok(listed.includes('pub-ep') && !listed.includes('ana-ep'), `PUBLIC lists only its own endpoints over HTTP: ${listed}`);
    await refused('endpoint owner', call('GET', '/api/v1/endpoints/ana-ep', pub), 404, /Could not find endpoint/);
    const deleted = await call('DELETE', '/api/v1/endpoints/ana-ep', ana);
    assert.equal(deleted.status, 200, deleted.text);
  });

  it('SHOW, SHOW GRANTS and USE show a role only what it owns or holds a privilege on', async () => {
    assert.ok(!names(await ok(pub, 'show databases')).includes('PDB'));
    assert.ok(names(await ok(ana, 'show databases')).includes('PDB'));
    await refused('show/use', sql(pub, 'use database pdb'), 404, /Database 'PDB' does not exist or not authorized/);
    await refused('show/use', sql(pub, 'use schema pdb.public'), 404, /Database 'PDB' does not exist or not authorized/);
    await refused('show/use', sql(pub, 'show tables in database pdb'), 404, missing('PDB'));
    await ok(ana, 'use database pdb; use schema pdb.mine');
    const visible = names(await ok(ana, 'show tables in schema pdb.public'));
    assert.deepEqual([...visible].sort(), ['C', 'OUTP', 'RATINGS', 'SRC', 'TGT']);
    await refused('show grants', sql(pub, 'show grants on table pdb.public.c'), 404, missing('PDB.PUBLIC.C'));
    const onC = await ok(ana, 'show grants on table pdb.public.c');
    assert.deepEqual([...names(onC)].sort(), ['INSERT', 'OWNERSHIP', 'SELECT']);
    await refused('show grants', sql(ana, 'show grants to role accountadmin'), 404, /Role 'ACCOUNTADMIN' does not exist or not authorized/);
    await refused('show grants', sql(pub, 'show grants to role analyst'), 404, /Role 'ANALYST' does not exist or not authorized/);
    await refused('show grants', sql(pub, 'show grants to user ana'), 404, /User 'ANA' does not exist or not authorized/);
    const mine = await ok(pub, 'show grants');
    assert.ok(
      mine.rows.every((r) => r[4] === 'PUBLIC' || r[4] === 'PUB'),
      `PUBLIC sees only its own grants: ${JSON.stringify(mine.rows)}`,
    );
    // ACCOUNTADMIN inherits SYSADMIN, which inherits ANALYST here: it sees everything.
    assert.ok(names(await ok(owner, 'use role accountadmin; show schemas in database pdb')).includes('MINE'));
  });
});
