import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Engine, type Session } from '../engine/index.js';
import { startStandIn, type StandIn } from '../../tests/support/protocol-stand-in.js';

interface Seen {
  method: string;
  path: string;
  headers: Record<string, string>;
  rows: number;
}

describe('external functions', () => {
  let home: string;
  let engine: Engine;
  let admin: Session;
  let service: StandIn;
  const sql = async (text: string, session = admin) => (await engine.execute(session, text)).at(-1)!;
  const log = async (): Promise<Seen[]> => (await (await fetch(`${service.url}/log`)).json()) as Seen[];

  before(async () => {
    service = await startStandIn();
    home = mkdtempSync(join(tmpdir(), 'recpipe-'));
    engine = await Engine.open({ home });
    admin = engine.createSession({ role: 'ACCOUNTADMIN' });
    await sql(`create database ext; create table t (x int, s varchar);
      insert into t select i, case when i % 7 = 0 then null else 'v' || i end from range(2500) r(i)`);
    await sql(`create api integration svc api_provider = aws_api_gateway api_aws_role_arn = 'arn:aws:iam::123456789012:role/recpipe'
      api_key = 'k-123-secret' enabled = true api_allowed_prefixes = ('${service.url}/') api_blocked_prefixes = ('${service.url}/short-blocked')`);
  });

  after(async () => {
    await engine.close();
    await service.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('describes and lists integrations the Snowflake way, never showing the API key', async () => {
    const d = await sql('describe integration svc');
    assert.deepEqual(
      d.columns.map((c) => c.name),
      ['property', 'property_type', 'property_value', 'property_default'],
    );
    const prop = (name: string) => d.rows.find((r) => r[0] === name)?.[2];
    assert.match(String(prop('API_AWS_IAM_USER_ARN')), /^arn:aws:iam::\d{12}:user\/recpipe-[0-9a-f]+$/);
    assert.match(String(prop('API_AWS_EXTERNAL_ID')), /^RECPIPE_SFCRole=\d_/);
    assert.equal(prop('API_ALLOWED_PREFIXES'), `${service.url}/`);
    assert.equal(prop('ENABLED'), 'true');
    assert.equal(prop('API_KEY'), '********');
    assert.ok(!JSON.stringify(d.rows).includes('k-123-secret'));
    const stored = await sql('select * from recpipe.public.api_integrations');
    assert.ok(!JSON.stringify(stored.rows).includes('k-123-secret'), 'the catalog names the secret, never the key');
    assert.ok(JSON.stringify(stored.rows).includes('API_INTEGRATION_SVC'));
    assert.equal(statSync(join(home, 'secrets.json')).mode & 0o077, 0, 'the key lives in the owner-only secret store');
    const again = await sql('describe integration svc');
    assert.deepEqual(again.rows, d.rows, 'generated identities are stable');
    const shown = await sql(`show integrations like 'SV%'`);
    assert.deepEqual(
      shown.rows.map((r) => [r[0], r[1], r[3]]),
      [['SVC', 'EXTERNAL_API', 'true']],
    );
  });

  it('requires ACCOUNTADMIN for integrations', async () => {
    const sys = engine.createSession({ role: 'SYSADMIN' });
    await assert.rejects(
      sql(
        `create api integration other api_provider = aws_api_gateway api_aws_role_arn = 'x' enabled = true api_allowed_prefixes = ('https://a/')`,
        sys,
      ),
      /Insufficient privileges/,
    );
    // ACCOUNTADMIN owns SVC; SYSADMIN holds nothing on it, so it reads as absent.
    await assert.rejects(sql('drop integration svc', sys), /Integration 'SVC' does not exist or not authorized/);
  });

  it('refuses URLs outside the allowed prefixes, inside blocked ones, or of a disabled integration', async () => {
    await assert.rejects(
      sql(`create external function f(a int) returns variant api_integration = svc as 'https://elsewhere.example/x'`),
      /matches none of API_ALLOWED_PREFIXES/,
    );
    await assert.rejects(
      sql(`create external function f(a int) returns variant api_integration = svc as '${service.url}/short-blocked/x'`),
      /blocked by API integration SVC/,
    );
    await assert.rejects(
      sql(`create external function f(a int) returns variant api_integration = nope as '${service.url}/echo'`),
      /Integration 'NOPE' does not exist/,
    );
    await sql(
      `create api integration off api_provider = aws_api_gateway api_aws_role_arn = 'r' enabled = false api_allowed_prefixes = ('${service.url}/')`,
    );
    await assert.rejects(
      sql(`create external function f(a int) returns variant api_integration = off as '${service.url}/echo'`),
      /API integration OFF is disabled/,
    );
    await sql('drop integration off');
    await assert.rejects(
      sql(
        `create api integration keyed api_provider = aws_api_gateway api_aws_role_arn = 'r' api_key = 'secret:NOPE_KEY' enabled = true api_allowed_prefixes = ('https://a/')`,
      ),
      /secret NOPE_KEY for API_KEY is not set/,
    );
    assert.equal((await sql(`show integrations like 'OFF'`)).rows.length, 0);
    const failing = sql(
      `create api integration leaky api_key = 'k-very-secret-value' api_provider = aws_api_gateway enabled = maybe api_allowed_prefixes = ('https://a/')`,
    );
    await assert.rejects(
      failing,
      (e: Error & { details?: unknown }) =>
        !e.message.includes('k-very-secret-value') && !JSON.stringify(e.details).includes('k-very-secret-value'),
    );
  });

  it('sends batches of at most MAX_BATCH_ROWS with the protocol headers and reads answers back in order', async () => {
    await sql(`create external function echo(x number, s varchar) returns variant returns null on null input
      api_integration = svc headers = ('team' = 'recs') max_batch_rows = 300 compression = gzip as '${service.url}/echo'`);
    const r = await sql('select x, echo(x, s) as e from t order by x');
    assert.equal(r.rows.length, 2500);
    for (const [x, e] of r.rows) {
      if (Number(x) % 7 === 0) assert.equal(e, null, `row ${x}: NULL input gives NULL without a call`);
      else assert.deepEqual(e, [x, `v${x}`]);
    }
    const posts = (await log()).filter((s) => s.path === '/echo');
    const sent = posts.reduce((n, s) => n + s.rows, 0);
    assert.equal(sent, 2500 - Math.ceil(2500 / 7), 'rows with a NULL argument are not sent');
    assert.ok(posts.every((s) => s.rows <= 300 && s.rows > 0));
    const h = posts[0].headers;
    assert.equal(h['sf-external-function-format'], 'json');
    assert.equal(h['sf-external-function-format-version'], '1.0');
    assert.equal(h['sf-external-function-name'], 'ECHO');
    assert.equal(h['sf-context-current-database'], 'EXT');
    assert.equal(h['sf-context-current-schema'], 'PUBLIC');
    assert.equal(h['sf-custom-team'], 'recs');
    assert.equal(h['x-api-key'], 'k-123-secret');
    assert.equal(h['content-encoding'], 'gzip');
    assert.match(h['sf-external-function-query-batch-id'], /^[0-9a-f-]{36}$/);
    assert.equal(new Set(posts.map((s) => s.headers['sf-external-function-query-batch-id'])).size, posts.length, 'one batch id per batch');
  });

  it('lets another role call a function only once USAGE on it is granted', async () => {
    await sql('grant usage on database ext to role sysadmin; grant usage on schema ext.public to role sysadmin');
    const sys = engine.createSession({ role: 'SYSADMIN', database: 'EXT' });
    await assert.rejects(sql(`select echo(1, 'b')`, sys), /Insufficient privileges/);
    await sql('grant usage on function echo(number, varchar) to role sysadmin');
    assert.deepEqual((await sql(`select echo(1, 'b') as e`, sys)).rows, [[[1, 'b']]]);
  });

  it('retries 429 with the same batch id, and polls 202 answers with GET until 200', async () => {
    await sql(
      `create external function flaky(a number, b number) returns variant compression = none api_integration = svc as '${service.url}/flaky'`,
    );
    await sql(
      `create external function slow(a number, b number) returns variant api_integration = svc max_batch_rows = 50 as '${service.url}/async'`,
    );
    const r = await sql('select x, flaky(x, 1) as f, slow(x, 2) as s from t where x < 120 order by x');
    assert.deepEqual(
      r.rows.map((row) => [row[1], row[2]]),
      r.rows.map((row) => [Number(row[0]) + 1, Number(row[0]) + 2]),
    );
    const seen = await log();
    const flaky = seen.filter((s) => s.path === '/flaky');
    assert.equal(flaky.length, 2, 'one 429, one retry');
    assert.equal(flaky[0].headers['sf-external-function-query-batch-id'], flaky[1].headers['sf-external-function-query-batch-id']);
    assert.equal(flaky[0].headers['content-encoding'], undefined, 'COMPRESSION = NONE');
    const slow = seen.filter((s) => s.path === '/async');
    const byBatch = new Map<string, Seen[]>();
    for (const s of slow)
      byBatch.set(s.headers['sf-external-function-query-batch-id'], [
        ...(byBatch.get(s.headers['sf-external-function-query-batch-id']) ?? []),
        s,
      ]);
    assert.equal(byBatch.size, 3, '120 rows in batches of 50');
    for (const seenOfBatch of byBatch.values())
      assert.deepEqual(
        seenOfBatch.map((s) => s.method),
        ['POST', 'GET', 'GET'],
        'a POST, then GET polls with the same batch id',
      );
  });

  it('fails the query with the function and URL named when the answer has the wrong row count', async () => {
    await sql(
      `create api integration wide api_provider = aws_api_gateway api_aws_role_arn = 'r' enabled = true api_allowed_prefixes = ('${service.url}/short')`,
    );
    await sql(`create external function short(a number) returns variant api_integration = wide as '${service.url}/short'`);
    await assert.rejects(
      sql('select short(x) from t where x < 10'),
      (e: Error) => e.message.includes(`SHORT(NUMBER) at ${service.url}/short`) && /returned 9 row\(s\) for a batch of 10/.test(e.message),
    );
  });

  it('overrides a built-in of the same name in the schema that defines it; show, describe and drop', async () => {
    await sql(`create or replace external function train_and_get_recommendations(input_table_name varchar, output_table_name varchar)
      returns variant api_integration = svc as '${service.url}/echo'`);
    const r = await sql(
      `select train_and_get_recommendations('a', 'b') as v, train_and_get_recommendations(null::varchar, null::varchar) as n`,
    );
    assert.deepEqual(
      r.rows[0],
      [
        ['a', 'b'],
        [null, null],
      ],
      'CALLED ON NULL INPUT sends NULL rows too',
    );
    const shown = await sql(`show external functions like 'TRAIN%'`);
    assert.equal(shown.rows[0][8], 'TRAIN_AND_GET_RECOMMENDATIONS(VARCHAR, VARCHAR) RETURN VARIANT');
    const d = await sql('describe function train_and_get_recommendations(varchar, varchar)');
    assert.deepEqual(
      d.rows.find((row) => row[0] === 'body'),
      ['body', `${service.url}/echo`],
    );
    await assert.rejects(sql('describe function train_and_get_recommendations(number, varchar)'), /does not exist/);
    await sql('drop function train_and_get_recommendations(varchar, varchar)');
    // Back to the built-in, which answers NULL for NULL tables without starting a job.
    assert.deepEqual((await sql('select train_and_get_recommendations(null::varchar, null::varchar) as n')).rows, [[null]]);
    await sql('drop function echo(number, varchar)');
    await assert.rejects(sql('select echo(1, 2)'), /Unknown function ECHO/);
  });

  it('answers calls outside DuckDB: writes once, nested calls, calls through a view, distinct tuples sent once', async () => {
    await sql(`create or replace external function plus(a number, b number) returns variant api_integration = svc as '${service.url}/sum'`);
    const before = (await log()).length;
    await sql('create table sums (x int, s variant)');
    const inserted = await sql('insert into sums select x, plus(x % 10, 1) from t where x < 100');
    assert.equal(inserted.rows[0][0], 100, 'the statement runs in passes, but only the last one commits');
    assert.deepEqual((await sql('select count(*), sum(s::int) from sums')).rows, [[100, 10 * (45 + 10)]]);
    const sent = (await log()).slice(before).filter((x) => x.path === '/sum');
    assert.deepEqual(
      sent.map((x) => x.rows),
      [10],
      'the ten distinct argument tuples in one batch',
    );
    assert.deepEqual(
      (await sql('select plus(plus(x, 1), plus(x, 2)) as v from t where x in (1, 2) order by x')).rows,
      [[5], [7]],
      'nested calls take one pass per level',
    );
    await sql('create view plus_view as select x, plus(x, 100) as v from t where x < 3');
    assert.deepEqual((await sql('select v from plus_view order by x')).rows, [[100], [101], [102]], 'a call reached only through a view');
    await assert.rejects(sql('select plus(random(), 1) from t where x < 3'), /kept asking for new rows after \d+ passes/);
    const inTransaction = await engine.execute(admin, 'begin; select plus(x, 1) as v from t where x = 4; commit');
    assert.deepEqual(inTransaction[1].rows, [[5]], 'a query inside a transaction');
    await assert.rejects(
      engine.execute(admin, 'begin; insert into sums select x, plus(x, 1) from t where x = 5; commit'),
      /cannot run inside an explicit transaction/,
    );
    // As in Snowflake, a failed statement leaves its transaction open until the session ends it.
    await sql('rollback');
    await sql('drop view plus_view; drop table sums');
  });

  it('ALTER API INTEGRATION sets and unsets properties in place, keeping the generated identities', async () => {
    await sql(
      `create api integration later api_provider = aws_api_gateway api_aws_role_arn = 'arn:aws:iam::123456789012:role/r' enabled = true api_allowed_prefixes = ('${service.url}/echo')`,
    );
    await sql(`create or replace external function keyed(a number) returns variant api_integration = later as '${service.url}/echo'`);
    const before = await sql('describe integration later');
    const prop = (d: typeof before, name: string) => d.rows.find((r) => r[0] === name)?.[2];
    assert.equal(prop(before, 'API_KEY'), '');
    const lastHeaders = async () => (await log()).filter((x) => x.path === '/echo').at(-1)!.headers;
    await sql('select keyed(1)');
    assert.equal((await lastHeaders())['x-api-key'], undefined);
    await sql(`alter api integration later set api_key = 'k-later' comment = 'key added later'`);
    await sql('select keyed(2)');
    assert.equal((await lastHeaders())['x-api-key'], 'k-later');
    const after = await sql('describe integration later');
    assert.equal(prop(after, 'API_KEY'), '********');
    assert.equal(prop(after, 'COMMENT'), 'key added later');
    assert.equal(prop(after, 'API_AWS_EXTERNAL_ID'), prop(before, 'API_AWS_EXTERNAL_ID'), 'ALTER keeps the external id');
    await sql('alter integration later set enabled = false');
    await assert.rejects(sql('select keyed(3)'), /API integration LATER is disabled/);
    await sql(`alter integration if exists later set enabled = true api_blocked_prefixes = ('${service.url}/echo')`);
    await assert.rejects(sql('select keyed(4)'), /blocked by API integration LATER/);
    await sql('alter api integration later unset api_blocked_prefixes, api_key, comment');
    await sql('select keyed(5)');
    assert.equal((await lastHeaders())['x-api-key'], undefined);
    assert.equal(prop(await sql('describe integration later'), 'COMMENT'), '');
    await assert.rejects(
      sql(`alter integration later set api_provider = google_api_gateway`),
      /invalid property 'API_PROVIDER' for ALTER INTEGRATION … SET/,
    );
    await assert.rejects(sql(`alter integration nope set enabled = true`), /Integration 'NOPE' does not exist/);
    await assert.rejects(
      sql(`alter integration later set enabled = true`, engine.createSession({ role: 'SYSADMIN' })),
      /Integration 'LATER' does not exist or not authorized/,
    );
    assert.equal((await sql('alter integration if exists nope set enabled = true')).rows[0][0], 'Statement executed successfully.');
    await sql('drop function keyed(number); drop integration later');
  });

  it('keeps integrations and functions across restarts', async () => {
    await sql(`create or replace external function kept(a number) returns variant api_integration = svc as '${service.url}/sum'`);
    await engine.close();
    engine = await Engine.open({ home });
    admin = engine.createSession({ role: 'ACCOUNTADMIN', database: 'EXT' });
    const r = await sql('select kept(41) as v');
    assert.equal(r.rows[0][0], 41);
  });
});
