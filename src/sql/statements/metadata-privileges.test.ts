import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql, withEngine } from '../../../tests/support/temp-engine.js';
import { isRecpipeError } from '../../core/errors.js';

const hidden = (e: unknown) => isRecpipeError(e) && e.code === 'NOT_FOUND' && /does not exist or not authorized/.test(e.message);

/**
 * The statements recpipe runs itself (SET, COMMENT ON, sequences, streams, SHOW COLUMNS|OBJECTS,
 * INFORMATION_SCHEMA) show and change only what the session's role may see, as queries do.
 */
describe('privileges on metadata, variables, sequences and streams', () => {
  it('a role with only table SELECT sees that table; one without usage sees nothing and changes nothing', {
    timeout: 180_000,
  }, async () => {
    await withEngine(async (engine, admin) => {
      await sql(
        engine,
        admin,
        `use role accountadmin; create role reader; create user rita default_role = reader; grant role reader to user rita;
         create role nobody; create user nick default_role = nobody; grant role nobody to user nick;
         use role sysadmin; create database md; create table md.public.open (a int); create table md.public.secret (s varchar);
         insert into md.public.secret values ('classified');
         grant usage on database md to role reader; grant usage on schema md.public to role reader;
         grant select on table md.public.open to role reader`,
      );
      const rita = engine.createSession({ user: 'rita' });
      const nick = engine.createSession({ user: 'nick' });

      const tables = await sql(engine, rita, 'select table_name from md.information_schema.tables order by 1');
      assert.deepEqual(tables.rows, [['OPEN']]);
      const columns = await sql(engine, rita, 'select table_name, column_name from md.information_schema.columns');
      assert.deepEqual(columns.rows, [['OPEN', 'A']]);
      const shown = await sql(engine, rita, 'show columns in schema md.public');
      assert.deepEqual(
        shown.rows.map((r) => r[0]),
        ['OPEN'],
      );
      const objects = await sql(engine, rita, 'show objects in schema md.public');
      assert.deepEqual(
        objects.rows.map((r) => r[1]),
        ['OPEN'],
      );
      await assert.rejects(sql(engine, rita, 'show columns in table md.public.secret'), hidden);
      await assert.rejects(sql(engine, rita, 'set v = (select s from md.public.secret)'), hidden);
      await assert.rejects(sql(engine, rita, "comment on table md.public.open is 'mine now'"), /Insufficient privileges/);
      await assert.rejects(sql(engine, rita, 'create sequence md.public.seq'), /CREATE SEQUENCE is needed/);
      await assert.rejects(sql(engine, rita, 'create stream md.public.st on table md.public.open'), /CREATE STREAM is needed/);

      await assert.rejects(sql(engine, nick, 'select * from md.information_schema.tables'), hidden);
      await assert.rejects(sql(engine, nick, 'create sequence md.public.seq'), hidden);

      // The owner still does all of it.
      await sql(
        engine,
        admin,
        `use role sysadmin; set v = (select s from md.public.secret); comment on table md.public.secret is 'kept';
         create sequence md.public.seq; create stream md.public.st on table md.public.secret`,
      );
      assert.equal((await sql(engine, admin, 'select $v')).rows[0][0], 'classified');
      // File formats are listed with their schema: a role without usage on it sees none. Sequences also
      // need a privilege on the sequence itself (see object-grants.test.ts).
      await sql(engine, admin, 'use role sysadmin; create file format md.public.ff type = csv');
      for (const what of ['sequences', 'file formats']) {
        assert.deepEqual((await sql(engine, nick, `show ${what} in account`)).rows, [], what);
        assert.equal((await sql(engine, rita, `show ${what} in account`)).rows.length, what === 'sequences' ? 0 : 1, what);
      }
      await sql(engine, admin, 'grant usage on sequence md.public.seq to role reader');
      assert.equal((await sql(engine, rita, 'show sequences in account')).rows.length, 1);
    });
  });

  it('tasks: only a role that owns a task or holds a privilege on it sees it; OPERATE to run it, OWNERSHIP to change it', {
    timeout: 180_000,
  }, async () => {
    await withEngine(async (engine, admin) => {
      await sql(
        engine,
        admin,
        `use role accountadmin; create role op; create user olga default_role = op; grant role op to user olga;
         use role sysadmin; create database tk; create table tk.public.t (a int);
         create task tk.public.job schedule = '60 minutes' as insert into tk.public.t values (1);
         grant usage on database tk to role op; grant usage on schema tk.public to role op`,
      );
      const olga = engine.createSession({ user: 'olga' });
      assert.deepEqual((await sql(engine, olga, 'show tasks in database tk')).rows, []);
      for (const q of [
        'describe task tk.public.job',
        'execute task tk.public.job',
        'alter task tk.public.job resume',
        'drop task tk.public.job',
      ])
        await assert.rejects(sql(engine, olga, q), hidden, q);
      await assert.rejects(sql(engine, olga, "create task tk.public.mine schedule = '5 minutes' as select 1"), /CREATE TASK is needed/);

      await sql(
        engine,
        admin,
        'use role sysadmin; grant operate on task tk.public.job to role op; grant create task on schema tk.public to role op',
      );
      assert.deepEqual(
        (await sql(engine, olga, 'show tasks in database tk')).rows.map((r) => r[1]),
        ['JOB'],
      );
      await sql(engine, olga, 'alter task tk.public.job resume');
      await sql(engine, olga, 'alter task tk.public.job suspend');
      await assert.rejects(sql(engine, olga, "alter task tk.public.job set comment = 'mine'"), /OWNERSHIP is needed/);
      await assert.rejects(sql(engine, olga, 'drop task tk.public.job'), /OWNERSHIP is needed/);
      await sql(engine, olga, "create task tk.public.mine schedule = '5 minutes' as select 1");
      const owners = (await sql(engine, olga, 'show tasks in database tk')).rows.map((r) => [r[1], r[5]]);
      assert.deepEqual(owners, [
        ['JOB', 'SYSADMIN'],
        ['MINE', 'OP'],
      ]);
    });
  });
});
