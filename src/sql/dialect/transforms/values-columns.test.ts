import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql, withEngine } from '../../../../tests/support/temp-engine.js';

describe('VALUES as a table', () => {
  it('names its columns COLUMN1 … unless an alias list names them', () =>
    withEngine(async (engine, session) => {
      await engine.execute(session, 'create database d');
      const r = await sql(engine, session, `select column2, column1 from values (1, 'a'), (2, 'b') order by column1`);
      assert.deepEqual(
        r.columns.map((c) => c.name),
        ['COLUMN2', 'COLUMN1'],
      );
      assert.deepEqual(r.rows, [
        ['a', 1],
        ['b', 2],
      ]);
      const sub = await sql(engine, session, 'select v.column1 from (select 1 as x) t join (values (7)) v on true');
      assert.deepEqual(sub.rows, [[7]]);
      const named = await sql(engine, session, 'select a from values (3) as v(a)');
      assert.deepEqual(named.rows, [[3]]);
    }));
});
