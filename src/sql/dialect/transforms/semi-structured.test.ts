import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sharedEngine, sql } from '../../../../tests/support/temp-engine.js';
import { jsonPath } from './semi-structured.js';
import { stringLiteral } from '../template.js';
import { loadDialect } from '../index.js';

describe('semi-structured data', () => {
  const shared = sharedEngine();

  it('turns Snowflake paths into JSON paths', async () => {
    await loadDialect();
    assert.equal(jsonPath(stringLiteral('a.b[0]')), '$."a"."b"[0]');
    assert.equal(jsonPath(stringLiteral('["a b"].c')), '$."a b"."c"');
    assert.equal(jsonPath(stringLiteral("x['k'][2]")), '$."x"."k"[2]');
  });

  it('reads paths, indexes and keys; casts to varchar unquote strings; missing keys are NULL', () =>
    shared.run(async (engine, session) => {
      await engine.execute(
        session,
        `create database d; create table example (j variant); insert into example select parse_json('{"str": "100", "num": 200, "a": [1, 2, 3], "Name": "x"}')`,
      );
      const r = await sql(
        engine,
        session,
        `select j:str::varchar s, j:num::varchar n, j:a[1] a1, j['num'] num, j:missing m, j:Name nm, j:name lower_nm, j:num::int + 1 plus from example`,
      );
      assert.deepEqual(r.rows, [['100', '200', 2, 200, null, 'x', null, 201]]);
      const idx = await sql(
        engine,
        session,
        `select parse_json('["banana", "coconut"]')[0]::varchar v, get_path(parse_json('{"a":{"b":7}}'), 'a.b') g`,
      );
      assert.deepEqual(idx.rows, [['banana', 7]]);
    }));

  it('builds arrays and objects as JSON (OBJECT_CONSTRUCT drops NULL pairs) and sizes them', () =>
    shared.run(async (engine, session) => {
      await engine.execute(session, 'create database d');
      const r = await sql(
        engine,
        session,
        `select array_construct(1, 2) a, [3, 4] b, object_construct('a', 1, 'n', null) o, object_construct_keep_null('n', null) k, array_size(array_construct(1, 2, 3)) s, object_keys(parse_json('{"x":1,"y":2}')) ks, split('a,b', ',') sp`,
      );
      assert.deepEqual(r.rows, [[[1, 2], [3, 4], { a: 1 }, { n: null }, 3, ['x', 'y'], ['a', 'b']]]);
      assert.deepEqual(
        r.columns.map((c) => c.type),
        ['VARIANT', 'VARIANT', 'VARIANT', 'VARIANT', 'NUMBER', 'VARIANT', 'VARIANT'],
      );
    }));
});
