import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Engine, type Session } from '../../engine/index.js';

describe('quoted names are case-sensitive, as in Snowflake', () => {
  let home = '';
  let engine: Engine;
  let s: Session;
  const rows = async (sql: string): Promise<unknown[][]> => {
    const r = await engine.execute(s, sql);
    return r[r.length - 1].rows;
  };

  before(async () => {
    home = mkdtempSync(join(tmpdir(), 'recpipe-names-'));
    engine = await Engine.open({ home });
    s = engine.createSession();
    await engine.execute(
      s,
      `create database db1; create schema db1.schema1; use schema db1.schema1;
       create table "lower_t" ("lower_c" int, "Mixed" int, UPPER_C int); insert into "lower_t" values (1, 2, 3);
       create table plain (a int); insert into plain values (7);`,
    );
  });
  after(async () => {
    await engine?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('finds a table only by its exact name: "lower_t", not lower_t (LOWER_T)', async () => {
    assert.deepEqual(await rows('select "lower_c" from "lower_t"'), [[1]]);
    await assert.rejects(engine.execute(s, 'select * from lower_t'), /Object 'DB1\.SCHEMA1\.LOWER_T' does not exist or not authorized\./);
    await assert.rejects(engine.execute(s, 'insert into lower_t values (1, 2, 3)'), /Object 'DB1\.SCHEMA1\.LOWER_T' does not exist/);
    await assert.rejects(engine.execute(s, 'select * from "LOWER_T"'), /Object 'DB1\.SCHEMA1\.LOWER_T' does not exist/);
    // Unquoted names fold to upper case, so any spelling of an unquoted name finds PLAIN.
    assert.deepEqual(await rows('select p2.a from PLAIN join "PLAIN" p2 on true where Plain.A = 7'), [[7]]);
  });

  it('refuses a column reference that matches only when case is ignored, with invalid identifier', async () => {
    await assert.rejects(engine.execute(s, 'select lower_c from "lower_t"'), /invalid identifier 'LOWER_C'/);
    await assert.rejects(engine.execute(s, 'select "mixed" from "lower_t"'), /invalid identifier '"mixed"'/);
    await assert.rejects(engine.execute(s, 'select "upper_c" from "lower_t"'), /invalid identifier '"upper_c"'/);
    assert.deepEqual(await rows('select "Mixed", upper_c, "UPPER_C" from "lower_t"'), [[2, 3, 3]]);
  });

  it('matches a table by database and schema too: another schema’s T does not stand for this one’s "t"', async () => {
    await engine.execute(
      s,
      `create schema db1.s_lower; create table db1.s_lower."t" (x int); insert into db1.s_lower."t" values (1);
       create schema db1.s_upper; create table db1.s_upper.t (y int); insert into db1.s_upper.t values (2);
       use schema db1.schema1`,
    );
    assert.deepEqual(await rows('select u.y, l.x from db1.s_upper.t u, db1.s_lower."t" l'), [[2, 1]]);
    await assert.rejects(
      engine.execute(s, 'select * from db1.s_upper.t u, db1.s_lower.t l'),
      /Object 'DB1\.S_LOWER\.T' does not exist or not authorized\./,
    );
  });

  it('refuses to create a table or view whose name differs from an existing one only in case, saying why', async () => {
    const twin =
      /Object 'DB1\.SCHEMA1\.LOWER_T' cannot be created: 'DB1\.SCHEMA1\."lower_t"' exists, and recpipe's warehouse \(DuckDB\) does not tell table names apart by case/;
    await assert.rejects(engine.execute(s, 'create table lower_t (a int)'), twin);
    await assert.rejects(engine.execute(s, 'create view lower_t as select 1 as a'), twin);
    // Replacing would have dropped "lower_t": it is refused, and "lower_t" keeps its row.
    await assert.rejects(engine.execute(s, 'create or replace table lower_t as select 1 as a'), twin);
    assert.deepEqual(await rows('select "lower_c" from "lower_t"'), [[1]]);
    await assert.rejects(
      engine.execute(s, 'create table "Plain" (a int)'),
      /Object 'DB1\.SCHEMA1\."Plain"' cannot be created: 'DB1\.SCHEMA1\.PLAIN' exists/,
    );
  });

  it('sees a catalog change at once: cached columns are never stale', async () => {
    await engine.execute(s, 'create table cached (v int); insert into cached values (5)');
    assert.deepEqual(await rows('select v from cached'), [[5]]);
    await assert.rejects(engine.execute(s, 'select "v" from cached'), /invalid identifier '"v"'/);
    // A change of the catalog is seen by the next statement: the cache is not stale.
    await engine.execute(s, 'create or replace table cached ("v" int); insert into cached values (6)');
    assert.deepEqual(await rows('select "v" from cached'), [[6]]);
    await assert.rejects(engine.execute(s, 'select v from cached'), /invalid identifier 'V'/);
    // And inside a transaction, its own uncommitted tables count.
    await engine.execute(s, 'begin; create table "in_tx" (w int)');
    await assert.rejects(engine.execute(s, 'select * from in_tx'), /Object 'DB1\.SCHEMA1\.IN_TX' does not exist/);
    await engine.execute(s, 'rollback');
  });

  it('lets a name the statement itself defines (an alias) be referred to as written', async () => {
    assert.deepEqual(await rows('select "lower_c" as lower_c from "lower_t" order by lower_c'), [[1]]);
    assert.deepEqual(await rows('with c as (select "Mixed" as m from "lower_t") select M from c'), [[2]]);
  });
});
