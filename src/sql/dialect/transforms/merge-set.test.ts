import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql, withEngine } from '../../../../tests/support/temp-engine.js';

describe('MERGE … UPDATE SET alias.column', () => {
  it('accepts columns qualified by the target alias', () =>
    withEngine(async (engine, session) => {
      await engine.execute(session, "create database d; create table t (id int, name varchar); insert into t values (1, 'a')");
      await engine.execute(
        session,
        `merge into t tgt using (values (1, 'updated'), (2, 'inserted')) src (id, name) on tgt.id = src.id
           when matched then update set tgt.name = src.name when not matched then insert (id, name) values (src.id, src.name)`,
      );
      assert.deepEqual((await sql(engine, session, 'select id, name from t order by id')).rows, [
        [1, 'updated'],
        [2, 'inserted'],
      ]);
    }));
});
