import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql, withEngine } from '../../../tests/support/temp-engine.js';

describe('INFORMATION_SCHEMA, SHOW COLUMNS, SHOW OBJECTS', () => {
  it('describes one database with Snowflake names, types and lengths', () =>
    withEngine(async (engine, session) => {
      await engine.execute(
        session,
        `create database db1; create table foo (id int, s varchar(20), t text, n number(10,2)) comment = 'cheese';
         create view v1 as select id from foo; create database db2; create table db2.public.bar (id int); use database db1`,
      );
      const cols = await sql(
        engine,
        session,
        `select table_name, column_name, data_type, character_maximum_length, character_octet_length, numeric_precision, numeric_scale
           from information_schema.columns where table_name = 'FOO' order by ordinal_position`,
      );
      assert.deepEqual(cols.rows, [
        ['FOO', 'ID', 'NUMBER', null, null, 38, 0],
        ['FOO', 'S', 'TEXT', 20, 80, null, null],
        ['FOO', 'T', 'TEXT', 16777216, 16777216, null, null],
        ['FOO', 'N', 'NUMBER', null, null, 10, 2],
      ]);
      const tables = await sql(engine, session, 'select table_name, table_type, comment from information_schema.tables order by 1');
      assert.deepEqual(tables.rows, [
        ['FOO', 'BASE TABLE', 'cheese'],
        ['V1', 'VIEW', null],
      ]);
      assert.deepEqual((await sql(engine, session, 'select table_name from db2.information_schema.tables')).rows, [['BAR']]);
      assert.deepEqual((await sql(engine, session, 'select table_name from information_schema.views')).rows, [['V1']]);
      const schemata = await sql(engine, session, `select schema_name from information_schema.schemata order by 1`);
      assert.deepEqual(schemata.rows, [['INFORMATION_SCHEMA'], ['PUBLIC']]);

      const show = await sql(engine, session, 'show columns in table foo');
      assert.deepEqual(
        show.rows.map((r) => [r[2], JSON.parse(String(r[3]))]),
        [
          ['ID', { type: 'FIXED', precision: 38, scale: 0, nullable: true }],
          ['S', { type: 'TEXT', length: 20, byteLength: 80, nullable: true, fixed: false }],
          ['T', { type: 'TEXT', length: 16777216, byteLength: 16777216, nullable: true, fixed: false }],
          ['N', { type: 'FIXED', precision: 10, scale: 2, nullable: true }],
        ],
      );
      const objects = await sql(engine, session, 'show terse objects in db1.public');
      assert.deepEqual(
        objects.rows.map((r) => [r[1], r[4]]),
        [
          ['FOO', 'TABLE'],
          ['V1', 'VIEW'],
        ],
      );
    }));
});
