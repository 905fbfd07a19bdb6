import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql, withEngine } from '../../../tests/support/temp-engine.js';
import { isRecpipeError } from '../../core/errors.js';
import { splitStatements } from '../tokens.js';
import { skeleton } from './privileges.js';

const refused = (code: string, text: RegExp) => (e: unknown) => isRecpipeError(e) && e.code === code && text.test(e.message);

describe('object privileges, Snowflake’s model (read and write sets from each statement)', () => {
  it('grants and revokes table privileges in round trips; owners keep theirs; the guide’s roles keep working', {
    timeout: 180_000,
  }, async () => {
    await withEngine(async (engine, admin) => {
      await sql(
        engine,
        admin,
        `use role accountadmin; create role analyst; create user ann default_role = analyst; grant role analyst to user ann;
        use role sysadmin; create database priv_db; create table priv_db.public.t (x int); insert into priv_db.public.t values (1), (2);
        create table priv_db.public.other (y int)`,
      );
      const ann = engine.createSession({ user: 'ann' });
      const missing = refused('NOT_FOUND', /Object 'PRIV_DB\.PUBLIC\.T' does not exist or not authorized\./);
      await assert.rejects(sql(engine, ann, 'select * from priv_db.public.t'), missing);
      await sql(
        engine,
        admin,
        'grant usage on database priv_db to role analyst; grant usage on schema priv_db.public to role analyst; grant select on table priv_db.public.t to role analyst',
      );
      assert.equal((await sql(engine, ann, 'select count(*) from priv_db.public.t')).rows[0][0], 2);
      await assert.rejects(
        sql(engine, ann, 'insert into priv_db.public.t values (3)'),
        refused('PERMISSION_DENIED', /Insufficient privileges to operate on table 'T'/),
      );
      await assert.rejects(
        sql(engine, ann, 'with c as (select * from priv_db.public.other) select * from c'),
        refused('NOT_FOUND', /PRIV_DB\.PUBLIC\.OTHER/),
      );
      await assert.rejects(
        sql(engine, ann, 'insert into priv_db.public.t select y from priv_db.public.other'),
        refused('NOT_FOUND', /PRIV_DB\.PUBLIC\.OTHER/),
      );
      await sql(engine, admin, 'grant insert on table priv_db.public.t to role analyst');
      await sql(engine, ann, 'insert into priv_db.public.t values (3)');
      await assert.rejects(sql(engine, ann, 'delete from priv_db.public.t'), refused('PERMISSION_DENIED', /Insufficient privileges/));
      await assert.rejects(sql(engine, ann, 'drop table priv_db.public.t'), refused('PERMISSION_DENIED', /Insufficient privileges/));
      await assert.rejects(
        sql(engine, ann, 'create table priv_db.public.mine (z int)'),
        refused('PERMISSION_DENIED', /CREATE TABLE is needed/),
      );
      await sql(engine, admin, 'revoke select, insert on table priv_db.public.t from role analyst');
      await assert.rejects(sql(engine, ann, 'select * from priv_db.public.t'), missing);
      // Future and all tables in a schema; a role's own tables.
      await sql(
        engine,
        admin,
        'grant select on future tables in schema priv_db.public to role analyst; grant create table on schema priv_db.public to role analyst; create table priv_db.public.later (w int)',
      );
      assert.equal((await sql(engine, ann, 'select count(*) from priv_db.public.later')).rows[0][0], 0);
      await assert.rejects(sql(engine, ann, 'select * from priv_db.public.other'), refused('NOT_FOUND', /OTHER/));
      await sql(engine, admin, 'grant select on all tables in schema priv_db.public to role analyst');
      assert.equal((await sql(engine, ann, 'select count(*) from priv_db.public.other')).rows[0][0], 0);
      await sql(
        engine,
        ann,
        'create table priv_db.public.mine (z int); insert into priv_db.public.mine values (7); drop table priv_db.public.mine',
      );
      // SYSADMIN (the database's owner) and ACCOUNTADMIN (inheriting it) keep everything; the system catalog stays read-only.
      await sql(engine, admin, 'use role accountadmin; delete from priv_db.public.t; drop table priv_db.public.other');
      assert.ok((await sql(engine, ann, 'select count(*) from recpipe.public.load_history')).rows.length === 1);
      await assert.rejects(sql(engine, admin, 'delete from recpipe.public.load_history'), refused('PERMISSION_DENIED', /read-only/));
    });
  });
});

describe('skeleton (what the parser reads for privileges)', () => {
  it('writes literal groups as (0) and a run of them as one, keeping every name', () => {
    const [st] = splitStatements("insert into db.s.t (a, b) values (1, 'x'), (-2, null), (?, 'y') ");
    assert.equal(skeleton(st), 'insert into db.s.t (a, b) values (0)');
    const [q] = splitStatements('select * from t where x in (1, 2, 3) and y in (select z from u) and f(x, 1) = 2');
    assert.equal(skeleton(q), 'select * from t where x in (0) and y in (select z from u) and f(x, 1) = 2');
  });
});
