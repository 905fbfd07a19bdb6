import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sharedEngine, sql } from '../../../../tests/support/temp-engine.js';

describe('column names', () => {
  const shared = sharedEngine();

  it('names unaliased expressions of the outer select (first UNION branch) as Snowflake does', () =>
    shared.run(async (engine, session) => {
      await engine.execute(session, 'create database d');
      const r = await sql(engine, session, `select 1 + 1, upper('a'), 'x' y union all select 3, 'b', 'z'`);
      assert.deepEqual(
        r.columns.map((c) => c.name),
        ['1 + 1', "UPPER('a')", 'Y'],
      );
      const inner = await sql(engine, session, 'select * from (select 1 + 2) s');
      assert.equal(inner.rows[0][0], 3);
    }));

  it('names a select item that spans lines, or holds quotes, by its text', () =>
    shared.run(async (engine, session) => {
      const r = await sql(engine, session, 'select $$hello\nworld$$');
      assert.deepEqual(r.rows, [['hello\nworld']]);
      assert.match(r.columns[0].name, /\n/);
      const quoted = await sql(engine, session, `select '"q"' || 'x'`);
      assert.deepEqual(quoted.rows, [['"q"x']]);
    }));
});
