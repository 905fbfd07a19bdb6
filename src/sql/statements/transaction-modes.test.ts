import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sharedEngine, sql } from '../../../tests/support/temp-engine.js';

describe('autocommit and DDL in transactions', () => {
  const shared = sharedEngine();

  it('with AUTOCOMMIT = FALSE opens a transaction at the first DML, until ROLLBACK or COMMIT', () =>
    shared.run(async (engine, session) => {
      await engine.execute(session, 'create database d; create table t (i int)');
      const other = engine.createSession({ database: 'D' });
      await engine.execute(session, 'alter session set autocommit = false; insert into t values (1)');
      assert.equal(session.inTransaction, true);
      assert.deepEqual((await sql(engine, other, 'select count(*) from t')).rows, [[0]]);
      await engine.execute(session, 'rollback');
      assert.deepEqual((await sql(engine, session, 'select count(*) from t')).rows, [[0]]);
      await engine.execute(session, 'insert into t values (2); commit');
      assert.deepEqual((await sql(engine, other, 'select count(*) from t')).rows, [[1]]);
      // Turning autocommit back on commits what is open.
      await engine.execute(session, 'insert into t values (3); alter session set autocommit = true');
      assert.equal(session.inTransaction, false);
      assert.deepEqual((await sql(engine, other, 'select count(*) from t')).rows, [[2]]);
    }));

  it('commits the open transaction before a DDL statement, as Snowflake does', () =>
    shared.run(async (engine, session) => {
      await engine.execute(session, 'create database d; create table t (i int)');
      await engine.execute(session, 'begin; insert into t values (1); create table u (j int); rollback');
      assert.deepEqual((await sql(engine, session, 'select count(*) from t')).rows, [[1]]);
      assert.deepEqual((await sql(engine, session, 'select count(*) from u')).rows, [[0]]);
    }));
});
