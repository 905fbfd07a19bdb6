import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sharedEngine, sql } from '../../../tests/support/temp-engine.js';

describe('CREATE TABLE / VIEW, DROP, identifiers', () => {
  const shared = sharedEngine();

  it('stores unquoted names upper-case and quoted names as written', () =>
    shared.run(async (engine, session) => {
      await engine.execute(session, 'create database d; create table Movies (movieId int, "Title" varchar)');
      const d = await sql(engine, session, 'describe table MOVIES');
      assert.deepEqual(
        d.rows.map((r) => r[0]),
        ['MOVIEID', 'Title'],
      );
      await sql(engine, session, `insert into movies (MOVIEID, "Title") values (1, 'Heat')`);
      const r = await sql(engine, session, 'select movieid, "Title" from d.public.movies');
      assert.deepEqual(
        r.columns.map((c) => c.name),
        ['MOVIEID', 'Title'],
      );
      assert.deepEqual((await sql(engine, session, 'select m.movieid as Id from public.movies m')).columns, [
        { name: 'ID', type: 'NUMBER' },
      ]);
      assert.deepEqual(
        (await sql(engine, session, 'show tables')).rows.map((row) => row[1]),
        ['MOVIES'],
      );
    }));

  it('creates tables from column definitions, LIKE and AS, with Snowflake messages', () =>
    shared.run(async (engine, session) => {
      await sql(engine, session, 'create database d');
      const created = await sql(
        engine,
        session,
        `create or replace transient table ratings (userid int not null primary key, movieid int references movies (id), rating float default 2.5 comment 'stars',
           timestamp timestamp_ntz, constraint pk unique (userid))`,
      );
      assert.equal(created.message, 'Table RATINGS successfully created.');
      await sql(engine, session, 'insert into ratings (userid, movieid) values (1, 1), (1, 2)');
      assert.deepEqual(
        (await sql(engine, session, 'select rating from ratings')).rows,
        [[2.5], [2.5]],
        'defaults apply; informational PRIMARY KEY is not enforced',
      );
      await assert.rejects(engine.execute(session, 'insert into ratings (movieid) values (3)'), /NOT NULL/);
      assert.equal((await sql(engine, session, 'create table copy like ratings')).message, 'Table COPY successfully created.');
      assert.deepEqual(
        (await sql(engine, session, 'describe table copy')).rows.map((r) => [r[0], r[1], r[3]]),
        [
          ['USERID', 'NUMBER(38,0)', 'N'],
          ['MOVIEID', 'NUMBER(38,0)', 'Y'],
          ['RATING', 'FLOAT', 'Y'],
          ['TIMESTAMP', 'TIMESTAMP_NTZ(9)', 'Y'],
        ],
      );
      await sql(engine, session, 'create table small as (select USERID, MOVIEID from ratings limit 1)');
      assert.deepEqual((await sql(engine, session, 'select * from small')).rows, [[1, 1]]);
      assert.equal(
        (await sql(engine, session, 'create table if not exists small (x int)')).message,
        'SMALL already exists, statement succeeded.',
      );
      await assert.rejects(engine.execute(session, 'create table small (x int)'), /Object 'D\.PUBLIC\.SMALL' already exists\./);
      assert.equal((await sql(engine, session, 'create temporary table tmp (x int); select count(*) from tmp')).rows[0][0], 0);
      await assert.rejects(engine.execute(session, 'create table g (x geography)'), /Unsupported data type 'GEOGRAPHY'/);
      await assert.rejects(engine.execute(session, 'create table recpipe.public.x (a int)'), /system catalog and is read-only/);
    }));

  it('creates and drops views and tables', () =>
    shared.run(async (engine, session) => {
      await engine.execute(session, 'create database d; create table t (a int); insert into t values (1), (2)');
      assert.equal(
        (await sql(engine, session, 'create or replace view v (x) as select a * 10 from t')).message,
        'View V successfully created.',
      );
      assert.deepEqual((await sql(engine, session, 'select sum(x) as total from v')).rows, [[30]]);
      assert.equal((await sql(engine, session, 'drop view v')).message, 'V successfully dropped.');
      assert.equal((await sql(engine, session, 'drop table t')).message, 'T successfully dropped.');
      await assert.rejects(engine.execute(session, 'drop table t'), /Table 'D\.PUBLIC\.T' does not exist or not authorized\./);
      assert.equal(
        (await sql(engine, session, 'drop table if exists t')).message,
        'Drop statement executed successfully (T already dropped).',
      );
    }));
});
