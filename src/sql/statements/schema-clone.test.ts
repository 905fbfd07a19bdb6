import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql, withEngine } from '../../../tests/support/temp-engine.js';

describe('CREATE SCHEMA … CLONE', { timeout: 60_000 }, () => {
  it('copies every table of the source schema with its declared types and rows; the copies are independent', () =>
    withEngine(async (engine, session) => {
      await engine.execute(
        session,
        `create database d; create schema s1; create table s1.t (a int, s varchar(20)); insert into s1.t values (1, 'x');
         create table s1.u (b int); create schema s2 clone s1; insert into s2.t values (2, 'y')`,
      );
      assert.deepEqual((await sql(engine, session, 'select current_schema()')).rows, [['S2']]);
      assert.deepEqual(
        (await sql(engine, session, 'select (select count(*) from s1.t), (select count(*) from s2.t), (select count(*) from s2.u)')).rows,
        [[1, 2, 0]],
      );
      const described = await sql(engine, session, 'describe table s2.t');
      assert.deepEqual(
        described.rows.map((r) => r.slice(0, 2)),
        [
          ['A', 'NUMBER(38,0)'],
          ['S', 'VARCHAR(20)'],
        ],
      );
    }));

  it('names a missing source schema', () =>
    withEngine(async (engine, session) => {
      await engine.execute(session, 'create database d');
      await assert.rejects(sql(engine, session, 'create schema s2 clone nope'), /NOPE' does not exist/);
    }));
});
