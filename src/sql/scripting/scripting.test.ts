import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Engine, type Session } from '../../engine/index.js';
import { ManualClock } from '../../tasks/clock.js';
import type { StatementResult } from '../session.js';

const T = "create or replace table t (id int, name varchar); insert into t values (1, 'a'), (2, 'b'), (3, 'c');";

describe('Snowflake Scripting', () => {
  let home = '';
  let engine: Engine;
  let s: Session;
  const last = async (sql: string): Promise<StatementResult> => {
    const r = await engine.execute(s, sql);
    return r[r.length - 1];
  };
  const value = async (sql: string): Promise<unknown> => (await last(sql)).rows[0][0];

  before(async () => {
    home = mkdtempSync(join(tmpdir(), 'recpipe-scripting-'));
    engine = await Engine.open({ home, clock: new ManualClock(Date.parse('2026-12-01T10:00:00Z')) });
    s = engine.createSession();
    await engine.execute(s, `create database db1; create schema db1.schema1; use schema db1.schema1; ${T}`);
  });
  after(async () => {
    await engine?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('returns a value from an anonymous block in the column "anonymous block"', async () => {
    const r = await last('declare x int default 40; begin let y := x + 2; return y; end');
    assert.deepEqual(
      r.columns.map((c) => [c.name, c.type]),
      [['anonymous block', 'NUMBER']],
    );
    assert.deepEqual(r.rows, [[42]]);
    assert.equal(await value('begin return null; end'), null);
  });

  it('runs the same block through EXECUTE IMMEDIATE $$ … $$, and one statement given that way', async () => {
    assert.equal(await value("execute immediate $$ begin let s varchar := 'a' || 'b'; return s; end $$"), 'ab');
    assert.equal(await value('execute immediate $$ select count(*) from t $$'), 3);
  });

  it('branches with IF/ELSEIF/ELSE and CASE (simple and searched)', async () => {
    const pick = (n: number) =>
      `declare n int default ${n}; begin if (n > 2) then return 'big'; elseif (n > 1) then return 'mid'; else return 'small'; end if; end`;
    assert.deepEqual([await value(pick(3)), await value(pick(2)), await value(pick(1))], ['big', 'mid', 'small']);
    const simple = (v: string) =>
      `declare v varchar default '${v}'; begin case (v) when 'a' then return 1; when 'b' then return 2; else return 0; end case; end`;
    assert.deepEqual([await value(simple('a')), await value(simple('b')), await value(simple('z'))], [1, 2, 0]);
    assert.equal(await value('declare n int default 7; begin case when n < 5 then return 1; when n < 10 then return 2; end case; end'), 2);
  });

  it('loops over ranges (also REVERSE), cursors and resultsets, with WHILE, REPEAT, LOOP, BREAK and CONTINUE', async () => {
    assert.equal(await value("declare s varchar default ''; begin for i in 1 to 4 do s := s || i; end for; return s; end"), '1234');
    assert.equal(
      await value("declare s varchar default ''; begin for i in reverse 1 to 3 loop s := s || i; end loop; return s; end"),
      '321',
    );
    assert.equal(
      await value(
        "declare c1 cursor for select id, name from t order by id; s varchar default ''; begin for r in c1 do s := s || r.name || r.id; end for; return s; end",
      ),
      'a1b2c3',
    );
    assert.equal(
      await value(
        "begin let rs resultset := (select name from t where id > 1 order by id); let s varchar := ''; for r in rs do s := s || r.name; end for; return s; end",
      ),
      'bc',
    );
    assert.equal(
      await value(
        'declare i int default 0; n int default 0; begin while (i < 10) do i := i + 1; if (i % 2 = 0) then continue; end if; if (i > 7) then break; end if; n := n + i; end while; return n; end',
      ),
      1 + 3 + 5 + 7,
    );
    assert.equal(await value('declare i int default 0; begin repeat i := i + 3; until (i > 10) end repeat; return i; end'), 12);
    assert.equal(await value('declare i int default 0; begin loop i := i + 1; if (i = 4) then break; end if; end loop; return i; end'), 4);
  });

  it('binds :variables in statements (also rec.col of a loop row) and assigns with SELECT … INTO', async () => {
    await engine.execute(s, 'create or replace table copies (id int, label varchar)');
    const r = await last(`declare c1 cursor for select id, name from t order by id; tag varchar default 'x';
      begin
        for rec in c1 do
          insert into copies values (rec.id * 10, :tag || rec.name);
        end for;
        let n int := 0;
        let top varchar;
        select count(*), max(label) into :n, :top from copies where id > :n;
        return n || ' ' || top;
      end`);
    assert.deepEqual(r.rows, [['3 xc']]);
    // A value with a quote stays a value: variables are bound, never spliced into the SQL.
    assert.equal(await value("declare v varchar default 'it''s'; begin insert into copies values (99, :v); return v; end"), "it's");
    assert.deepEqual((await last('select label from copies where id = 99')).rows, [["it's"]]);
  });

  it('returns the rows of a RESULTSET with RETURN TABLE(…)', async () => {
    const r = await last('declare rs resultset default (select id, name from t order by id desc); begin return table(rs); end');
    assert.deepEqual(
      r.columns.map((c) => c.name),
      ['ID', 'NAME'],
    );
    assert.deepEqual(r.rows, [
      [3, 'c'],
      [2, 'b'],
      [1, 'a'],
    ]);
  });

  it('raises declared exceptions, catches them and statement errors in handlers, and re-raises', async () => {
    await assert.rejects(
      engine.execute(s, "declare e1 exception (-20002, 'the model got worse'); begin raise e1; end"),
      /Uncaught exception of type 'E1'.*the model got worse \(SQLCODE -20002\)/,
    );
    assert.equal(
      await value("declare e1 exception (-20002, 'worse'); begin raise e1; exception when e1 then return sqlcode || ': ' || sqlerrm; end"),
      '-20002: worse',
    );
    assert.match(
      String(
        await value(
          "begin select * from no_such_table; return 'not here'; exception when statement_error then return 'caught ' || sqlerrm; end",
        ),
      ),
      /^caught SQL compilation error: Object 'DB1\.SCHEMA1\.NO_SUCH_TABLE' does not exist or not authorized\./,
    );
    assert.equal(await value("begin select 'abc'::int; exception when other then return 'other'; end"), 'other');
    // Unhandled, a statement's error is the script's error (its own wording); RAISE; re-raises in a handler.
    await assert.rejects(
      engine.execute(s, 'begin select * from no_such_table; end'),
      /Object 'DB1\.SCHEMA1\.NO_SUCH_TABLE' does not exist/,
    );
    await assert.rejects(
      engine.execute(s, "declare e1 exception (-20003, 'again'); begin raise e1; exception when e1 then raise; end"),
      /type 'E1'.*again/,
    );
  });

  it('keeps BEGIN … COMMIT as a transaction, and anonymous blocks beside other statements of a request', async () => {
    await engine.execute(s, 'create or replace table tx (a int)');
    await engine.execute(s, 'begin; insert into tx values (1); rollback;');
    assert.deepEqual((await last('select count(*) from tx')).rows, [[0]]);
    const r = await engine.execute(s, 'insert into tx values (5); begin insert into tx values (6); return 1; end; select sum(a) from tx');
    assert.equal(r.length, 3);
    assert.deepEqual(r[2].rows, [[11]]);
  });

  it('reports a syntax error of a block with its line and position', async () => {
    await assert.rejects(
      engine.execute(s, 'begin\n  if (1 = 1) then return 1;\nend'),
      /syntax error line 3 at position 3 unexpected '<EOF>', expected 'IF'/,
    );
    await assert.rejects(
      engine.execute(s, 'declare x int default 1; begin let := 2; end'),
      /syntax error line 1 at position 35 unexpected ':'/,
    );
  });

  it('runs a scripted task body: WHEN the stream has data, read it, branch and log', async () => {
    await engine.execute(
      s,
      `create or replace table src (x int); create or replace table log (msg varchar, n int);
       create or replace stream src_s on table src;
       create or replace task scripted warehouse = compute_wh schedule = '60 MINUTE' as
       declare
         n int default 0;
       begin
         if (system$stream_has_data('SRC_S')) then
           select count(*) into :n from src_s;
           insert into log select 'new rows', count(*) from src_s;
         else
           insert into log values ('nothing new', :n);
         end if;
         return n;
       end;`,
    );
    await engine.execute(s, 'execute task scripted');
    await engine.tasks.idle();
    await engine.execute(s, 'insert into src values (1), (2), (3)');
    await engine.execute(s, 'execute task scripted');
    await engine.tasks.idle();
    assert.deepEqual((await last('select msg, n from log order by msg')).rows, [
      ['new rows', 3],
      ['nothing new', 0],
    ]);
    const states = (
      await last("select state from table(information_schema.task_history(task_name => 'SCRIPTED')) where state <> 'SCHEDULED'")
    ).rows;
    assert.deepEqual(states, [['SUCCEEDED'], ['SUCCEEDED']]);
    assert.equal(await value("select system$stream_has_data('SRC_S')"), false, 'the insert that read the stream moved its offset');
  });

  it('fails a task run whose script raises, with the exception in task_history', async () => {
    await engine.execute(
      s,
      `create or replace task failing warehouse = compute_wh schedule = '60 MINUTE' as
       execute immediate $$ declare worse exception (-20010, 'challenger is worse'); begin raise worse; end $$`,
    );
    await engine.execute(s, 'execute task failing');
    await engine.tasks.idle();
    const [row] = (
      await last(
        "select state, error_message from table(information_schema.task_history(task_name => 'FAILING')) where state <> 'SCHEDULED'",
      )
    ).rows;
    assert.equal(row[0], 'FAILED');
    assert.match(String(row[1]), /Uncaught exception of type 'WORSE'.*challenger is worse/);
  });
});
