import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sharedEngine, sql } from '../../../../tests/support/temp-engine.js';

const RECS = `create database d; create table recs (userid int, recommendations variant);
  insert into recs select 1, parse_json('[10,20,30]'); insert into recs select 2, parse_json('[40]')`;

describe('FLATTEN', () => {
  const shared = sharedEngine();

  it('reads the guide recommendations back with lateral flatten(input => …)', () =>
    shared.run(async (engine, session) => {
      await engine.execute(session, RECS);
      const r = await sql(
        engine,
        session,
        'select r.userid, f.value::int from recs r, lateral flatten(input => r.recommendations) f order by 1, 2',
      );
      assert.deepEqual(
        r.columns.map((c) => c.name),
        ['USERID', 'F.VALUE::INT'],
      );
      assert.deepEqual(r.rows, [
        [1, 10],
        [1, 20],
        [1, 30],
        [2, 40],
      ]);
    }));

  it('has Snowflake columns SEQ, KEY, PATH, INDEX, VALUE, THIS for arrays and objects, and follows PATH', () =>
    shared.run(async (engine, session) => {
      await engine.execute(session, 'create database d');
      const arr = await sql(engine, session, 'select * from table(flatten([1, 2])) order by index');
      assert.deepEqual(
        arr.columns.map((c) => c.name),
        ['SEQ', 'KEY', 'PATH', 'INDEX', 'VALUE', 'THIS'],
      );
      assert.deepEqual(
        arr.rows.map((r) => r.slice(1)),
        [
          [null, '[0]', 0, 1, [1, 2]],
          [null, '[1]', 1, 2, [1, 2]],
        ],
      );
      const obj = await sql(
        engine,
        session,
        `select key, index, path from lateral flatten(input => parse_json('{"a":1,"b":2}')) order by key`,
      );
      assert.deepEqual(obj.rows, [
        ['a', null, 'a'],
        ['b', null, 'b'],
      ]);
      const path = await sql(
        engine,
        session,
        `select f.value::int v from table(flatten(input => parse_json('{"items":[3,4]}'), path => 'items')) f order by 1`,
      );
      assert.deepEqual(path.rows, [[3], [4]]);
    }));

  it('keeps rows with nothing to flatten with OUTER, walks nested values with RECURSIVE', () =>
    shared.run(async (engine, session) => {
      await engine.execute(session, 'create database d');
      const outer = await sql(
        engine,
        session,
        `select t.id, f.index, f.value from (select 1 as id, parse_json('[]') as arr union all select 2, parse_json('[7]')) t, lateral flatten(input => t.arr, outer => true) f order by t.id`,
      );
      assert.deepEqual(outer.rows, [
        [1, null, null],
        [2, 0, 7],
      ]);
      const rec = await sql(
        engine,
        session,
        `select f.key, f.path, f.index, f.value from table(flatten(input => parse_json('{"a":{"b":1},"c":[5]}'), recursive => true)) f order by f.path`,
      );
      assert.deepEqual(rec.rows, [
        ['a', 'a', null, { b: 1 }],
        ['b', 'a.b', null, 1],
        ['c', 'c', null, [5]],
        [null, 'c[0]', 0, 5],
      ]);
    }));

  it('refuses OUTER with RECURSIVE, and a MODE, by name', () =>
    shared.run(async (engine, session) => {
      await engine.execute(session, RECS);
      await assert.rejects(
        sql(engine, session, 'select * from recs r, lateral flatten(input => r.recommendations, outer => true, recursive => true) f'),
        /OUTER => TRUE and RECURSIVE => TRUE/,
      );
      await assert.rejects(
        sql(engine, session, "select * from recs r, lateral flatten(input => r.recommendations, mode => 'ARRAY') f"),
        /MODE other than BOTH/,
      );
    }));
});
