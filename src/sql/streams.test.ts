import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sharedEngine, sql, withEngine } from '../../tests/support/temp-engine.js';
import type { Engine, Session } from '../engine/index.js';

const rows = async (e: Engine, s: Session, text: string): Promise<unknown[][]> => (await sql(e, s, text)).rows;

const CHANGES = 'select id, v, metadata$action, metadata$isupdate from s order by metadata$action, id, v';

async function setup(e: Engine, s: Session, options = ''): Promise<void> {
  await sql(
    e,
    s,
    `create database db; create table t (id int, v varchar); insert into t values (1, 'a'), (2, 'b');
     create table sink (id int, v varchar, action varchar, isupdate boolean); create stream s on table t ${options}`,
  );
}

describe('streams', () => {
  // One home for the tests that create only databases (dropped after each); the one creating a role keeps its own.
  const shared = sharedEngine();
  it('returns net changes since the offset, updates as DELETE+INSERT pairs, and a select does not consume', async () => {
    await shared.run(async (e, s) => {
      await setup(e, s);
      assert.deepEqual(await rows(e, s, CHANGES), []);
      assert.deepEqual(await rows(e, s, "select system$stream_has_data('s')"), [[false]]);
      await sql(
        e,
        s,
        "insert into t values (3, 'c'), (4, 'd'); update t set v = 'B' where id = 2; delete from t where id = 1; delete from t where id = 4",
      );
      const expected = [
        [1, 'a', 'DELETE', false],
        [2, 'b', 'DELETE', true],
        [2, 'B', 'INSERT', true],
        [3, 'c', 'INSERT', false],
      ];
      assert.deepEqual(await rows(e, s, CHANGES), expected);
      assert.deepEqual(await rows(e, s, CHANGES), expected, 'a plain select leaves the offset');
      const ids = await rows(e, s, 'select metadata$row_id from s where id = 2');
      assert.equal(ids.length, 2);
      assert.equal(ids[0][0], ids[1][0], 'an update pair shares its row id');
      assert.match(String(ids[0][0]), /^[0-9a-f]{32}$/);
      assert.deepEqual(await rows(e, s, "select system$stream_has_data('s')"), [[true]]);
    });
  });

  it('moves the offset when a DML statement reading the stream commits, not when it rolls back or fails', async () => {
    await shared.run(async (e, s) => {
      await setup(e, s);
      await sql(e, s, "insert into t values (3, 'c')");
      await sql(e, s, 'begin; insert into sink select id, v, metadata$action, metadata$isupdate from s; rollback');
      assert.deepEqual(await rows(e, s, 'select count(*) from sink'), [[0]]);
      assert.deepEqual(await rows(e, s, 'select id from s'), [[3]], 'a rollback keeps the offset');
      await assert.rejects(sql(e, s, 'insert into sink select id, v, metadata$action, metadata$action::int > 0 from s'));
      assert.deepEqual(await rows(e, s, 'select id from s'), [[3]], 'a failed statement keeps the offset');
      await sql(e, s, 'insert into sink select id, v, metadata$action, metadata$isupdate from s');
      assert.deepEqual(await rows(e, s, 'select id, action from sink'), [[3, 'INSERT']]);
      assert.deepEqual(await rows(e, s, 'select count(*) from s'), [[0]]);
      assert.deepEqual(await rows(e, s, "select system$stream_has_data('s')"), [[false]]);
      // Inside an explicit transaction the offset moves at COMMIT.
      await sql(e, s, "insert into t values (5, 'e')");
      await sql(e, s, 'begin; insert into sink select id, v, metadata$action, metadata$isupdate from s');
      assert.deepEqual(await rows(e, s, 'select id from s'), [[5]], 'the transaction keeps reading the same changes until COMMIT');
      const other = e.createSession({ database: 'db' });
      assert.deepEqual(await rows(e, other, 'select id from s'), [[5]], 'another session sees the committed offset');
      await sql(e, s, 'commit');
      assert.deepEqual(await rows(e, other, 'select count(*) from s'), [[0]]);
    });
  });

  it('keeps rows inserted by another session while a consumer runs for the next read', async () => {
    await shared.run(async (e, s) => {
      await setup(e, s);
      await sql(e, s, "insert into t values (3, 'c')");
      const other = e.createSession({ database: 'db' });
      await sql(e, s, 'begin; insert into sink select id, v, metadata$action, metadata$isupdate from s');
      await sql(e, other, "insert into t values (4, 'd')");
      await sql(e, s, 'commit');
      assert.deepEqual(await rows(e, s, 'select id from sink'), [[3]]);
      assert.deepEqual(await rows(e, s, 'select id, metadata$action from s'), [[4, 'INSERT']], 'the concurrent insert is still pending');
    });
  });

  it('append_only reports inserts only; show_initial_rows reports the rows already there', async () => {
    await shared.run(async (e, s) => {
      await setup(e, s, 'append_only = true');
      await sql(
        e,
        s,
        "create stream initial on table t show_initial_rows = true; delete from t where id = 1; insert into t values (3, 'c')",
      );
      assert.deepEqual(await rows(e, s, CHANGES), [[3, 'c', 'INSERT', false]]);
      assert.deepEqual(await rows(e, s, 'select id, metadata$action from initial order by id'), [
        [2, 'INSERT'],
        [3, 'INSERT'],
      ]);
    });
  });

  it('shows, describes and drops streams; a stream on a dropped table is stale; other roles need ownership', async () => {
    await withEngine(async (e, s) => {
      await setup(e, s, "comment = 'new rows'");
      const shown = await sql(e, s, 'show streams');
      const col = (name: string) => shown.columns.findIndex((c) => c.name === name);
      assert.equal(shown.rows.length, 1);
      assert.equal(shown.rows[0][col('name')], 'S');
      assert.equal(shown.rows[0][col('table_name')], 'DB.PUBLIC.T');
      assert.equal(shown.rows[0][col('stale')], 'false');
      assert.equal(shown.rows[0][col('mode')], 'DEFAULT');
      assert.equal(shown.rows[0][col('comment')], 'new rows');
      assert.equal((await sql(e, s, 'describe stream s')).rows.length, 1);
      const tables = (await rows(e, s, 'show tables')).map((r) => r[1]);
      assert.deepEqual(tables.sort(), ['SINK', 'T'], 'offsets stay hidden');
      await assert.rejects(sql(e, s, 'select * from "RECPIPE$STREAMS".x'), /cannot be named/);
      const admin = e.createSession({ role: 'accountadmin', database: 'db' });
      await sql(
        e,
        admin,
        'create role analyst; grant usage on database db to role analyst; grant usage on schema db.public to role analyst',
      );
      await sql(e, admin, 'grant select on table db.public.t to role analyst');
      const analyst = e.createSession({ role: 'analyst', database: 'db' });
      await assert.rejects(sql(e, analyst, 'select * from s'), /Stream 'DB.PUBLIC.S' does not exist or not authorized/);
      await sql(e, s, 'drop table t');
      assert.equal((await sql(e, s, 'show streams')).rows[0][col('stale')], 'true');
      await assert.rejects(sql(e, s, 'select * from s'), /stale/);
      await sql(e, s, 'drop stream s');
      assert.equal((await sql(e, s, 'show streams')).rows.length, 0);
      await assert.rejects(sql(e, s, 'drop stream s'), /does not exist/);
      await sql(e, s, 'drop stream if exists s');
    });
  });

  it('go with the schema or database they live in: a recreated database starts without them', async () => {
    await shared.run(async (e, s) => {
      await setup(e, s);
      await sql(e, s, 'create schema other; create table t2 (id int); create stream s2 on table t2');
      await sql(e, s, 'drop schema other');
      assert.deepEqual((await rows(e, s, 'show streams in database db')).length, 1, 'only the PUBLIC stream is left');
      await sql(e, s, 'drop database db');
      await setup(e, s);
      assert.deepEqual(await rows(e, s, CHANGES), [], 'the recreated stream starts from the new table');
      assert.equal((await rows(e, s, 'show streams')).length, 1);
    });
  });
});
