import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sharedEngine, sql } from '../../../../tests/support/temp-engine.js';

describe('type mapping', () => {
  const shared = sharedEngine();

  it('casts to Snowflake types through their DuckDB storage types', () =>
    shared.run(async (engine, session) => {
      await engine.execute(session, 'create database d');
      const r = await sql(
        engine,
        session,
        `select '7'::int i, cast('1.257' as number(10,2)) n, '2024-01-02 03:04:05'::timestamp_ntz t, 2.5::float f, 42::variant v, 42::varchar(20) s`,
      );
      assert.deepEqual(
        r.columns.map((c) => c.type),
        ['NUMBER', 'NUMBER', 'TIMESTAMP_NTZ', 'FLOAT', 'VARIANT', 'VARCHAR'],
      );
      assert.deepEqual(r.rows, [[7, 1.26, '2024-01-02T03:04:05', 2.5, 42, '42']]);
    }));

  it('names an unknown type in Snowflake words', () =>
    shared.run(async (engine, session) => {
      await engine.execute(session, 'create database d');
      await assert.rejects(sql(engine, session, `select 1::geography`), /Unsupported data type 'GEOGRAPHY'/);
    }));
});
