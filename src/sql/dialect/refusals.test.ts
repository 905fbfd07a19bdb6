import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sharedEngine, sql } from '../../../tests/support/temp-engine.js';

describe('refused constructs', () => {
  const shared = sharedEngine();

  it('hides the internal rp_* macros: calling one is an unknown function, while the Snowflake function they implement works', () =>
    shared.run(async (engine, session) => {
      await engine.execute(session, 'create database d');
      await assert.rejects(
        engine.execute(session, `select rp_get(parse_json('{"a":1}'), '$.a')`),
        /SQL compilation error: Unknown function RP_GET/,
      );
      await assert.rejects(engine.execute(session, 'select RP_Text(1)'), /Unknown function RP_TEXT/);
      await assert.rejects(
        engine.execute(session, 'select rp_object_agg(k, v) from (select 1 as k, 2 as v)'),
        /Unknown function RP_OBJECT_AGG/,
      );
      const r = await sql(engine, session, `select parse_json('{"a":1}'):a::int, array_size([1, 2])`);
      assert.deepEqual(r.rows, [[1, 2]]);
    }));

  it("hides the warehouse's own JS functions (recpipe_write_*, recpipe_connection_id) from users' statements", () =>
    shared.run(async (engine, session) => {
      await engine.execute(session, 'create database d; create table t (a int)');
      // Without the refusal DuckDB would answer with its own catalog error (or run the function).
      await assert.rejects(engine.execute(session, 'select recpipe_write_double(1, 0, 0)'), /Unknown function RECPIPE_WRITE_DOUBLE/);
      await assert.rejects(engine.execute(session, 'select Recpipe_Connection_Id()'), /Unknown function RECPIPE_CONNECTION_ID/);
      await assert.rejects(
        engine.execute(session, 'insert into t select recpipe_write_integer(7, 0, r) from range(3) x(r)'),
        /Unknown function/,
      );
    }));

  it('refuses Time Travel (AT/BEFORE) with a clear "not supported" naming the table and clause', () =>
    shared.run(async (engine, session) => {
      await engine.execute(session, 'create database d; create table t (a int)');
      await assert.rejects(
        engine.execute(session, 'select * from t at(offset => -60)'),
        /Time travel data is not available for table T: .*AT\(OFFSET => …\) is not supported/,
      );
      await assert.rejects(
        engine.execute(session, "select * from t before(statement => '8e5d0ca9')"),
        /table T: .*BEFORE\(STATEMENT => …\)/,
      );
      await assert.rejects(
        engine.execute(session, "select count(*) from t at(timestamp => '2024-01-01'::timestamp)"),
        /AT\(TIMESTAMP => …\) is not supported/,
      );
    }));

  it('refuses a clause the DuckDB renderer would drop (MATCH_RECOGNIZE) instead of answering without it', () =>
    shared.run(async (engine, session) => {
      await engine.execute(session, 'create database d');
      await assert.rejects(
        engine.execute(
          session,
          'select * from (select 1 a) match_recognize(order by a measures count(*) as c pattern (x) define x as true)',
        ),
        /SQL compilation error: Unsupported feature 'MATCH_RECOGNIZE'\./,
      );
      const r = await sql(engine, session, 'select 1 as a /* not supported in this dialect, says the user */');
      assert.deepEqual(r.rows, [[1]]);
    }));
});
