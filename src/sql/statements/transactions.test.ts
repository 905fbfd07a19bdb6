import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sharedEngine, sql } from '../../../tests/support/temp-engine.js';

describe('transactions', () => {
  const shared = sharedEngine();

  it('span requests of a session, unseen by other sessions until committed; rollback undoes them', () =>
    shared.run(async (engine, session) => {
      await engine.execute(session, 'create database d; create table t (i int)');
      const other = engine.createSession({ database: 'D' });
      await engine.execute(session, 'begin transaction; insert into t values (1)');
      assert.deepEqual((await sql(engine, session, 'select count(*) from t')).rows, [[1]]);
      assert.deepEqual((await sql(engine, other, 'select count(*) from t')).rows, [[0]]);
      await engine.execute(session, 'rollback');
      assert.deepEqual((await sql(engine, session, 'select count(*) from t')).rows, [[0]]);
      await engine.execute(session, 'start transaction; insert into t values (2); commit');
      assert.deepEqual((await sql(engine, other, 'select count(*) from t')).rows, [[1]]);
    }));

  it('accepts COMMIT and ROLLBACK outside a transaction, and frees a session left inside one', () =>
    shared.run(async (engine, session) => {
      await engine.execute(session, 'create database d; create table t (i int)');
      assert.equal((await sql(engine, session, 'rollback')).message, 'Statement executed successfully.');
      assert.equal((await sql(engine, session, 'commit')).message, 'Statement executed successfully.');
      await engine.execute(session, 'begin; insert into t values (1)');
      await engine.endSession(session);
      assert.deepEqual((await sql(engine, engine.createSession({ database: 'D' }), 'select count(*) from t')).rows, [[0]]);
    }));
});
