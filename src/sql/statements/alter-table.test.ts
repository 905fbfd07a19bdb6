import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql, withEngine } from '../../../tests/support/temp-engine.js';

describe('ALTER TABLE and COMMENT ON', () => {
  it('changes columns and names, keeping declared types', () =>
    withEngine(async (engine, session) => {
      await engine.execute(session, "create database d; create table t (a int not null, b varchar(10)); insert into t values (1, 'x')");
      await engine.execute(
        session,
        `alter table t add column name varchar(20), c number(5,0); alter table t rename column b to bb;
         alter table t alter column bb set data type varchar(50), a drop not null; alter table t drop column c;
         alter table t cluster by (a); alter table t set comment = 'pineapple'; alter table t rename to t2;
         comment on column t2.a is 'the a'; truncate table if exists no_such_table`,
      );
      const desc = await sql(engine, session, 'desc table t2');
      assert.deepEqual(
        desc.rows.map((r) => [r[0], r[1], r[3]]),
        [
          ['A', 'NUMBER(38,0)', 'Y'],
          ['BB', 'VARCHAR(50)', 'Y'],
          ['NAME', 'VARCHAR(20)', 'Y'],
        ],
      );
      assert.deepEqual((await sql(engine, session, 'select * from t2')).rows, [[1, 'x', null]]);
      const info = await sql(
        engine,
        session,
        `select comment from information_schema.columns where table_name = 'T2' and column_name = 'A'`,
      );
      assert.deepEqual(info.rows, [['the a']]);
      await assert.rejects(engine.execute(session, 'alter table nope add column x int'), /Table 'D.PUBLIC.NOPE' does not exist/);
      await engine.execute(session, 'alter table if exists nope add column x int');
    }));
});
