import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sharedEngine, sql } from '../../../tests/support/temp-engine.js';

describe('CREATE TABLE forms', () => {
  const shared = sharedEngine();

  it('names and casts CTAS columns from a column list', () =>
    shared.run(async (engine, session) => {
      await engine.execute(session, 'create database d');
      await engine.execute(session, `create table t1 (id varchar, payload variant) as select 1, parse_json('{"a":1}')`);
      const r = await sql(engine, session, 'select id, payload:a::int from t1');
      assert.deepEqual(r.rows, [['1', 1]]);
      assert.equal((await sql(engine, session, 'desc table t1')).rows[0][1], 'VARCHAR(16777216)');
    }));

  it('clones a table with its rows and declared types; keeps comments', () =>
    shared.run(async (engine, session) => {
      await engine.execute(
        session,
        `create database d; create table c (id number(10,0) not null, name varchar(20) comment 'who') comment = 'people' cluster by (id);
         insert into c values (1, 'Jenny')`,
      );
      await engine.execute(session, 'create table c2 clone d.public.c');
      assert.deepEqual((await sql(engine, session, 'select * from c2')).rows, [[1, 'Jenny']]);
      const desc = await sql(engine, session, 'desc table c2');
      assert.deepEqual(
        desc.rows.map((r) => [r[0], r[1], r[3]]),
        [
          ['ID', 'NUMBER(10,0)', 'N'],
          ['NAME', 'VARCHAR(20)', 'Y'],
        ],
      );
      const comments = await sql(engine, session, `select comment from information_schema.tables where table_name = 'C'`);
      assert.deepEqual(comments.rows, [['people']]);
    }));

  it('drops a TEMPORARY table when its session ends', () =>
    shared.run(async (engine, session) => {
      await engine.execute(session, "create database d; create temporary table tt (col varchar); insert into tt values ('v')");
      assert.deepEqual((await sql(engine, session, 'select * from tt')).rows, [['v']]);
      await engine.endSession(session);
      const other = engine.createSession();
      await assert.rejects(engine.execute(other, 'select * from d.public.tt'), /does not exist/);
    }));
});
