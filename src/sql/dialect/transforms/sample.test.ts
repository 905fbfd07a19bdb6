import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql, withEngine } from '../../../../tests/support/temp-engine.js';

describe('SAMPLE', () => {
  it('takes a number of rows with ROWS and a share of them without', () =>
    withEngine(async (engine, session) => {
      await engine.execute(session, 'create database d; create table t as select seq4() as x from table(generator(rowcount => 50))');
      const r = await sql(
        engine,
        session,
        'select (select count(*) from t sample (3 rows)), (select count(*) from t tablesample (7 rows) seed (1)), (select count(*) from t sample (100)), (select count(*) from t sample (0))',
      );
      assert.deepEqual(r.rows, [[3, 7, 50, 0]]);
    }));
});
