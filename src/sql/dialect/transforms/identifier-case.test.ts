import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql, withEngine } from '../../../../tests/support/temp-engine.js';

describe('identifier case', () => {
  it('names result columns upper case unless quoted, and names expressions by their text', () =>
    withEngine(async (engine, session) => {
      await engine.execute(
        session,
        `create database d; create table customers (id int, first_name varchar); insert into customers values (1, 'Jenny')`,
      );
      const r = await sql(
        engine,
        session,
        'select id, first_name as "fName", c.first_name, count(*), id + 1 from customers c group by all',
      );
      assert.deepEqual(
        r.columns.map((c) => c.name),
        ['ID', 'fName', 'FIRST_NAME', 'COUNT(*)', 'ID + 1'],
      );
      assert.deepEqual(r.rows, [[1, 'Jenny', 'Jenny', 1, 2]]);
    }));
});
