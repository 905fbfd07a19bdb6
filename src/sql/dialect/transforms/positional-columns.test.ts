import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql, withEngine } from '../../../../tests/support/temp-engine.js';

describe('positional columns ($1, $2)', () => {
  it('reads the FROM clause’s columns by position in select lists, WHERE and ORDER BY, named as written', () =>
    withEngine(async (engine, session) => {
      await engine.execute(session, 'create database d');
      const r = await sql(engine, session, "select $1, $2 from values (1, 'a'), (2, 'b'), (3, 'c') where $1 > 1 order by $1 desc");
      assert.deepEqual(r.rows, [
        [3, 'c'],
        [2, 'b'],
      ]);
      assert.deepEqual(
        r.columns.map((c) => c.name),
        ['$1', '$2'],
      );
      assert.deepEqual((await sql(engine, session, 'select $2 * 10 from (select 1 a, 2 b)')).rows, [[20]]);
    }));
});
