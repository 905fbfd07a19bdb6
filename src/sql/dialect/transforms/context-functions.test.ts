import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sharedEngine, sql } from '../../../../tests/support/temp-engine.js';

describe('context functions', () => {
  const shared = sharedEngine();

  it('answers CURRENT_* from the session', () =>
    shared.run(async (engine, session) => {
      await engine.execute(session, 'create database mydb; create schema s2');
      const r = await sql(
        engine,
        session,
        'select current_database(), current_schema(), current_role(), current_account() is not null, current_user() is not null',
      );
      assert.deepEqual(r.rows, [['MYDB', 'S2', session.role, true, true]]);
      assert.deepEqual(r.columns.map((c) => c.name).slice(0, 2), ['CURRENT_DATABASE()', 'CURRENT_SCHEMA()']);
    }));

  it('gives the current time for current_timestamp with or without parentheses or a precision, localtimestamp, systimestamp, now() and getdate()', () =>
    shared.run(async (engine, session) => {
      await engine.execute(session, 'create database mydb; create table log (at timestamp, n int)');
      const r = await sql(
        engine,
        session,
        'select current_timestamp, current_timestamp(), current_timestamp(3), localtimestamp(), systimestamp(), now(), getdate()',
      );
      for (const v of r.rows[0]) assert.ok(Math.abs(new Date(String(v)).getTime() - Date.now()) < 24 * 3600_000, String(v));
      await engine.execute(session, 'insert into log select current_timestamp, count(*) from log');
      assert.deepEqual((await sql(engine, session, 'select count(*) from log where at is not null')).rows, [[1]]);
    }));
});
