import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { recpipeInProcess } from '../support/cli-in-process.js';
import { recpipe as run } from '../support/recpipe-cli.js';
import { serveHome, type ServedHome } from '../support/served-home.js';

/**
 * The CLI runs as a child where the process is the point (its environment, stdin, or exiting while
 * jobs run) and in-process otherwise; the server is served in the test process, found by the CLI
 * through its server.json as a `recpipe server`'s would be (program.test runs `recpipe server`
 * itself as a child, to its SIGTERM).
 */
describe('recpipe sql / server / load', () => {
  const dir = mkdtempSync(join(tmpdir(), 'recpipe-'));
  const home = join(dir, 'home');
  const csv = join(dir, 'small ratings.csv');
  let server: ServedHome | undefined;
  before(() => writeFileSync(csv, 'userId,movieId,rating\n1,10,4.0\n1,20,"3.5"\n2,10,5.0\n'));
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a --home that does not exist, and makes none, unless --create-home is given', { timeout: 180_000 }, async () => {
    const typo = join(dir, 'hoem');
    const r = await recpipeInProcess(['sql', '--home', typo, '-q', 'select 1']);
    assert.notEqual(r.code, 0);
    assert.ok(r.stderr.includes(`no recpipe home at ${typo}; pass --create-home to make one`), r.stderr);
    assert.ok(!existsSync(typo), 'a mistyped home is not created');
  });

  it('makes the configured default home ($RECPIPE_HOME) when first used; a piped session keeps going after an error and exits 1', {
    timeout: 180_000,
  }, async () => {
    // One child for both: each is about the process (its environment, its stdin and exit code).
    const configured = join(dir, 'configured');
    const r = await run(['sql', '--home', configured, '--format', 'json'], {
      env: { RECPIPE_HOME: configured },
      input: 'select * from nowhere;\nselect 1\n  as one;\n',
    });
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout.trim()), [{ ONE: 1 }]);
    assert.match(r.stderr, /nowhere/i);
    assert.ok(existsSync(configured));
  });

  it('runs -q in-process on a home with no server, printing csv', { timeout: 180_000 }, async () => {
    const r = await recpipeInProcess([
      'sql',
      '--home',
      home,
      '--create-home',
      '--format',
      'csv',
      '-q',
      "create database cli_db; use schema cli_db.public; create table t (a int, b varchar); insert into t values (1, 'x,y'), (2, null); select a, b from t order by a",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`no server running; using ${home} in-process`));
    assert.equal(r.stdout, 'A,B\n1,"x,y"\n2,\n', "stdout holds only the query's rows");
    assert.match(r.stderr, /Table T successfully created\.[^]*number of rows inserted[^]*\b2\b/);
  });

  it('reports a failing statement with its file and line and exits non-zero', { timeout: 180_000 }, async () => {
    const file = join(dir, 'bad.sql');
    writeFileSync(file, 'use schema cli_db.public;\n\nselect *\n  from missing_table;\nselect 1;\n');
    const r = await recpipeInProcess(['sql', '--home', home, '-f', file]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3: .*missing_table`, 'i'));
  });

  it('in-process, waits for the training jobs a script started instead of stopping them, and says so', { timeout: 180_000 }, async () => {
    const r = await run([
      'sql',
      '--home',
      home,
      '-q',
      `use schema cli_db.public;
       create table r as select (i % 7) + 1 as userid, (i % 11) + 1 as movieid, (i % 5) + 1.0 as rating from range(60) t(i);
       create table recs (USERID float, TOP_10_RECOMMENDATIONS variant);
       select train_and_get_recommendations('r', 'recs', parse_json('{"folds": 0, "hyperparameters": {"n_epochs": 2}}'));`,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /training jobs started here are waited for before exit/);
    assert.match(r.stderr, /Waiting for 1 training job\(s\) to finish before exiting \(train-[0-9-]+-[0-9a-f]+\)/);
    assert.match(r.stderr, /Training job train-\S+ Completed; model artifact file:\/\//);
    assert.match(r.stdout, /"Describe":"describe training job train-/, 'no URL of a port nobody serves');
    assert.doesNotMatch(r.stdout + r.stderr, /127\.0\.0\.1:7878/);
    const after = await recpipeInProcess(['sql', '--home', home, '--format', 'csv', '-q', 'select count(*) from cli_db.public.recs']);
    assert.equal(after.stdout, 'COUNT(*)\n7\n', after.stderr);
  });

  it('serves the home; sql -q and -f talk to the server and say so', { timeout: 180_000 }, async () => {
    server = await serveHome(home);
    assert.ok(existsSync(join(home, 'server.json')));
    const q = await recpipeInProcess(['sql', '--home', home, '--format', 'json', '-q', 'select a from cli_db.public.t order by a']);
    assert.equal(q.code, 0, q.stderr);
    assert.match(q.stderr, new RegExp(`connected to recpipe server at ${server.url}`));
    assert.deepEqual(JSON.parse(q.stdout), [{ A: 1 }, { A: 2 }]);

    const file = join(dir, 'ok.sql');
    writeFileSync(file, 'use schema cli_db.public;\ncreate table u as select a * 10 as c from t;\nselect c from u order by c;\n');
    const f = await recpipeInProcess(['sql', '--home', home, '-f', file]);
    assert.equal(f.code, 0, f.stderr);
    assert.match(f.stderr, /connected to recpipe server/);
    assert.match(f.stdout, /\|\s+C\s+\|\n\|-+\|\n\|\s+10 \|\n\|\s+20 \|/i);
    assert.match(f.stdout, /2 Row\(s\) produced/);
  });

  it('loads a CSV with a named file format through the server, and refuses an injected table name', { timeout: 180_000 }, async () => {
    const setup = await recpipeInProcess([
      'sql',
      '--home',
      home,
      '-q',
      "use schema cli_db.public; create file format ml type = csv skip_header = 1 field_optionally_enclosed_by = '\"'; create table ratings (userid int, movieid int, rating float)",
    ]);
    assert.equal(setup.code, 0, setup.stderr);
    const load = await recpipeInProcess(['load', 'cli_db.public.ratings', csv, '--file-format', 'cli_db.public.ml', '--home', home]);
    assert.equal(load.code, 0, load.stderr);
    assert.match(load.stderr, /connected to recpipe server/);
    assert.match(load.stdout, /small ratings\.csv/);
    assert.match(load.stdout, /\|\s+3\s+\|/, 'the COPY result reports 3 rows loaded');

    const again = await recpipeInProcess(['load', 'ratings', csv, '--file-format', 'ml', '--home', home, '-d', 'cli_db']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /0 files processed/, 'a file the table already loaded is skipped, as in Snowflake');

    const evil = await recpipeInProcess([
      'load',
      'cli_db.public.ratings; drop table cli_db.public.ratings',
      csv,
      '--file-format',
      'cli_db.public.ml',
      '--home',
      home,
    ]);
    assert.equal(evil.code, 2);
    assert.match(evil.stderr, /table name .* is not a valid identifier/);
    const count = await recpipeInProcess([
      'sql',
      '--home',
      home,
      '--format',
      'csv',
      '-q',
      'select count(*) as n, sum(rating) as s from cli_db.public.ratings',
    ]);
    assert.equal(count.stdout.split('\n')[1], '3,12.5');
  });

  it('runs in-process again once the server stopped and removed its server.json', { timeout: 180_000 }, async () => {
    assert.ok(server);
    await server.close();
    server = undefined;
    assert.ok(!existsSync(join(home, 'server.json')));
    const r = await recpipeInProcess(['sql', '--home', home, '-q', 'select 1']);
    assert.match(r.stderr, /in-process/);
  });
});
