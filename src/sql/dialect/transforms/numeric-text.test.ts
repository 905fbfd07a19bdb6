import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sharedEngine, sql } from '../../../../tests/support/temp-engine.js';

describe('numeric aggregates of text', () => {
  const shared = sharedEngine();

  it('reads VARCHAR as numbers and leaves exact types exact', () =>
    shared.run(async (engine, session) => {
      await engine.execute(
        session,
        `create database d; create table t (amount varchar, n int, p number(10,2)); insert into t values ('100', 1, 1.25), ('200', 2, 1.25), ('300', 3, 1.25)`,
      );
      const r = await sql(engine, session, 'select sum(amount), avg(amount), stddev(amount), median(amount), sum(n), sum(p) from t');
      assert.deepEqual(r.rows, [[600, 200, 100, 200, 6, 3.75]]);
      assert.deepEqual(
        r.columns.map((c) => c.type),
        ['FLOAT', 'FLOAT', 'FLOAT', 'FLOAT', 'NUMBER', 'NUMBER'],
      );
      const w = await sql(engine, session, 'select sum(amount) over (order by n) from t order by n');
      assert.deepEqual(w.rows, [[100], [300], [600]]);
    }));

  it('fails on text that is not a number, naming the value', () =>
    shared.run(async (engine, session) => {
      await engine.execute(session, `create database d; create table t (amount varchar); insert into t values ('abc')`);
      await assert.rejects(sql(engine, session, 'select sum(amount) from t'), /abc/);
    }));
});
