import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { Engine } from '../../src/engine/index.js';
import { startServer } from '../../src/service/index.js';
import { STAGE_FILES_PATH } from '../../src/service/routes/snowflake.js';
import { connectDriver, type SfConnection } from '../support/snowflake-driver.js';

const PASSWORD = 'correct horse 1';

/** A ratings file shaped like ml-latest-small's, with a header. */
function ratingsCsv(rows: number): string {
  const lines = ['userId,movieId,rating,timestamp'];
  for (let i = 0; i < rows; i++) lines.push(`${(i % 61) + 1},${(i * 7919) % 9742},${((i % 10) + 1) / 2},${964_982_703 + i}`);
  return `${lines.join('\n')}\n`;
}

describe('PUT and GET through snowflake-sdk (presigned stage URLs)', () => {
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

  it('refuses unknown stage URLs, and a PUT naming no stage gets a clear error', async () => {
    for (const method of ['GET', 'PUT']) {
      const res = await fetch(`${server.url}${STAGE_FILES_PATH}/not-a-grant`, { method, ...(method === 'PUT' ? { body: 'x' } : {}) });
      assert.equal(res.status, 403);
      assert.match(((await res.json()) as { error: { message: string } }).error.message, /unknown or has expired/);
    }
    await assert.rejects(alice.execute(`PUT 'file://${csv}' nowhere`), /stage reference/);
    await assert.rejects(alice.execute(`GET @~/in`), /file URL/);
    // The service keeps serving.
    assert.equal((await alice.execute('select 1 as one')).rows[0].ONE, 1);
  });
});
