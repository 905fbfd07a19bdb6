import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { Engine } from '../../src/engine/index.js';
import { startServer } from '../../src/service/index.js';
import { STAGE_FILES_PATH } from '../../src/service/routes/snowflake.js';
import { UPLOAD_BUCKET } from '../../src/snowflake-protocol/index.js';
import { connectDriver, sfRequest, type SfConnection } from '../support/snowflake-driver.js';

const PASSWORD = 'correct horse 1';

/** A ratings file shaped like ml-latest-small's, with a header. */
function ratingsCsv(rows: number): string {
  const lines = ['userId,movieId,rating,timestamp'];
  for (let i = 0; i < rows; i++) lines.push(`${(i % 61) + 1},${(i * 7919) % 9742},${((i % 10) + 1) / 2},${964_982_703 + i}`);
  return `${lines.join('\n')}\n`;
}

describe('PUT and GET through snowflake-sdk (a stage that looks like a GCS bucket)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'recpipe-sf-putget-'));
  const home = join(dir, 'home');
  const local = join(dir, 'client');
  const csv = join(local, 'ratings.csv');
  const content = ratingsCsv(5_000);
  let engine: Engine;
  let server: Awaited<ReturnType<typeof startServer>>;
  let alice: SfConnection;
  let bob: SfConnection;

  before(async () => {
    mkdirSync(local);
    writeFileSync(csv, content);
    mkdirSync(home);
    engine = await Engine.open({ home });
    await engine.execute(
      engine.createSession(),
      `use role accountadmin;
       create user alice password = '${PASSWORD}' default_role = sysadmin;
       grant role sysadmin to user alice;
       create user bob password = '${PASSWORD}';
       use role sysadmin; create database shop;
       create table shop.public.ratings (userid int, movieid int, rating float, ts int);
       create stage shop.public.drops;`,
    );
    server = await startServer(engine, { home, host: '127.0.0.1', port: 0 });
    alice = await connectDriver(server.url, 'alice', PASSWORD, { database: 'shop', schema: 'public' });
    bob = await connectDriver(server.url, 'bob', PASSWORD);
  });
  after(async () => {
    await alice?.destroy().catch(() => undefined);
    await bob?.destroy().catch(() => undefined);
    await server?.close();
    await engine?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('PUTs a file into the user stage as it is, COPY INTO loads it, GET brings back the same bytes', async () => {
    const put = await alice.execute(`PUT 'file://${csv}' @~/in AUTO_COMPRESS = FALSE`);
    assert.deepEqual(
      put.rows.map((r) => [r.source, r.target, r.status]),
      [['ratings.csv', 'ratings.csv', 'UPLOADED']],
    );
    const listed = await alice.execute('list @~/in');
    assert.deepEqual(
      listed.rows.map((r) => [r.name, r.size]),
      [['~/in/ratings.csv', Buffer.byteLength(content)]],
    );
    await alice.execute(`copy into ratings from @~/in file_format = (type = csv skip_header = 1)`);
    const counted = await alice.execute('select count(*) as n, sum(ts) as s from ratings');
    assert.equal(counted.rows[0].N, 5_000);
    assert.equal(
      counted.rows[0].S,
      Array.from({ length: 5_000 }, (_, i) => 964_982_703 + i).reduce((a, b) => a + b, 0),
    );

    const out = join(dir, 'out-plain');
    mkdirSync(out);
    const got = await alice.execute(`GET @~/in/ratings.csv 'file://${out}/'`);
    assert.deepEqual(
      got.rows.map((r) => [r.file, r.status]),
      [['in/ratings.csv', 'DOWNLOADED']],
    );
    assert.deepEqual(readdirSync(out), ['ratings.csv']);
    assert.ok(readFileSync(join(out, 'ratings.csv')).equals(readFileSync(csv)), 'GET returns the bytes PUT sent');
  });

  it('compresses by default (the stage holds ratings.csv.gz), loads the gzip, and GETs it back whole', async () => {
    const put = await alice.execute(`PUT file://${csv} @drops/2024`);
    assert.deepEqual(
      put.rows.map((r) => [r.target, r.targetCompression, r.status]),
      [['ratings.csv.gz', 'GZIP', 'UPLOADED']],
    );
    await alice.execute('truncate table ratings');
    await alice.execute(`copy into ratings from @drops/2024 file_format = (type = csv skip_header = 1)`);
    assert.equal((await alice.execute('select count(*) as n from ratings')).rows[0].N, 5_000);
    const out = join(dir, 'out-gz');
    mkdirSync(out);
    await alice.execute(`GET @drops 'file://${out}' PATTERN = '.*[.]gz'`);
    assert.deepEqual(readdirSync(out), ['ratings.csv.gz']);
    assert.equal(gunzipSync(readFileSync(join(out, 'ratings.csv.gz'))).toString(), content);
  });

  it('holds PUT and GET to the stage privileges of the role: a named stage of another role is not there', async () => {
    await assert.rejects(bob.execute(`PUT 'file://${csv}' @shop.public.drops`), /does not exist or not authorized/);
    await assert.rejects(bob.execute(`GET @shop.public.drops 'file://${join(dir, 'bob-out')}/'`), /does not exist or not authorized/);
    // Bob's own user stage is his, and alice's files are not in it.
    await bob.execute(`PUT 'file://${csv}' @~ AUTO_COMPRESS = FALSE`);
    const mine = await bob.execute('list @~');
    assert.deepEqual(
      mine.rows.map((r) => r.name),
      ['~/ratings.csv'],
    );
    await assert.rejects(bob.execute(`GET @~/in/ratings.csv 'file://${join(dir, 'bob-out')}/'`), /not found/i);
  });

  it("skips a file already staged unless OVERWRITE = TRUE, with the driver's own result columns", async () => {
    const changed = join(local, 'again', 'ratings.csv');
    mkdirSync(join(local, 'again'));
    writeFileSync(changed, ratingsCsv(10));
    const first = await alice.execute(`PUT 'file://${csv}' @~/over AUTO_COMPRESS = FALSE`);
    assert.deepEqual(
      first.rows.map((r) => [r.source, r.target, r.sourceSize, r.targetSize, r.status]),
      [['ratings.csv', 'ratings.csv', Buffer.byteLength(content), Buffer.byteLength(content), 'UPLOADED']],
    );
    // Snowflake's default is OVERWRITE = FALSE: the file of the same name stays as it was.
    const skipped = await alice.execute(`PUT 'file://${changed}' @~/over AUTO_COMPRESS = FALSE`);
    assert.deepEqual(
      skipped.rows.map((r) => [r.target, r.targetSize, r.status]),
      [['ratings.csv', 0, 'SKIPPED']],
    );
    const sizeOf = async () => (await alice.execute('list @~/over')).rows.map((r) => r.size);
    assert.deepEqual(await sizeOf(), [Buffer.byteLength(content)]);
    const replaced = await alice.execute(`PUT 'file://${changed}' @~/over AUTO_COMPRESS = FALSE OVERWRITE = TRUE`);
    assert.deepEqual(
      replaced.rows.map((r) => [r.target, r.status]),
      [['ratings.csv', 'UPLOADED']],
    );
    assert.deepEqual(await sizeOf(), [Buffer.byteLength(ratingsCsv(10))]);
  });

  it("keeps a PUT's credential across a server restart (hashed, in an owner-only file of the home)", async () => {
    const login = await sfRequest(server.url, '/session/v1/login-request', { data: { LOGIN_NAME: 'alice', PASSWORD } });
    const token = (login.json.data as { token: string }).token;
    const put = await sfRequest(server.url, '/queries/v1/query-request', { sqlText: `PUT file:///client/side.csv @~/restart` }, token);
    const stageInfo = (put.json.data as { stageInfo: { endPoint: string; location: string; creds: { GCS_ACCESS_TOKEN: string } } })
      .stageInfo;
    const credential = stageInfo.creds.GCS_ACCESS_TOKEN;
    assert.ok(credential.length >= 40);
    const saved = join(home, 'snowflake-stage-grants.json');
    assert.equal(statSync(saved).mode & 0o777, 0o600);
    assert.ok(!readFileSync(saved, 'utf8').includes(credential), 'only a hash of the credential is on disk');

    await server.close();
    server = await startServer(engine, { home, host: '127.0.0.1', port: 0 });
    const url = `${server.url}${STAGE_FILES_PATH}/${stageInfo.location}side.csv`;
    const auth = { authorization: `Bearer ${credential}` };
    assert.equal((await fetch(url, { method: 'HEAD', headers: auth })).status, 404);
    assert.equal((await fetch(url, { method: 'PUT', headers: auth, body: 'a,b\n1,2\n' })).status, 200);
    assert.equal((await fetch(url, { method: 'HEAD', headers: auth })).status, 200);
    // OVERWRITE = FALSE holds on the server too, whatever the client does.
    assert.equal((await fetch(url, { method: 'PUT', headers: auth, body: 'other' })).status, 412);
    const listed = await sfRequest(server.url, '/queries/v1/query-request', { sqlText: 'list @~/restart' }, token);
    assert.deepEqual(
      (listed.json.data as { rowset: string[][] }).rowset.map((r) => [r[0], r[1]]),
      [['~/restart/side.csv', '8']],
    );
    alice = await connectDriver(server.url, 'alice', PASSWORD, { database: 'shop', schema: 'public' });
  });

  it("lands 100,000 array-bound rows through the driver's bind stage (bindStage), every value and type intact", async (t) => {
    // The driver uploads binds above CLIENT_STAGE_ARRAY_BINDING_THRESHOLD (65,280 values) with a PUT to
    // @SYSTEM$BIND and sends bindStage; it would fall back to inline binds silently, so watch its uploads.
    const uploads: string[] = [];
    const watch = ({ request }: { request: { method: string; path: string } }) => {
      if (request.method === 'PUT') uploads.push(request.path);
    };
    diagnostics.subscribe('http.client.request.start', watch as (message: unknown) => void);
    const n = 100_000;
    const name = (i: number) => (i % 1000 === 7 ? null : i % 500 === 3 ? `q"uote, comma\nline ${i}` : i % 777 === 1 ? '' : `n${i}`);
    const rows = Array.from({ length: n }, (_, i) => [
      i,
      i / 4,
      name(i),
      i % 2 === 0,
      `2024-01-01 00:00:${String(i % 60).padStart(2, '0')}`,
    ]);
    try {
      await alice.execute('create table bulk (id int, score float, name varchar, even boolean, at timestamp_ntz)');
      const t0 = performance.now();
      const insert = await alice.execute('insert into bulk values (?, ?, ?, ?, ?)', rows);
      const ms = performance.now() - t0;
      t.diagnostic(`${n} rows inserted through the bind stage in ${ms.toFixed(0)} ms`);
      assert.equal(insert.statement.getNumUpdatedRows(), n);
      assert.ok(
        uploads.some((p) => p.endsWith('/recpipe-stage/1')),
        `the binds went through the stage (uploads: ${uploads.join(', ')}; ${ms.toFixed(0)} ms)`,
      );
    } finally {
      diagnostics.unsubscribe('http.client.request.start', watch as (message: unknown) => void);
    }
    const sums = await alice.execute(
      'select count(*) as n, sum(id) as ids, sum(score) as scores, count(name) as names, count_if(even) as evens, count(distinct at) as ats from bulk',
    );
    assert.deepEqual(sums.rows, [
      { N: n, IDS: (n * (n - 1)) / 2, SCORES: (n * (n - 1)) / 8, NAMES: rows.filter((r) => r[2] !== null).length, EVENS: n / 2, ATS: 60 },
    ]);
    const picked = await alice.execute('select id, score, name, even from bulk where id in (1, 3, 7, 1003) order by id');
    assert.deepEqual(
      picked.rows.map((r) => [r.ID, r.SCORE, r.NAME, r.EVEN]),
      [1, 3, 7, 1003].map((i) => [i, i / 4, name(i), i % 2 === 0]),
    );
  });

  it('refuses unknown stage credentials, and a PUT naming no stage gets a clear error', async () => {
    const get = await fetch(`${server.url}${STAGE_FILES_PATH}/not-a-grant`);
    assert.equal(get.status, 403);
    assert.match(((await get.json()) as { error: { message: string } }).error.message, /unknown or has expired/);
    const upload = `${server.url}${STAGE_FILES_PATH}/${UPLOAD_BUCKET}/x.csv`;
    for (const headers of [{}, { authorization: 'Bearer not-a-grant' }] as Record<string, string>[]) {
      const put = await fetch(upload, { method: 'PUT', headers, body: 'x' });
      assert.equal(put.status, 403);
      assert.match(((await put.json()) as { error: { message: string } }).error.message, /unknown or has expired/);
      assert.equal((await fetch(upload, { method: 'HEAD', headers })).status, 403);
    }
    await assert.rejects(alice.execute(`PUT 'file://${csv}' nowhere`), /stage reference/);
    await assert.rejects(alice.execute(`GET @~/in`), /file URL/);
    // The service keeps serving.
    assert.equal((await alice.execute('select 1 as one')).rows[0].ONE, 1);
  });
});
