import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql, withEngine } from '../../../../tests/support/temp-engine.js';

describe('OBJECT_CONSTRUCT(*)', () => {
  it("makes an object of the row's columns, without NULLs unless _KEEP_NULL", () =>
    withEngine(async (engine, session) => {
      await engine.execute(
        session,
        `create database d; create table t (id int, "name" varchar, note varchar); insert into t values (1, 'a', null)`,
      );
      const r = await sql(engine, session, `select object_construct(*), object_construct_keep_null(*) from t`);
      assert.deepEqual(r.rows, [
        [
          { ID: 1, name: 'a' },
          { ID: 1, name: 'a', NOTE: null },
        ],
      ]);
      const q = await sql(engine, session, `select object_construct(*) o from (select 1 as a, 'x' as b)`);
      assert.deepEqual(q.rows, [[{ A: 1, B: 'x' }]]);
      const aliased = await sql(engine, session, `select x.id, object_construct(*):name::varchar from t x`);
      assert.deepEqual(aliased.rows, [[1, 'a']]);
    }));
});
