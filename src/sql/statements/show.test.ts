import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Engine } from '../../engine/index.js';
import { sharedEngine, sql } from '../../../tests/support/temp-engine.js';

const names = (r: { columns: readonly { name: string }[]; rows: unknown[][] }): unknown[] =>
  r.rows.map((row) => row[r.columns.findIndex((c) => c.name === 'name')]);

describe('SHOW and DESCRIBE', () => {
  const shared = sharedEngine();

  it('shows a real created_on for CREATE SCHEMA, the PUBLIC schema, the system catalog, built-in roles and users, kept across restarts', async () => {
    const home = mkdtempSync(join(tmpdir(), 'recpipe-'));
    const shown = async (engine: Engine, q: string): Promise<Map<string, unknown>> => {
      const r = await sql(engine, engine.createSession(), q);
      const [name, at] = ['name', 'created_on'].map((c) => r.columns.findIndex((col) => col.name === c));
      return new Map(r.rows.map((row) => [String(row[name]), row[at]]));
    };
    const queries = ['show schemas in database db1', 'show schemas in database recpipe', 'show databases', 'show roles', 'show users'];
    const before = Date.now() - 1000;
    try {
      const first = await Engine.open({ home });
      const firstSeen: Map<string, unknown>[] = [];
      try {
        await first.execute(first.createSession(), 'create database db1; create schema other; create or replace schema other');
        for (const q of queries) firstSeen.push(await shown(first, q));
      } finally {
        await first.close();
      }
      assert.deepEqual([...firstSeen[0].keys()].sort(), ['INFORMATION_SCHEMA', 'OTHER', 'PUBLIC']);
      for (const [i, seen] of firstSeen.entries()) {
        assert.ok(seen.size > 0, queries[i]);
        for (const [name, at] of seen)
          assert.ok(
            typeof at === 'string' && Date.parse(at) >= before && Date.parse(at) <= Date.now(),
            `${queries[i]}: ${name} ${String(at)}`,
          );
      }
      for (const role of ['ACCOUNTADMIN', 'SYSADMIN', 'PUBLIC']) assert.equal(typeof firstSeen[3].get(role), 'string', role);
      const again = await Engine.open({ home });
      try {
        for (const [i, q] of queries.entries()) assert.deepEqual(await shown(again, q), firstSeen[i], `${q} after a restart`);
      } finally {
        await again.close();
      }
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('shows databases, schemas, tables, views and file formats with LIKE and IN', () =>
    shared.run(async (engine, session) => {
      await engine.execute(
        session,
        `create database db1; create table ratings (a int); create table rates (b int); create view v as select * from ratings;
         create schema other; create table elsewhere (c int);
         create database db2; create file format ff type = csv; use schema db1.public`,
      );
      assert.deepEqual(names(await sql(engine, session, 'show databases')), ['DB1', 'DB2', 'RECPIPE']);
      assert.deepEqual(names(await sql(engine, session, "show databases like 'db%'")), ['DB1', 'DB2']);
      assert.deepEqual(names(await sql(engine, session, 'show schemas')), ['INFORMATION_SCHEMA', 'OTHER', 'PUBLIC']);
      assert.deepEqual(names(await sql(engine, session, 'show tables')), ['RATES', 'RATINGS']);
      assert.deepEqual(names(await sql(engine, session, "show tables like 'RATI%'")), ['RATINGS']);
      assert.deepEqual(names(await sql(engine, session, 'show tables in schema db1.other')), ['ELSEWHERE']);
      assert.deepEqual(names(await sql(engine, session, 'show tables in database db1')), ['ELSEWHERE', 'RATES', 'RATINGS']);
      assert.deepEqual(names(await sql(engine, session, 'show tables in db1.other')), ['ELSEWHERE']);
      assert.deepEqual(names(await sql(engine, session, 'show views')), ['V']);
      const createdOn = (r: { columns: readonly { name: string }[]; rows: unknown[][] }): unknown[] =>
        r.rows.map((row) => row[r.columns.findIndex((c) => c.name === 'created_on')]);
      for (const q of ['show tables', 'show views', "show schemas like 'PUBLIC'"]) {
        for (const at of createdOn(await sql(engine, session, q)))
          assert.ok(typeof at === 'string' && Math.abs(Date.parse(at) - Date.now()) < 600_000, `${q}: created_on ${String(at)}`);
      }
      assert.deepEqual(names(await sql(engine, session, 'show file formats in account')), ['FF']);
      assert.deepEqual(names(await sql(engine, session, 'show file formats')), []);
      await assert.rejects(engine.execute(session, 'show tables in database nope'), /Database 'NOPE' does not exist/);
      await assert.rejects(
        engine.execute(session, 'show pipes'),
        /expected one of DATABASES, SCHEMAS, TABLES, VIEWS, OBJECTS, COLUMNS, WAREHOUSES, FILE FORMATS, STAGES/,
      );
    }));

  it('describes tables in Snowflake types and file formats by property', () =>
    shared.run(async (engine, session) => {
      await engine.execute(
        session,
        `create database d; create table t (id number(38,0) not null, price number(10,2), name string, seen timestamp_ntz, doc variant, ok boolean, r float);
         create file format ff type = csv skip_header = 1 null_if = ('', 'NULL')`,
      );
      const d = await sql(engine, session, 'desc table t');
      assert.deepEqual(
        d.columns.slice(0, 4).map((c) => c.name),
        ['name', 'type', 'kind', 'null?'],
      );
      assert.deepEqual(
        d.rows.map((r) => r.slice(0, 4)),
        [
          ['ID', 'NUMBER(38,0)', 'COLUMN', 'N'],
          ['PRICE', 'NUMBER(10,2)', 'COLUMN', 'Y'],
          ['NAME', 'VARCHAR(16777216)', 'COLUMN', 'Y'],
          ['SEEN', 'TIMESTAMP_NTZ(9)', 'COLUMN', 'Y'],
          ['DOC', 'VARIANT', 'COLUMN', 'Y'],
          ['OK', 'BOOLEAN', 'COLUMN', 'Y'],
          ['R', 'FLOAT', 'COLUMN', 'Y'],
        ],
      );
      const f = await sql(engine, session, 'describe file format ff');
      const prop = (k: string): unknown => f.rows.find((r) => r[0] === k)?.slice(2);
      assert.deepEqual(prop('SKIP_HEADER'), ['1', '0']);
      assert.deepEqual(prop('NULL_IF'), ['[, NULL]', '[\\N]']);
      await assert.rejects(engine.execute(session, 'describe table nope'), /Table 'D\.PUBLIC\.NOPE' does not exist or not authorized/);
      await assert.rejects(engine.execute(session, 'describe stage x'), /recpipe supports DESCRIBE TABLE \| VIEW \| FILE FORMAT/);
    }));
});
