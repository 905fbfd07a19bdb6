import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sharedEngine, sql } from '../../../../tests/support/temp-engine.js';

describe('date arithmetic', () => {
  const shared = sharedEngine();

  it('adds negative and computed amounts with DATEADD / TIMESTAMPADD', () =>
    shared.run(async (engine, session) => {
      await engine.execute(
        session,
        `create database d; create table e (ts timestamp_ntz, n int); insert into e values ('2024-03-04 05:06:07', 2)`,
      );
      const r = await sql(engine, session, 'select dateadd(day, -7, ts) a, timestampadd(hour, n * 2, ts) b, dateadd(day, 1, ts) c from e');
      assert.deepEqual(r.rows, [['2024-02-26T05:06:07', '2024-03-04T09:06:07', '2024-03-05T05:06:07']]);
    }));

  it('keeps a DATE a DATE when it moves by days or longer, as Snowflake does', () =>
    shared.run(async (engine, session) => {
      await engine.execute(session, `create database d; create table e (d date); insert into e values ('2024-01-31')`);
      const r = await sql(
        engine,
        session,
        `select dateadd(month, 1, d), dateadd('day', -1, d), add_months(d, 1), dateadd(hour, 1, d), date_trunc('month', d), trunc(d, 'year'), trunc(3.789, 2) from e`,
      );
      assert.deepEqual(r.rows, [['2024-02-29', '2024-01-30', '2024-02-29', '2024-01-31T01:00:00', '2024-01-01', '2024-01-01', 3.78]]);
      assert.deepEqual(
        r.columns.map((c) => c.type),
        ['DATE', 'DATE', 'DATE', 'TIMESTAMP_NTZ', 'DATE', 'DATE', 'NUMBER'],
      );
      const ts = await sql(
        engine,
        session,
        `select trunc('2024-03-04 05:06:07'::timestamp, 'hour'), date_trunc('day', '2024-03-04 05:06:07'::timestamp)`,
      );
      assert.deepEqual(ts.rows, [['2024-03-04T05:00:00', '2024-03-04T00:00:00']]);
    }));
});
