import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sharedEngine, sql } from '../../../tests/support/temp-engine.js';

describe('ALTER SESSION and SHOW PARAMETERS', () => {
  const shared = sharedEngine();

  it('sets, shows and unsets session parameters, checking names and values', () =>
    shared.run(async (engine, session) => {
      await engine.execute(session, "alter session set timezone = 'UTC' query_tag = 'nightly', week_start = 1");
      const shown = await sql(engine, session, "show parameters like '%TAG%' in session");
      assert.deepEqual(
        shown.columns.map((c) => c.name),
        ['key', 'value', 'default', 'level', 'description', 'type'],
      );
      assert.deepEqual(
        shown.rows.map((r) => r.slice(0, 4)),
        [['QUERY_TAG', 'nightly', '', 'SESSION']],
      );
      await engine.execute(session, 'alter session unset query_tag, week_start');
      const after = await sql(engine, session, 'show parameters');
      const row = (k: string) => after.rows.find((r) => r[0] === k);
      assert.deepEqual(row('QUERY_TAG')?.slice(1, 4), ['', '', '']);
      assert.deepEqual(row('TIMEZONE')?.slice(1, 2), ['UTC']);
      await assert.rejects(engine.execute(session, 'alter session set no_such_thing = 1'), /invalid parameter 'NO_SUCH_THING'/);
      await assert.rejects(
        engine.execute(session, "alter session set autocommit = 'maybe'"),
        /invalid value \[maybe\] for parameter 'AUTOCOMMIT'/,
      );
      await assert.rejects(engine.execute(session, "alter session set timezone = 'Mars/Olympus'"), /not a time zone/);
      await assert.rejects(engine.execute(session, 'alter session set quoted_identifiers_ignore_case = true'), /can only be false/);
    }));

  it('answers current_session() and current_transaction() from the session', () =>
    shared.run(async (engine, session) => {
      await engine.execute(session, 'create database d');
      assert.deepEqual((await sql(engine, session, 'select current_session(), current_transaction()')).rows, [[session.id, null]]);
      await engine.execute(session, 'begin');
      const [[a]] = (await sql(engine, session, 'select current_transaction()')).rows;
      const [[b]] = (await sql(engine, session, 'select current_transaction()')).rows;
      assert.ok(typeof a === 'string' && a === b, `${a} / ${b}`);
      await engine.execute(session, 'commit');
    }));
});
