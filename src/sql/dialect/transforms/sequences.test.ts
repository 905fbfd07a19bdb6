import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sharedEngine, sql } from '../../../../tests/support/temp-engine.js';

describe('sequences (seq.nextval)', () => {
  const shared = sharedEngine();

  it('gives each nextval its own value, in selects, inserts and column defaults, by 1- to 3-part names', () =>
    shared.run(async (engine, session) => {
      await engine.execute(session, 'create database d; create or replace sequence seq_01 start with 1 increment by 1');
      const r = await sql(engine, session, 'select seq_01.nextval, seq_01.nextval again');
      assert.deepEqual(r.rows, [[1, 2]]);
      assert.deepEqual(
        r.columns.map((c) => c.name),
        ['NEXTVAL', 'AGAIN'],
      );
      await engine.execute(
        session,
        'create sequence s10 start = 10 increment = -3; create table t (id int default s10.nextval, name varchar)',
      );
      await engine.execute(
        session,
        "insert into t (name) values ('a'), ('b'); insert into t values (public.s10.nextval, 'c'), (d.public.s10.nextval, 'd')",
      );
      assert.deepEqual((await sql(engine, session, 'select id, name from t order by name')).rows, [
        [10, 'a'],
        [7, 'b'],
        [4, 'c'],
        [1, 'd'],
      ]);
    }));

  it('fails on a sequence that does not exist or was dropped', () =>
    shared.run(async (engine, session) => {
      await engine.execute(session, 'create database d; create sequence seq1; drop sequence seq1');
      await assert.rejects(engine.execute(session, 'select seq1.nextval'), /SEQ1/);
    }));
});
