import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql, withEngine } from '../../../../tests/support/temp-engine.js';

describe('context functions', { timeout: 60_000 }, () => {
  it('answers CURRENT_* from the session', () =>
    withEngine(async (engine, session) => {
      await engine.execute(session, 'create database mydb; create schema s2');
      const r = await sql(engine, session, 'select current_database(), current_schema(), current_role(), current_account() is not null, current_user() is not null');
      assert.deepEqual(r.rows, [['MYDB', 'S2', session.role, true, true]]);
      assert.deepEqual(r.columns.map((c) => c.name).slice(0, 2), ['CURRENT_DATABASE()', 'CURRENT_SCHEMA()']);
    }));
});
