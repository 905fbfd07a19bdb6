import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql, withEngine } from '../../../tests/support/temp-engine.js';
import { isRecpipeError } from '../../core/errors.js';

const refused = (code: string) => (e: unknown) => isRecpipeError(e) && e.code === code;

/**
 * Translations and privilege requirements are kept by statement text (dialect/session-keyed-cache.ts):
 * each case runs one text before and after a change that alters what it means, so the second run is
 * served by the cache whenever the cache would (wrongly) allow it.
 */
describe('statements kept between calls', () => {
  it('follow CREATE OR REPLACE, USE SCHEMA and USE ROLE', { timeout: 180_000 }, async () => {
    await withEngine(async (engine, admin) => {
      await sql(
        engine,
        admin,
        `use role sysadmin; create database kc; create schema kc.s2;
         create table kc.public.t (a int); insert into kc.public.t values (1);
         create table kc.s2.t (a int); insert into kc.s2.t values (2);
         create view kc.public.v as select a from kc.public.t; use database kc; use schema public`,
      );
      const read = async (text: string) => (await sql(engine, admin, text)).rows;
      assert.deepEqual(await read('select * from t'), [[1]]);
      await sql(engine, admin, "create or replace table t (b varchar, c int); insert into t values ('x', 3)");
      const replaced = await sql(engine, admin, 'select * from t');
      assert.deepEqual(
        replaced.columns.map((c) => c.name),
        ['B', 'C'],
      );
      assert.deepEqual(replaced.rows, [['x', 3]]);
      // The view names a column the replaced table no longer has.
      await assert.rejects(read('select * from v'), /invalid identifier 'A'/);
      await sql(engine, admin, 'create or replace view v as select 42 as a');
      assert.deepEqual(await read('select * from v'), [[42]]);
      await sql(engine, admin, 'use schema s2');
      assert.deepEqual(await read('select * from t'), [[2]]);
      assert.deepEqual(await read('select current_role() as r'), [['SYSADMIN']]);
      await sql(engine, admin, 'use role accountadmin');
      assert.deepEqual(await read('select current_role() as r'), [['ACCOUNTADMIN']]);
      assert.deepEqual(await read('select current_schema() as s'), [['S2']]);
    });
  });

  it('still check privileges on every call: a revoke, a role change or a dropped table refuse the same text', {
    timeout: 180_000,
  }, async () => {
    await withEngine(async (engine, admin) => {
      await sql(
        engine,
        admin,
        `use role accountadmin; create role reader; create role other; create user rita default_role = reader;
         grant role reader to user rita; grant role other to user rita;
         use role sysadmin; create database kp; create table kp.public.t (x int); insert into kp.public.t values (7);
         grant usage on database kp to role reader; grant usage on schema kp.public to role reader;
         grant select on table kp.public.t to role reader`,
      );
      const rita = engine.createSession({ user: 'rita' });
      const select = 'select x from kp.public.t';
      const insert = 'insert into kp.public.t values (8)';
      assert.deepEqual((await sql(engine, rita, select)).rows, [[7]]);
      await assert.rejects(sql(engine, rita, insert), refused('PERMISSION_DENIED'));
      await sql(engine, admin, 'grant insert on table kp.public.t to role reader');
      await sql(engine, rita, insert);
      await sql(engine, rita, 'use role other');
      await assert.rejects(sql(engine, rita, select), refused('NOT_FOUND'));
      await assert.rejects(sql(engine, rita, insert), refused('NOT_FOUND'));
      await sql(engine, rita, 'use role reader');
      assert.deepEqual((await sql(engine, rita, select)).rows, [[7], [8]]);
      await sql(engine, admin, 'revoke select on table kp.public.t from role reader');
      await assert.rejects(sql(engine, rita, select), refused('PERMISSION_DENIED'));
      await sql(engine, admin, 'drop table kp.public.t');
      await assert.rejects(sql(engine, admin, select), /does not exist/);
    });
  });
});
