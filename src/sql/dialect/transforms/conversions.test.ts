import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql, withEngine } from '../../../../tests/support/temp-engine.js';
import { timestampText } from './conversions.js';
import { strftimeFormat } from './datetime-formats.js';

describe('conversions', () => {
  it('reads epoch digits by magnitude and offsets after a space', () => {
    assert.equal(timestampText('1748179630'), '2025-05-25 13:27:10.000000');
    assert.equal(timestampText('1748179630122'), '2025-05-25 13:27:10.122000');
    assert.equal(timestampText('2026-01-01 10:00:00 +09:00'), '2026-01-01 10:00:00+09:00');
    assert.equal(timestampText('2024-01-02'), '2024-01-02');
  });

  it('maps Snowflake format elements to strftime', () => {
    assert.equal(strftimeFormat('YYYY/MM/DD HH24:MI:SS'), '%Y/%m/%d %H:%M:%S');
    assert.equal(strftimeFormat('dd-mon-yy "at" hh12 AM'), '%d-%b-%y at %I %p');
  });

  it('converts as Snowflake does', () =>
    withEngine(async (engine, session) => {
      await engine.execute(session, "create database d; create table n (s varchar); insert into n values ('98.76546')");
      const r = await sql(
        engine,
        session,
        `select to_decimal(s), to_number(s, 10, 1), try_to_decimal(s, 3, 2), 'on'::boolean, 'no'::boolean, '1748179630'::timestamp,
           to_char('2024-01-02'::date, 'YYYY/MM/DD'), 10::float::varchar, 1.5::float::varchar, trim(1), equal_null(null, null),
           trim(parse_json('{"k": " v "}'):k), to_variant('hi'), parse_json('{"ts": 1748179630}'):ts::timestamp_ntz from n`,
      );
      assert.deepEqual(r.rows, [
        [99, 98.8, null, true, false, '2025-05-25T13:27:10', '2024/01/02', '10', '1.5', '1', true, 'v', 'hi', '2025-05-25T13:27:10'],
      ]);
      const tz = await sql(
        engine,
        session,
        `select to_timestamp_tz('2026-01-01 10:00:00 +09:00') = '2026-01-01 01:00:00+00:00'::timestamp_tz`,
      );
      assert.deepEqual(tz.rows, [[true]]);
    }));
});
