import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Engine } from '../../src/engine/index.js';
import { startServer } from '../../src/service/index.js';
import { startStandIn } from '../support/protocol-stand-in.js';
import { mlSmall, sharedDataSkip } from '../support/shared-data.js';
import { connectDriver, sfRequest, type SfConnection } from '../support/snowflake-driver.js';

const PASSWORD = 'correct horse 1';

/** A home with users ALICE (SYSADMIN, ACCOUNTADMIN granted) and BOB (PUBLIC only), served on loopback. */
async function serve(limits: { snowflakeSessionTokenSeconds?: number; snowflakeMasterTokenSeconds?: number } = {}, setup = '') {
  const home = mkdtempSync(join(tmpdir(), 'recpipe-sf-'));
  const engine = await Engine.open({ home });
  await engine.execute(
    engine.createSession(),
    `use role accountadmin;
     create user alice password = '${PASSWORD}' default_role = sysadmin;
     grant role sysadmin to user alice; grant role accountadmin to user alice;
     create user bob password = '${PASSWORD}';
     use role sysadmin; create database shop; create table shop.public.items (id int, name varchar);
     ${setup}`,
  );
  const server = await startServer(engine, { home, host: '127.0.0.1', port: 0, limits });
  return {
    home,
    server,
    engine,
    close: async () => {
      await server.close();
      await engine.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

describe('snowflake-sdk against recpipe server (loopback)', () => {
  let served: Awaited<ReturnType<typeof serve>>;
  let url: string;
  let alice: SfConnection;
  before(async () => {
    // Session tokens live 3 s, so the driver has to renew them during the run.
    served = await serve({ snowflakeSessionTokenSeconds: 3 });
    url = served.server.url;
    alice = await connectDriver(url, 'alice', PASSWORD, { database: 'shop', schema: 'public', warehouse: 'compute_wh' });
  });
  after(async () => {
    await alice?.destroy().catch(() => undefined);
    await served?.close();
  });

  it('runs select 1 and reports the session context the login asked for', async () => {
    const { rows, statement } = await alice.execute('select 1 as one, current_database() as db, current_role() as r');
    assert.deepEqual(rows, [{ ONE: 1, DB: 'SHOP', R: 'SYSADMIN' }]);
    assert.match(statement.getQueryId(), /^[0-9a-f-]{36}$/);
  });

  it('binds ?, :N and arrays as typed values; text never becomes SQL', async () => {
    const insert = await alice.execute('insert into items values (?, ?)', [
      [1, 'apple'],
      [2, "o'hara'); drop table items; --"],
      [3, null],
    ]);
    assert.equal(insert.statement.getNumUpdatedRows(), 3);
    const { rows } = await alice.execute('select id, name from items where id >= :1 and name is not null order by id', [2]);
    assert.deepEqual(rows, [{ ID: 2, NAME: "o'hara'); drop table items; --" }]);
    const update = await alice.execute('update items set name = ? where id = ?', [
      ['a', 1],
      ['c', 3],
    ]);
    assert.equal(update.statement.getNumUpdatedRows(), 2);
    const count = await alice.execute('select count(*) as n from items where name in (?, ?)', ['a', 'c']);
    assert.deepEqual(count.rows, [{ N: 2 }]);
  });

  it("decodes Snowflake's encodings of every type family", async () => {
    const { rows, statement } = await alice.execute(
      `select 12.25::number(10,2) as n, 1.5::float as f, 'é' as s, true as b, '2024-02-29'::date as d,
              '2024-02-29 13:14:15.123'::timestamp_ntz as ts, parse_json('{"a":[1,2]}') as v, null as z`,
    );
    const row = rows[0];
    assert.equal(row.N, 12.25);
    assert.equal(row.F, 1.5);
    assert.equal(row.S, 'é');
    assert.equal(row.B, true);
    assert.equal((row.D as Date).toISOString(), '2024-02-29T00:00:00.000Z');
    assert.equal((row.TS as Date).toISOString(), '2024-02-29T13:14:15.123Z');
    assert.deepEqual(row.V, { a: [1, 2] });
    assert.equal(row.Z, null);
    assert.deepEqual(
      statement
        .getColumns()
        .slice(0, 7)
        .map((c) => c.getType()),
      ['fixed', 'real', 'text', 'boolean', 'date', 'timestamp_ntz', 'variant'],
    );
  });

  it("reports errors with Snowflake's codes and SQLSTATE, and the same privileges as /api/v1", async () => {
    await assert.rejects(alice.execute('select * from no_such_table'), (e: { code: string; sqlState: string; message: string }) => {
      assert.equal(e.code, '002003');
      assert.equal(e.sqlState, '42S02');
      assert.match(e.message, /does not exist or not authorized/);
      return true;
    });
    const bob = await connectDriver(url, 'BOB', PASSWORD);
    try {
      await assert.rejects(bob.execute('select * from shop.public.items'), (e: { code: string }) => ['002003', '003001'].includes(e.code));
      await assert.rejects(bob.execute('use role sysadmin'), /not assigned to the executing user/);
    } finally {
      await bob.destroy();
    }
  });

  it('delivers a 100,000-row result, most of it in chunks fetched from signed URLs', async () => {
    const { rows } = await alice.execute("select range as i, 'row ' || range as s from range(100000) order by i");
    assert.equal(rows.length, 100_000);
    assert.deepEqual(rows[0], { I: 0, S: 'row 0' });
    assert.deepEqual(rows[99_999], { I: 99_999, S: 'row 99999' });
    assert.equal(
      rows.findIndex((r, i) => r.I !== i || r.S !== `row ${i}`),
      -1,
      'every row in order, across the inline rows and every chunk',
    );
    // A chunk downloaded again (as a driver's retry does) has the same rows as its first download.
    const login = await sfRequest(url, '/session/v1/login-request', { data: { LOGIN_NAME: 'alice', PASSWORD, ACCOUNT_NAME: 'recpipe' } });
    const token = (login.json.data as { token: string }).token;
    const big = await sfRequest(url, '/queries/v1/query-request', { sqlText: 'select range as i from range(100000) order by i' }, token);
    const first = (big.json.data as { chunks: { url: string }[] }).chunks[0].url;
    const [once, again] = [await (await fetch(first)).text(), await (await fetch(first)).text()];
    assert.equal(again, once);
    assert.ok(once.startsWith('["8192"],["8193"]'), once.slice(0, 40));
    const raw = await fetch(
      `${url}/recpipe/snowflake-chunks/00000000-0000-0000-0000-000000000000/0?expires=${Date.now() + 60_000}&signature=forged`,
    );
    assert.equal(raw.status, 403);
  });

  it('runs queries asynchronously: status by query id, then the result', async () => {
    // snowflake-sdk's status and result-by-id calls do not renew an expired session token (its execute does),
    // and a statement on an older connection renews only a token already expired: a new sign-in gives this
    // test a whole fresh 3 s token.
    const fresh = await connectDriver(url, 'alice', PASSWORD);
    try {
      const { statement } = await fresh.execute('select 6 * 7 as answer', undefined, { asyncExec: true });
      const id = statement.getQueryId();
      assert.deepEqual(await fresh.resultsOf(id), [{ ANSWER: 42 }]);
      assert.equal(await (fresh.raw as unknown as { getQueryStatus(id: string): Promise<string> }).getQueryStatus(id), 'SUCCESS');
    } finally {
      await fresh.destroy();
    }
  });

  it('keeps working past the session token’s validity (the driver renews it with the master token)', async () => {
    await sleep(3_500);
    const { rows } = await alice.execute('select 2 as two');
    assert.deepEqual(rows, [{ TWO: 2 }]);
  });

  it('refuses a wrong password with the driver’s authentication error', async () => {
    await assert.rejects(connectDriver(url, 'alice', 'wrong password'), (e: { code: unknown; message: string }) => {
      assert.equal(String(e.code), '390100');
      assert.match(e.message, /Incorrect username or password/);
      return true;
    });
  });

  it('expires tokens: 390112 for an old session token, renewal only with the master token; sign-out ends the session', async () => {
    const login = await sfRequest(url, '/session/v1/login-request', { data: { LOGIN_NAME: 'alice', PASSWORD, ACCOUNT_NAME: 'recpipe' } });
    const data = login.json.data as { token: string; masterToken: string; validityInSeconds: number };
    assert.equal(login.json.success, true);
    assert.equal(data.validityInSeconds, 3);
    await sleep(3_200);
    const expired = await sfRequest(url, '/queries/v1/query-request', { sqlText: 'select 1' }, data.token);
    assert.deepEqual([expired.status, expired.json.code, expired.json.success], [200, '390112', false]);
    const wrong = await sfRequest(url, '/session/token-request', { requestType: 'RENEW', oldSessionToken: data.token }, data.token);
    assert.equal(wrong.json.success, false, 'a session token does not renew');
    const renewed = await sfRequest(url, '/session/token-request', { requestType: 'RENEW', oldSessionToken: data.token }, data.masterToken);
    const token = (renewed.json.data as { sessionToken: string }).sessionToken;
    const ok = await sfRequest(url, '/queries/v1/query-request', { sqlText: 'select 1' }, token);
    assert.equal(ok.json.success, true);
    const out = await sfRequest(url, '/session?delete=true', {}, token);
    assert.equal(out.json.success, true);
    const after = await sfRequest(url, '/queries/v1/query-request', { sqlText: 'select 1' }, token);
    assert.deepEqual([after.status, after.json.code], [401, '390104']);
  });

  it('refuses a role the user lacks at sign-in, and runs several statements when MULTI_STATEMENT_COUNT allows', async () => {
    await assert.rejects(
      connectDriver(url, 'bob', PASSWORD, { role: 'accountadmin' }),
      (e: { code: unknown }) => String(e.code) === '390189',
    );
    const login = await sfRequest(url, '/session/v1/login-request?databaseName=shop&schemaName=public', {
      data: { LOGIN_NAME: 'alice', PASSWORD },
    });
    const token = (login.json.data as { token: string }).token;
    const multi = await sfRequest(
      url,
      '/queries/v1/query-request',
      { sqlText: 'select 1 as a; select 2 as b', parameters: { MULTI_STATEMENT_COUNT: 0 } },
      token,
    );
    const ids = String((multi.json.data as { resultIds: string }).resultIds).split(',');
    assert.equal(ids.length, 2);
    const second = await fetch(`${url}/queries/${ids[1]}/result`, { headers: { authorization: `Snowflake Token="${token}"` } });
    const data = ((await second.json()) as { data: { rowtype: { name: string }[]; rowset: string[][]; finalDatabaseName: string } }).data;
    assert.deepEqual([data.rowtype[0].name, data.rowset, data.finalDatabaseName], ['B', [['2']], 'SHOP']);
    await sfRequest(url, '/session?delete=true', {}, token);
  });

  it('answers malformed requests with a clear 4xx and keeps serving', async () => {
    const login = await sfRequest(url, '/session/v1/login-request', { data: { LOGIN_NAME: 'alice', PASSWORD } });
    const token = (login.json.data as { token: string }).token;
    const cases: [string, unknown, string | undefined][] = [
      ['/session/v1/login-request', '{nope', undefined],
      ['/session/v1/login-request', { data: 'x' }, undefined],
      ['/session/v1/login-request', { data: { LOGIN_NAME: 1, PASSWORD: [] } }, undefined],
      ['/queries/v1/query-request', { sqlText: 'select 1' }, undefined],
      ['/queries/v1/query-request', { sqlText: 'select 1' }, 'forged'],
      ['/queries/v1/query-request', [1, 2], token],
      ['/queries/v1/query-request', { sqlText: 42 }, token],
      ['/queries/v1/query-request', { sqlText: 'select 1', asyncExec: 'yes' }, token],
      ['/session/token-request', { requestType: 'RENEW' }, 'forged'],
    ];
    for (const [path, body, tok] of cases) {
      const r = await sfRequest(url, path, body, tok);
      assert.ok(r.status >= 400 && r.status < 500, `${path} ${JSON.stringify(body)} → ${r.status}`);
      assert.equal(r.json.success, false);
      assert.ok(typeof r.json.message === 'string' && r.json.message.length > 0);
    }
    const badBind = await sfRequest(
      url,
      '/queries/v1/query-request',
      { sqlText: 'select ?', bindings: { 1: { type: 'FIXED', value: '1 or 1=1' } } },
      token,
    );
    assert.equal(badBind.json.success, false);
    assert.match(String(badBind.json.message), /binding '1': '1 or 1=1' is not a FIXED number/);
    const twoStatements = await sfRequest(url, '/queries/v1/query-request', { sqlText: 'select 1; select 2' }, token);
    assert.equal(twoStatements.json.code, '000008');
    assert.equal((await fetch(`${url}/api/v1/health`)).status, 200);
    assert.deepEqual((await alice.execute('select 3 as three')).rows, [{ THREE: 3 }]);
  });

  it('plays the guide’s Lab 1 and the training call through the driver', { skip: sharedDataSkip }, async () => {
    const c = await connectDriver(url, 'alice', PASSWORD);
    try {
      const lab1 = [
        'use role sysadmin',
        'create database MOVIELENS',
        'use schema movielens.public',
        'create table movies (movieid int, title varchar, genres varchar)',
        'create or replace table ratings (userid int, movieid int, rating float, timestamp timestamp_ntz)',
        "create or replace warehouse COMPUTE_WH with warehouse_size='XSMALL' auto_suspend=60 auto_resume=true",
        "create or replace file format MOVIELENS type=csv skip_header=1 field_optionally_enclosed_by='\"'",
        // A driver's user is not the home's owner: files come in through a stage, as in Snowflake.
        'use role accountadmin',
        `create or replace stage ml url = 'file://${mlSmall('')}'`,
        'grant read on stage ml to role sysadmin',
        'use role sysadmin',
        "copy into movies from @ml files = ('movies.csv') file_format=(format_name=MOVIELENS)",
        "copy into ratings from @ml files = ('ratings.csv') file_format=(format_name=MOVIELENS)",
        'select * from ratings limit 10',
        'create table ratings_train_data_local_test as (select USERID, MOVIEID, RATING from ratings limit 1000)',
        'create or replace table ratings_train_data as (select USERID, MOVIEID, RATING from ratings limit 10000)',
        'create or replace table user_movie_recommendations (USERID float, RECOMMENDATIONS variant)',
      ];
      for (const sql of lab1) await c.execute(sql);
      assert.deepEqual((await c.execute('select count(*) as n from ratings')).rows, [{ N: 100_836 }]);
      const started = await c.execute(
        "select train_and_get_recommendations('MOVIELENS.PUBLIC.ratings_train_data', 'MOVIELENS.PUBLIC.user_movie_recommendations') as job",
      );
      const job = started.rows[0].JOB as { TrainingJobName: string };
      assert.match(job.TrainingJobName, /^train-/);
      let status = '';
      for (let i = 0; i < 240 && !['Completed', 'Failed'].includes(status); i++) {
        const shown = await c.execute('show training jobs');
        status = String(shown.rows.find((r) => r.name === job.TrainingJobName)?.status ?? '');
        if (status !== 'Completed') await sleep(500);
      }
      assert.equal(status, 'Completed');
      const recs = await c.execute('select count(*) as n from user_movie_recommendations');
      assert.ok(Number(recs.rows[0].N) > 0);
    } finally {
      await c.destroy();
    }
  });
});

describe('snowflake-sdk when the master token expires', () => {
  let served: Awaited<ReturnType<typeof serve>>;
  before(async () => {
    served = await serve({ snowflakeSessionTokenSeconds: 1, snowflakeMasterTokenSeconds: 2 });
  });
  after(async () => served?.close());

  it('fails with a clear error instead of hanging, and the server keeps serving new logins', async () => {
    const c = await connectDriver(served.server.url, 'alice', PASSWORD);
    assert.deepEqual((await c.execute('select 1 as one')).rows, [{ ONE: 1 }]);
    await sleep(2_500);
    await assert.rejects(c.execute('select 1 as one'), (e: Error) => e.message.length > 0);
    const again = await connectDriver(served.server.url, 'alice', PASSWORD);
    assert.deepEqual((await again.execute('select 1 as one')).rows, [{ ONE: 1 }]);
    await again.destroy();
  });
});

describe('snowflake-sdk cancelling queries', () => {
  let served: Awaited<ReturnType<typeof serve>>;
  let standIn: Awaited<ReturnType<typeof startStandIn>>;
  before(async () => {
    // A statement that waits 2 s on a remote function holds the session, so what follows it waits in line.
    standIn = await startStandIn();
    served = await serve(
      {},
      `use role accountadmin; use schema shop.public;
       create api integration remote api_provider = aws_api_gateway api_aws_role_arn = 'arn:aws:iam::123456789012:role/r' enabled = true api_allowed_prefixes = ('${standIn.url}/');
       create external function slow_sum(a number, b number) returns variant api_integration = remote headers = ('delay-ms' = '2000') as '${standIn.url}/sum';
       grant usage on function slow_sum(number, number) to role sysadmin`,
    );
  });
  after(async () => {
    await served?.close();
    await standIn?.stop();
  });

  it('cancels a query waiting behind another (it never runs) and drops a running one’s result', async () => {
    const c = await connectDriver(served.server.url, 'alice', PASSWORD, { database: 'shop', schema: 'public' });
    try {
      const slow = await c.execute('select slow_sum(1, 2) as s', undefined, { asyncExec: true });
      const queued = await c.execute("insert into items values (99, 'never')", undefined, { asyncExec: true });
      const cancel = (st: unknown) =>
        new Promise<void>((resolve, reject) =>
          (st as { cancel(cb: (e?: Error) => void): void }).cancel((e) => (e ? reject(e) : resolve())),
        );
      await cancel(queued.statement);
      const status = (id: string) => (c.raw as unknown as { getQueryStatus(id: string): Promise<string> }).getQueryStatus(id);
      assert.equal(await status(queued.statement.getQueryId()), 'ABORTED');
      assert.deepEqual(await c.resultsOf(slow.statement.getQueryId()), [{ S: 3 }]);
      assert.deepEqual(
        (await c.execute('select count(*) as n from items where id = 99')).rows,
        [{ N: 0 }],
        'the cancelled insert never ran',
      );
      const running = await c.execute('select slow_sum(2, 2) as s', undefined, { asyncExec: true });
      await cancel(running.statement);
      assert.equal(await status(running.statement.getQueryId()), 'ABORTED');
      await assert.rejects(c.resultsOf(running.statement.getQueryId()));
    } finally {
      await c.destroy();
    }
  });

  it('interrupts a statement running in DuckDB (statement.cancel() → abort-request), and the session serves the next one', async () => {
    const c = await connectDriver(served.server.url, 'alice', PASSWORD, { database: 'shop', schema: 'public' });
    try {
      // 10^12 joined rows: hours of work, so only an interrupt lets the session's next statement run.
      const endless = 'select count(*) as n from range(1000000) a, range(1000000) b where a.range + b.range = -1';
      let finished: (e: Error | undefined) => void = () => undefined;
      const outcome = new Promise<Error | undefined>((resolve) => (finished = resolve));
      const slow = c.raw.execute({ sqlText: endless, complete: (e) => finished(e) }) as unknown as {
        cancel(cb: (e?: Error) => void): void;
        getQueryId(): string;
      };
      await sleep(1_500);
      const t0 = performance.now();
      // A synchronous statement has no query id yet: the driver cancels it by its request id.
      await new Promise<void>((resolve, reject) => slow.cancel((e) => (e ? reject(e) : resolve())));
      assert.match(String((await outcome)?.message), /canceled/i);
      assert.deepEqual((await c.execute('select 7 as seven')).rows, [{ SEVEN: 7 }]);
      assert.ok(performance.now() - t0 < 30_000, 'the next statement ran once the endless one was interrupted');
      const status = (id: string) => (c.raw as unknown as { getQueryStatus(id: string): Promise<string> }).getQueryStatus(id);
      assert.equal(await status(slow.getQueryId()), 'ABORTED');
      assert.equal((await fetch(`${served.server.url}/api/v1/health`)).status, 200);
    } finally {
      await c.destroy();
    }
  });
});

describe('recpipe server closing while a driver query runs in DuckDB', () => {
  it('interrupts the query instead of waiting for it, so the server stops promptly', async () => {
    const served = await serve();
    let closed = false;
    try {
      const c = await connectDriver(served.server.url, 'alice', PASSWORD, { database: 'shop', schema: 'public' });
      const endless = await c.execute('select count(*) from range(1000000) a, range(1000000) b where a.range + b.range = -1', undefined, {
        asyncExec: true,
      });
      const status = (id: string) => (c.raw as unknown as { getQueryStatus(id: string): Promise<string> }).getQueryStatus(id);
      for (let i = 0; i < 50 && (await status(endless.statement.getQueryId())) !== 'RUNNING'; i++) await sleep(100);
      await sleep(500);
      const t0 = performance.now();
      await served.close();
      closed = true;
      assert.ok(performance.now() - t0 < 20_000, `closing took ${Math.round(performance.now() - t0)} ms`);
      // The driver would retry its sign-out against the stopped server for minutes: its connection is dropped unused.
    } finally {
      if (!closed) await served.close();
    }
  });
});
