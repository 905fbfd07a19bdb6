import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sharedEngine, sql } from '../../../tests/support/temp-engine.js';

describe('translated statements', () => {
  const shared = sharedEngine();

  it('inserts strings into FLOAT columns and reports Snowflake counts for DML', () =>
    shared.run(async (engine, session) => {
      await engine.execute(session, 'create database d; create or replace table no_ratings (USERID float, MOVIEID float)');
      const ins = await sql(engine, session, `insert into no_ratings (USERID, MOVIEID) values ('1', '610'), ('10', '313')`);
      assert.deepEqual(
        [ins.kind, ins.columns, ins.rows, ins.rowCount],
        ['command', [{ name: 'number of rows inserted', type: 'NUMBER' }], [[2]], 2],
      );
      const q = await sql(engine, session, 'select * from no_ratings order by userid');
      assert.deepEqual(q.columns, [
        { name: 'USERID', type: 'FLOAT' },
        { name: 'MOVIEID', type: 'FLOAT' },
      ]);
      assert.deepEqual(q.rows, [
        [1, 610],
        [10, 313],
      ]);
      const upd = await sql(engine, session, 'update no_ratings set movieid = movieid + 1 where userid = ?', [10]);
      assert.deepEqual(upd.rows, [[1, 0]]);
      assert.equal(upd.columns[0].name, 'number of rows updated');
      assert.deepEqual((await sql(engine, session, 'delete from no_ratings where userid = 1')).rows, [[1]]);
      assert.equal((await sql(engine, session, 'truncate table no_ratings')).message, 'Statement executed successfully.');
      assert.deepEqual((await sql(engine, session, 'select count(*) n from no_ratings')).rows, [[0]]);
    }));

  it('stores VARIANT as JSON and returns it parsed', () =>
    shared.run(async (engine, session) => {
      await engine.execute(session, 'create database d; create table recs (USERID float, RECOMMENDATIONS variant)');
      await sql(engine, session, `insert into recs select 1, parse_json('[318, 296, 2571]')`);
      const r = await sql(engine, session, 'select * from recs');
      assert.deepEqual(r.columns[1], { name: 'RECOMMENDATIONS', type: 'VARIANT' });
      assert.deepEqual(r.rows, [[1, [318, 296, 2571]]]);
      assert.deepEqual((await sql(engine, session, `select to_timestamp_ntz(964982703) ts, iff(true, 'y', 'n') f, nvl(null, 3) n`)).rows, [
        ['2000-07-30T18:45:03', 'y', 3],
      ]);
    }));

  it('binds parameters per statement and keeps transactions within a request', () =>
    shared.run(async (engine, session) => {
      await engine.execute(session, 'create database d; create table t (a int, s varchar)');
      await engine.execute(session, 'insert into t values (?, ?); insert into t values (?, ?)', [1, "it's", 2, null]);
      assert.deepEqual((await sql(engine, session, 'select * from t where a >= ? order by a', [1])).rows, [
        [1, "it's"],
        [2, null],
      ]);
      await engine.execute(session, 'begin; insert into t values (3, null); rollback');
      assert.deepEqual((await sql(engine, session, 'select count(*) c from t')).rows, [[2]]);
      await assert.rejects(engine.execute(session, 'select ?', []), /1 bind parameter marker\(s\) but 0 value\(s\)/);
    }));

  it('phrases errors as Snowflake does and names the failing statement', () =>
    shared.run(async (engine, session) => {
      await assert.rejects(
        engine.execute(session, 'select * from t'),
        /Cannot perform SELECT\. This session does not have a current database/,
      );
      await engine.execute(session, 'create database movielens; create table t (a int)');
      await assert.rejects(engine.execute(session, 'select 1;\nselect *\n  from foo'), (e: Error) => {
        assert.match(
          e.message,
          /^SQL compilation error: Object 'MOVIELENS\.PUBLIC\.FOO' does not exist or not authorized\.\n {2}in statement 2 of 2, line 2: select \* from foo$/,
        );
        return true;
      });
      await assert.rejects(engine.execute(session, 'select nope from t'), /SQL compilation error: invalid identifier 'NOPE'/);
      await assert.rejects(
        engine.execute(session, "select no_such_function('a', 'b')"),
        /SQL compilation error: Unknown function NO_SUCH_FUNCTION/,
      );
      // A function DuckDB keeps in an extension it may not load is unknown too, without naming the extension.
      await assert.rejects(engine.execute(session, 'select st_point(1, 2)'), (e: Error) => {
        assert.match(e.message, /SQL compilation error: Unknown function ST_POINT/);
        assert.doesNotMatch(e.message, /extension|catalog/);
        return true;
      });
      await assert.rejects(engine.execute(session, "insert into t values ('abc')"), /Numeric value 'abc' is not recognized/);
      await assert.rejects(engine.execute(session, 'select * from nodb.public.t'), /Database 'NODB' does not exist or not authorized/);
      await assert.rejects(
        engine.execute(session, 'create pipe p1'),
        /Unsupported statement 'CREATE PIPE'\. recpipe supports: USE.*TASK.*GRANT/,
      );
      await assert.rejects(engine.execute(session, 'create or replace pipe p2 as select 1'), /Unsupported statement 'CREATE PIPE'\./);
      await assert.rejects(
        engine.execute(session, 'create or replace materialized view mv as select 1'),
        /Unsupported statement 'CREATE MATERIALIZED VIEW'\./,
      );
      await assert.rejects(engine.execute(session, 'drop pipe if exists p2'), /Unsupported statement 'DROP PIPE'\./);
      await assert.rejects(engine.execute(session, 'alter warehouse compute_wh suspend'), /Unsupported statement 'ALTER WAREHOUSE/);
      await assert.rejects(engine.execute(session, ''), /Empty SQL statement/);
    }));

  it('lets SQL read the system catalog but never write it', () =>
    shared.run(async (engine, session) => {
      await sql(engine, session, 'create database d');
      assert.deepEqual((await sql(engine, session, 'select name from recpipe.databases')).rows, [['D']]);
      await sql(engine, session, 'use database recpipe');
      assert.deepEqual((await sql(engine, session, 'select name from warehouses')).rows, [['COMPUTE_WH']]);
      await assert.rejects(engine.execute(session, 'create table mine (a int)'), /read-only/);
      await assert.rejects(engine.execute(session, 'update warehouses set size = 1'), /read-only/);
      await assert.rejects(engine.execute(session, 'with x as (select 1) delete from databases'), /read-only/);
      await sql(engine, session, 'use database d');
      await assert.rejects(engine.execute(session, 'with x as (select 1) update recpipe.public.warehouses set size = 1'), /read-only/);
      assert.deepEqual((await sql(engine, session, 'select count(*) n from recpipe.warehouses')).rows, [[1]]);
      await assert.rejects(
        engine.execute(session, 'delete from recpipe.public.databases'),
        /RECPIPE is recpipe's system catalog and is read-only/,
      );
      await assert.rejects(engine.execute(session, 'insert into recpipe.warehouses select * from recpipe.warehouses'), /read-only/);
    }));
});
