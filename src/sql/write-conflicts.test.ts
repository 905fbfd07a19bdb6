import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql, withEngine } from '../../tests/support/temp-engine.js';

describe('concurrent writers', () => {
  it('50 sessions replacing, creating and inserting into the same tables at once all succeed', () =>
    withEngine(async (engine, session) => {
      await engine.execute(session, 'create database d; create table shared (i int)');
      const sessions = Array.from({ length: 50 }, () => engine.createSession({ database: 'D' }));
      const outcomes = await Promise.allSettled(
        sessions.map((s, k) =>
          engine.execute(
            s,
            `create or replace table same as select ${k} as i; insert into shared values (${k}); create or replace table own_${k} as select * from shared`,
          ),
        ),
      );
      const failed = outcomes.filter((o) => o.status === 'rejected').map((o) => String((o as PromiseRejectedResult).reason).split('\n')[0]);
      assert.deepEqual(failed, []);
      assert.deepEqual((await sql(engine, session, 'select count(*), count(distinct i) from shared')).rows, [[50, 50]]);
      assert.equal((await sql(engine, session, 'select count(*) from same')).rows[0][0], 1);
    }));
});
