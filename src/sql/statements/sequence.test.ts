import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sharedEngine, sql } from '../../../tests/support/temp-engine.js';

describe('sequence statements', () => {
  const shared = sharedEngine();

  it('creates, shows, describes and drops sequences with Snowflake’s columns and messages', () =>
    shared.run(async (engine, session) => {
      await engine.execute(session, 'create database d');
      assert.equal(
        (await sql(engine, session, "create sequence s1 start with 5 increment by 2 comment = 'ids'")).message,
        'Sequence S1 successfully created.',
      );
      await engine.execute(session, 'create sequence if not exists s1; create or replace sequence s2; select s1.nextval');
      const shown = await sql(engine, session, "show sequences like 's%'");
      const at = (name: string) => shown.columns.findIndex((c) => c.name === name);
      assert.deepEqual(
        shown.rows.map((r) => [r[at('name')], r[at('next_value')], r[at('interval')], r[at('comment')], r[at('database_name')]]),
        [
          ['S1', 7, 2, 'ids', 'D'],
          ['S2', 1, 1, null, 'D'],
        ],
      );
      assert.equal((await sql(engine, session, 'describe sequence s2')).rows.length, 1);
      assert.equal((await sql(engine, session, 'drop sequence s2')).message, 'S2 successfully dropped.');
      await assert.rejects(engine.execute(session, 'drop sequence s2'), /Sequence 'D.PUBLIC.S2' does not exist/);
      assert.match((await sql(engine, session, 'drop sequence if exists s2')).message ?? '', /already dropped/);
      await assert.rejects(engine.execute(session, 'create sequence s3 increment by 0'), /INCREMENT must not be 0/);
    }));

  it('numbers AUTOINCREMENT and IDENTITY columns in every written form, and hides their sequences', () =>
    shared.run(async (engine, session) => {
      await engine.execute(session, 'create database d');
      await engine.execute(session, 'create table a (id numeric not null autoincrement, name varchar)');
      await engine.execute(session, 'create table b (id int identity(10, 5), name varchar)');
      await engine.execute(session, 'create table c (id int autoincrement start 100 increment 10 noorder, name varchar)');
      for (const t of ['a', 'b', 'c']) await engine.execute(session, `insert into ${t} (name) values ('x'), ('y')`);
      const ids = async (t: string) => (await sql(engine, session, `select id from ${t} order by id`)).rows.map((r) => r[0]);
      assert.deepEqual(await ids('a'), [1, 2]);
      assert.deepEqual(await ids('b'), [10, 15]);
      assert.deepEqual(await ids('c'), [100, 110]);
      // Replacing the table restarts its numbering; dropping it leaves no hidden sequence behind.
      await engine.execute(session, "create or replace table a (id int autoincrement, name varchar); insert into a (name) values ('z')");
      assert.deepEqual(await ids('a'), [1]);
      assert.deepEqual((await sql(engine, session, 'show sequences')).rows, []);
      await engine.execute(session, 'drop table a; drop table b; drop table c');
      const left = await sql(engine, session, "select count(*) from duckdb_sequences() where database_name = 'D'");
      assert.deepEqual(left.rows, [[0]]);
    }));
});
