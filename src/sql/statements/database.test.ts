import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { sharedEngine, sql, withEngine } from '../../../tests/support/temp-engine.js';

describe('CREATE / DROP DATABASE and SCHEMA, USE', () => {
  // These tests create only databases (dropped after each): one home serves them all.
  const shared = sharedEngine();
  it('creates a database file with schema PUBLIC and makes it current', () =>
    shared.run(async (engine, session, home) => {
      const r = await sql(engine, session, 'create database MOVIELENS');
      assert.equal(r.message, 'Database MOVIELENS successfully created.');
      assert.deepEqual(r.columns, [{ name: 'status', type: 'VARCHAR' }]);
      assert.ok(existsSync(join(home, 'databases', 'MOVIELENS.duckdb')));
      assert.equal(session.database, 'MOVIELENS');
      assert.equal(session.schema, 'PUBLIC');
    }));

  it('honours IF NOT EXISTS and OR REPLACE, and refuses a duplicate', () =>
    shared.run(async (engine, session) => {
      await engine.execute(session, 'create database d; create table t (a int); insert into t values (1)');
      assert.equal((await sql(engine, session, 'create database if not exists D')).message, 'D already exists, statement succeeded.');
      await assert.rejects(engine.execute(session, 'create database d'), /SQL compilation error: Object 'D' already exists\./);
      await assert.rejects(engine.execute(session, 'create or replace database d if not exists'), /syntax error|incompatible/);
      await sql(engine, session, 'create or replace database d');
      await assert.rejects(engine.execute(session, 'select * from t'), /Object 'D\.PUBLIC\.T' does not exist or not authorized\./);
    }));

  it('drops a database, its file and the session context', () =>
    shared.run(async (engine, session, home) => {
      await sql(engine, session, 'create database gone');
      assert.equal((await sql(engine, session, 'drop database gone')).message, 'GONE successfully dropped.');
      assert.equal(existsSync(join(home, 'databases', 'GONE.duckdb')), false);
      assert.equal(session.database, null);
      await assert.rejects(engine.execute(session, 'drop database gone'), /Database 'GONE' does not exist or not authorized\./);
      assert.match((await sql(engine, session, 'drop database if exists gone')).message!, /already dropped/);
      await assert.rejects(engine.execute(session, 'drop database recpipe'), /system catalog/);
      await assert.rejects(engine.execute(session, 'create database "a/b"'), /not supported/);
    }));

  it('creates, uses and drops schemas', () =>
    shared.run(async (engine, session) => {
      await sql(engine, session, 'create database d');
      assert.equal((await sql(engine, session, 'create schema staging')).message, 'Schema STAGING successfully created.');
      assert.equal(session.schema, 'STAGING');
      await sql(engine, session, 'create table t (a int)');
      await sql(engine, session, 'use schema d.public');
      assert.equal(session.schema, 'PUBLIC');
      assert.deepEqual((await sql(engine, session, 'select count(*) from staging.t')).rows, [[0]]);
      await assert.rejects(engine.execute(session, 'drop schema staging restrict'), /RESTRICT/);
      assert.equal((await sql(engine, session, 'drop schema d.staging')).message, 'STAGING successfully dropped.');
      await assert.rejects(engine.execute(session, 'use schema staging'), /Schema 'D\.STAGING' does not exist or not authorized\./);
    }));

  it('USE DATABASE picks PUBLIC; USE db.schema; USE ROLE and WAREHOUSE record the choice', () =>
    shared.run(async (engine, session) => {
      await engine.execute(session, 'create database a; create database b; create schema b.s');
      await sql(engine, session, 'use database a');
      assert.deepEqual([session.database, session.schema], ['A', 'PUBLIC']);
      await sql(engine, session, 'use b.s');
      assert.deepEqual([session.database, session.schema], ['B', 'S']);
      await sql(engine, session, 'use a');
      assert.equal(session.database, 'A');
      await sql(engine, session, 'use role accountadmin');
      assert.equal(session.role, 'ACCOUNTADMIN');
      await assert.rejects(engine.execute(session, 'use role "sysadmin"'), /Role 'sysadmin' does not exist or not authorized\./);
      await assert.rejects(engine.execute(session, 'use role dba'), /Role 'DBA' does not exist/);
      await sql(engine, session, 'use warehouse compute_wh');
      assert.equal(session.warehouse, 'COMPUTE_WH');
      await assert.rejects(engine.execute(session, 'use database nope'), /Database 'NOPE' does not exist or not authorized\./);
    }));
});

describe('CREATE / DROP WAREHOUSE', () => {
  it("records the guide's warehouse, makes it current and shows it", () =>
    withEngine(async (engine, session) => {
      const r = await sql(
        engine,
        session,
        "create or replace warehouse COMPUTE_WH with warehouse_size='XSMALL' auto_suspend=60 auto_resume=true",
      );
      assert.equal(r.message, 'Warehouse COMPUTE_WH successfully created.');
      assert.equal(session.warehouse, 'COMPUTE_WH');
      await sql(engine, session, "create warehouse big warehouse_size = 'x-large' auto_suspend = null initially_suspended = true");
      const show = await sql(engine, session, 'show warehouses');
      const col = (name: string): number => show.columns.findIndex((c) => c.name === name);
      assert.deepEqual(
        show.rows.map((row) => [row[col('name')], row[col('size')], row[col('auto_suspend')], row[col('state')], row[col('is_current')]]),
        [
          ['BIG', 'X-Large', null, 'SUSPENDED', 'Y'],
          ['COMPUTE_WH', 'X-Small', 60, 'STARTED', 'N'],
        ],
      );
      assert.equal(session.warehouse, 'BIG');
    }));

  it('rejects unknown properties and sizes, duplicates, and dropping what does not exist', () =>
    withEngine(async (engine, session) => {
      await assert.rejects(
        engine.execute(session, "create warehouse w warehouse_size = 'HUGE'"),
        /invalid value 'HUGE' for WAREHOUSE_SIZE/,
      );
      await assert.rejects(
        engine.execute(session, 'create warehouse w colour = 1'),
        /invalid property 'COLOUR' for CREATE WAREHOUSE; supported: WAREHOUSE_SIZE/,
      );
      await assert.rejects(engine.execute(session, 'create warehouse compute_wh'), /Object 'COMPUTE_WH' already exists/);
      assert.equal((await sql(engine, session, 'drop warehouse compute_wh')).message, 'COMPUTE_WH successfully dropped.');
      await assert.rejects(engine.execute(session, 'use warehouse compute_wh'), /Warehouse 'COMPUTE_WH' does not exist/);
      await assert.rejects(engine.execute(session, 'drop warehouse compute_wh'), /Warehouse 'COMPUTE_WH' does not exist/);
    }));
});
