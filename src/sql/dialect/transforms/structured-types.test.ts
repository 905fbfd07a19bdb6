import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql, withEngine } from '../../../../tests/support/temp-engine.js';
import { plainStructuredTypes } from './structured-types.js';

describe('structured types', () => {
  it('drops the parameters of structured types in type positions only', () => {
    assert.equal(plainStructuredTypes(`select x::object(a int, b array(varchar)) from t`), `select x::object from t`);
    assert.equal(plainStructuredTypes(`select cast(x as MAP(varchar, int))`), `select cast(x as MAP)`);
    assert.equal(
      plainStructuredTypes(`select array_construct(1), object_construct('a', 1)`),
      `select array_construct(1), object_construct('a', 1)`,
    );
    assert.equal(plainStructuredTypes(`select 'x::object(a int)'`), `select 'x::object(a int)'`);
  });

  it('stores and casts structured values as semi-structured data', () =>
    withEngine(async (engine, session) => {
      await engine.execute(
        session,
        `create database d; create table structured (names array(varchar), attrs object(a int));
         insert into structured (names, attrs) select ['A', 'B']::array(varchar), object_construct('a', 1)::object(a int)`,
      );
      const r = await sql(
        engine,
        session,
        `select names[0]::varchar, attrs['a']::number, cast(attrs as object(a int))['a'] from structured`,
      );
      assert.deepEqual(r.rows, [['A', 1, 1]]);
    }));
});
