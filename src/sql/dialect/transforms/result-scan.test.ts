import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sharedEngine, sql } from '../../../../tests/support/temp-engine.js';

describe('RESULT_SCAN and LAST_QUERY_ID', () => {
  const shared = sharedEngine();

  it('reads back earlier results of the session by LAST_QUERY_ID(n) or by id, with names and types', () =>
    shared.run(async (engine, session) => {
      await engine.execute(session, 'create database d; create table t1 (x int); create table t2 (x int)');
      const shown = await sql(engine, session, 'show tables; select "name" from table(result_scan(last_query_id())) order by 1');
      assert.deepEqual(shown.rows, [['T1'], ['T2']]);
      const [first] = await engine.execute(session, "select 10 as v, 'a' as s, parse_json('{\"k\": [1]}') as j, 1.5::float f");
      assert.match(first.queryId ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      await engine.execute(session, 'select 20 as v');
      assert.deepEqual((await sql(engine, session, 'select v from table(result_scan(last_query_id(-2)))')).rows, [[10]]);
      const byId = await sql(engine, session, `select v + 1, s, j:k[0]::int, f * 2 from table(result_scan('${first.queryId}')) r`);
      assert.deepEqual(byId.rows, [[11, 'a', 1, 3]]);
      assert.deepEqual((await sql(engine, session, 'select $1 from table(result_scan(last_query_id(-4)))')).rows, [[10]]);
      const [[id]] = (await sql(engine, session, 'select last_query_id(1)')).rows;
      assert.equal(typeof id, 'string');
      assert.deepEqual((await sql(engine, session, 'select last_query_id(1000)')).rows, [[null]]);
    }));

  it('fails naming an unknown query id, and results are the running user’s only', () =>
    shared.run(async (engine, session) => {
      await assert.rejects(
        engine.execute(session, "select * from table(result_scan('01234567-0000-0000-0000-000000000000'))"),
        /Statement 01234567-0000-0000-0000-000000000000 not found/,
      );
      const [r] = await engine.execute(session, 'select 1 as a');
      assert.deepEqual((await sql(engine, engine.createSession(), `select * from table(result_scan('${r.queryId}'))`)).rows, [[1]]);
      await engine.execute(session, 'select 1 where false');
      assert.deepEqual((await sql(engine, session, 'select count(*) from table(result_scan(last_query_id()))')).rows, [[0]]);
    }));
});
