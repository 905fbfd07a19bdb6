import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sharedEngine, sql } from '../../../../tests/support/temp-engine.js';

describe('table names', () => {
  const shared = sharedEngine();

  it('resolves one-, two- and three-part names against the session; CTE names are not tables', () =>
    shared.run(async (engine, session) => {
      await engine.execute(
        session,
        `create database d; create schema other; create table other.t (x int); insert into other.t values (1); use schema public; create table t (x int); insert into t values (2)`,
      );
      const r = await sql(
        engine,
        session,
        'with t as (select 3 as x) select (select x from t) a, (select x from other.t) b, (select x from d.public.t) c',
      );
      assert.deepEqual(r.rows, [[3, 1, 2]]);
    }));

  it('names a missing table in full, Snowflake style', () =>
    shared.run(async (engine, session) => {
      await engine.execute(session, 'create database d');
      await assert.rejects(sql(engine, session, 'select * from nope'), /Object 'D\.PUBLIC\.NOPE' does not exist or not authorized/);
    }));
});
