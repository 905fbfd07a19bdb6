import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sharedEngine, sql } from '../../../tests/support/temp-engine.js';

const SETUP = 'create database d; create table big (n int); create table small (n int, label varchar); insert into big values (99);';
const counts = 'select (select count(*) from big), (select count(*) from small)';

describe('INSERT ALL | FIRST', () => {
  const shared = sharedEngine();

  it('ALL inserts into every clause whose condition holds; FIRST only into the first; ELSE the rest', () =>
    shared.run(async (engine, session) => {
      await engine.execute(session, SETUP);
      const all = await sql(
        engine,
        session,
        `insert all when n > 10 then into big when n > 0 then into small (n, label) values (n, 'pos') select column1 as n from values (5), (20)`,
      );
      assert.deepEqual(all.rows, [[1, 2]]);
      assert.deepEqual(
        all.columns.map((c) => c.name),
        ['number of rows inserted into BIG', 'number of rows inserted into SMALL'],
      );
      await sql(
        engine,
        session,
        `insert first when n > 10 then into big when n > 0 then into small (n) values (n) select column1 as n from values (5), (20)`,
      );
      assert.deepEqual((await sql(engine, session, counts)).rows, [[3, 3]]);
      await sql(
        engine,
        session,
        `insert all when n > 10 then into big else into small (n) values (n) select column1 as n from values (1), (null)`,
      );
      assert.deepEqual((await sql(engine, session, 'select count(*) from small where label is null')).rows, [[3]]);
    }));

  it('OVERWRITE empties every target first; a failing clause leaves every table as it was', () =>
    shared.run(async (engine, session) => {
      await engine.execute(session, SETUP);
      await sql(engine, session, 'insert overwrite all into big into small (n) values (n) select 7 as n');
      assert.deepEqual((await sql(engine, session, 'select (select sum(n) from big), (select sum(n) from small)')).rows, [[7, 7]]);
      await assert.rejects(sql(engine, session, "insert all into big into small (n) values ('x') select 8 as n"), /x/);
      assert.deepEqual((await sql(engine, session, counts)).rows, [[1, 1]]);
    }));
});
