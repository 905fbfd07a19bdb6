import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql, withEngine } from '../../../tests/support/temp-engine.js';

describe('INSERT OVERWRITE', () => {
  it('replaces the rows, and keeps them when the insert fails', () =>
    withEngine(async (engine, session) => {
      await engine.execute(session, 'create database d; create table t (a int not null); insert into t values (1), (2)');
      const r = await sql(engine, session, 'insert overwrite into t select column1 from values (7)');
      assert.equal(r.rowCount, 1);
      assert.deepEqual((await sql(engine, session, 'select a from t')).rows, [[7]]);
      await assert.rejects(engine.execute(session, 'insert overwrite into t values (null)'));
      assert.deepEqual((await sql(engine, session, 'select a from t')).rows, [[7]]);
    }));
});
