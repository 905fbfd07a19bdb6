import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sharedEngine, sql } from '../../../tests/support/temp-engine.js';

describe('CREATE SCHEMA … CLONE', () => {
  const shared = sharedEngine();

  it('copies every table of the source schema with its declared types and rows; the copies are independent', () =>
    shared.run(async (engine, session) => {
      await engine.execute(
        session,
        `create database d; create schema s1; create table s1.t (a int, s varchar(20)); insert into s1.t values (1, 'x');
         create table s1.u (b int); create schema s2 clone s1; insert into s2.t values (2, 'y')`,
      );
      assert.deepEqual((await sql(engine, session, 'select current_schema()')).rows, [['S2']]);
      assert.deepEqual(
        (await sql(engine, session, 'select (select count(*) from s1.t), (select count(*) from s2.t), (select count(*) from s2.u)')).rows,
        [[1, 2, 0]],
      );
      const described = await sql(engine, session, 'describe table s2.t');
      assert.deepEqual(
        described.rows.map((r) => r.slice(0, 2)),
        [
          ['A', 'NUMBER(38,0)'],
          ['S', 'VARCHAR(20)'],
        ],
      );
    }));

  it('clones views (re-pointed to the clone), sequences (from their next value) and file formats', () =>
    shared.run(async (engine, session) => {
      await engine.execute(
        session,
        `create database d; create schema s1; create table s1.t (a int); insert into s1.t values (1);
         create view s1.v as select a + 1 as b from s1.t; create view s1.w as select b * 10 as c from s1.v;
         create sequence s1.sq start = 5 increment = 2; select s1.sq.nextval; create file format s1.ff type = csv field_delimiter = '|';
         create schema s2 clone s1; insert into s2.t values (10)`,
      );
      assert.deepEqual(
        (await sql(engine, session, 'select (select sum(b) from s1.v), (select sum(b) from s2.v), (select sum(c) from s2.w)')).rows,
        [[2, 13, 130]],
      );
      assert.deepEqual((await sql(engine, session, 'select s2.sq.nextval, s1.sq.nextval')).rows, [[7, 7]]);
      const formats = await sql(engine, session, 'show file formats in schema d.s2');
      assert.deepEqual(
        formats.rows.map((r) => r[1]),
        ['FF'],
      );
    }));

  it('clones a whole database: each schema with its tables and views', () =>
    shared.run(async (engine, session) => {
      await engine.execute(
        session,
        `create database d; create schema s1; create table s1.t (a int); insert into s1.t values (1);
         create table public.p (x varchar); insert into public.p values ('kept'); create view s1.v as select a * 2 as b from s1.t;
         create database d2 clone d; insert into d2.s1.t values (5)`,
      );
      assert.deepEqual((await sql(engine, session, 'select current_database()')).rows, [['D2']]);
      assert.deepEqual(
        (await sql(engine, session, 'select (select sum(b) from d2.s1.v), (select sum(b) from d.s1.v), (select x from d2.public.p)')).rows,
        [[12, 2, 'kept']],
      );
      await assert.rejects(sql(engine, session, 'create database d3 clone nope'), /Database 'NOPE' does not exist or not authorized/);
    }));

  it('names a missing source schema', () =>
    shared.run(async (engine, session) => {
      await engine.execute(session, 'create database d');
      await assert.rejects(sql(engine, session, 'create schema s2 clone nope'), /NOPE' does not exist/);
    }));
});
