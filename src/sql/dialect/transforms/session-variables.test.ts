import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sharedEngine, sql } from '../../../../tests/support/temp-engine.js';

describe('session variables', () => {
  const shared = sharedEngine();

  it('sets one or several variables from expressions and reads them as $name with their types', () =>
    shared.run(async (engine, session) => {
      await engine.execute(
        session,
        "create database d; create table example (id int, name varchar); insert into example values (10, 'hello'), (20, 'world')",
      );
      await engine.execute(
        session,
        "SET var2 = 'hello'; set (a, b) = (1, 2); set total = (select sum(id) from example); set neg = -2.5; set day = '2024-03-01'::date",
      );
      assert.deepEqual((await sql(engine, session, 'select id, name from example where name = $var2')).rows, [[10, 'hello']]);
      const r = await sql(engine, session, 'select $a + $b, $TOTAL, $neg * 2, $day, $var2');
      assert.deepEqual(r.rows, [[3, 30, -5, '2024-03-01', 'hello']]);
      assert.deepEqual(
        r.columns.slice(1).map((c) => c.name),
        ['$TOTAL', '$NEG * 2', '$DAY', '$VAR2'],
      );
      const shown = await sql(engine, session, "show variables like '%A%'");
      assert.deepEqual(
        shown.columns.map((c) => c.name),
        ['session_id', 'created_on', 'updated_on', 'name', 'value', 'type', 'comment'],
      );
      assert.deepEqual(
        shown.rows.map((row) => [row[3], row[4], row[5]]),
        [
          ['A', '1', 'NUMBER'],
          ['DAY', '2024-03-01', 'DATE'],
          ['TOTAL', '30', 'NUMBER'],
          ['VAR2', 'hello', 'VARCHAR'],
        ],
      );
    }));

  it('unsets variables, fails on unknown ones, and keeps them per session', () =>
    shared.run(async (engine, session) => {
      await engine.execute(session, 'set x = 1; set (y, z) = (2, 3); unset x; unset (y, z)');
      await assert.rejects(engine.execute(session, 'select $x'), /Session variable '\$X' does not exist/);
      await assert.rejects(engine.execute(session, 'unset x'), /does not exist/);
      await assert.rejects(engine.execute(session, 'set (p, q) = (1)'), /2 variable\(s\) but 1 value/);
      await engine.execute(session, 'set w = 5');
      await assert.rejects(engine.execute(engine.createSession(), 'select $w'), /does not exist/);
    }));

  it("names objects with IDENTIFIER($x) or IDENTIFIER('name') in every statement form, quoting what the name says", () =>
    shared.run(async (engine, session) => {
      await engine.execute(session, "create database d; set t = 'my_t'; set q = 'd.public.\"Mixed\"'");
      await engine.execute(
        session,
        'create table identifier($t) (x int); insert into identifier($t) values (1); create table identifier($q) (y int)',
      );
      assert.deepEqual((await sql(engine, session, "select x from identifier('MY_T')")).rows, [[1]]);
      assert.deepEqual((await sql(engine, session, 'select count(*) from identifier($q)')).rows, [[0]]);
      assert.deepEqual((await sql(engine, session, "show tables like 'Mixed'")).rows.length, 1);
      await engine.execute(session, "set evil = 'my_t; drop table my_t'");
      await assert.rejects(engine.execute(session, 'select * from identifier($evil)'), /invalid object name/);
      assert.deepEqual((await sql(engine, session, 'select count(*) from my_t')).rows, [[1]]);
      await engine.execute(session, 'drop table identifier($t)');
    }));
});
