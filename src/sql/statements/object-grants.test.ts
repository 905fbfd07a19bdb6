import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql, withEngine } from '../../../tests/support/temp-engine.js';
import type { Engine, Session } from '../../engine/index.js';
import { isRecpipeError } from '../../core/errors.js';

const hidden = (e: unknown) => isRecpipeError(e) && e.code === 'NOT_FOUND' && /does not exist or not authorized/.test(e.message);
const refused = (e: unknown) => isRecpipeError(e) && e.code === 'PERMISSION_DENIED' && /Insufficient privileges/.test(e.message);

/** A role R granted to user U, with usage on database OG and its PUBLIC schema; the admin session is SYSADMIN. */
interface Reader {
  readonly engine: Engine;
  readonly admin: Session;
  readonly u: Session;
  /** Runs SQL as the admin session. */
  readonly asAdmin: (text: string) => ReturnType<typeof sql>;
}

function withReader(fn: (r: Reader) => Promise<void>): () => Promise<void> {
  return () =>
    withEngine(async (engine, admin) => fn({ engine, admin, u: await setUp(engine, admin), asAdmin: (text) => sql(engine, admin, text) }));
}

async function setUp(engine: Engine, admin: Session): Promise<Session> {
  await sql(
    engine,
    admin,
    `use role accountadmin; create role r; create user u default_role = r; grant role r to user u;
     use role sysadmin; create database og; create table og.public.t (a int); insert into og.public.t values (1), (2);
     grant usage on database og to role r; grant usage on schema og.public to role r`,
  );
  return engine.createSession({ user: 'u' });
}

const grantsOn = async (asAdmin: Reader['asAdmin'], kind: string, name: string): Promise<string[]> =>
  (await asAdmin(`use role accountadmin; show grants on ${kind} ${name}`)).rows.map((r) => `${r[1]}:${r[4]}`).sort();

/**
 * Grants belong to one object: dropping it drops them, so a new object of the same name starts with
 * only its owner's (issue 9). Sequences and streams carry privileges of their own (USAGE, SELECT).
 */
describe('grants of dropped objects, sequences and streams', () => {
  it(
    'CREATE OR REPLACE SCHEMA drops the grants on the old schema and on everything in it',
    { timeout: 60_000 },
    withReader(async ({ engine, u, asAdmin }) => {
      await asAdmin(`use role sysadmin; create schema og.other; grant usage on schema og.other to role r;
         create table og.other.x (b int); insert into og.other.x values (7); grant select on table og.other.x to role r`);
      assert.deepEqual((await sql(engine, u, 'select * from og.other.x')).rows, [[7]]);
      await asAdmin('use role sysadmin; create or replace schema og.other');
      assert.deepEqual(await grantsOn(asAdmin, 'schema', 'og.other'), ['OWNERSHIP:SYSADMIN']);
      const toR = (await asAdmin('use role accountadmin; show grants to role r')).rows.map((row) => row.join(' '));
      assert.ok(
        toR.some((grant) => /\bOG\b/.test(grant)),
        `R's grant on database OG is listed: ${toR.join('; ')}`,
      );
      assert.ok(!toR.some((grant) => /OTHER/.test(grant)), `R keeps grants in the replaced schema: ${toR.join('; ')}`);
      await asAdmin('use role sysadmin; create table og.other.x (b int)');
      await assert.rejects(sql(engine, u, 'select * from og.other.x'), hidden);
    }),
  );

  it(
    'dropping a table, view, schema, database, stage, sequence, stream, task, function or integration drops its grants',
    { timeout: 120_000 },
    withReader(async ({ engine, u, asAdmin }) => {
      await asAdmin(`use role accountadmin;
         create api integration ai api_provider = aws_api_gateway api_aws_role_arn = 'arn:aws:iam::1:role/x' api_allowed_prefixes = ('http://127.0.0.1:9/') enabled = true;
         create external function og.public.ef(x int) returns variant api_integration = ai as 'http://127.0.0.1:9/f';
         grant usage on integration ai to role r; grant usage on function ef(int) to role r;
         use role sysadmin; use schema og.public;
         create view v as select a from t; create sequence sq; create stream st on table t;
         create stage sg; create task tk as select 1;
         grant select on table t to role r; grant select on view v to role r; grant usage on sequence sq to role r;
         grant select on stream st to role r; grant usage on stage sg to role r; grant monitor on task tk to role r;
         create schema og.other; grant usage on schema og.other to role r; create table og.other.x (b int); grant select on table og.other.x to role r`);
      const objects: [string, string, string][] = [
        ['table', 'og.public.t', 'drop table og.public.t'],
        ['table', 'og.public.v', 'drop view og.public.v'],
        ['sequence', 'og.public.sq', 'drop sequence og.public.sq'],
        ['stream', 'og.public.st', 'drop stream og.public.st'],
        ['stage', 'og.public.sg', 'drop stage og.public.sg'],
        ['task', 'og.public.tk', 'drop task og.public.tk'],
        ['function', 'ef(int)', 'use role accountadmin; drop function og.public.ef(int)'],
        ['integration', 'ai', 'use role accountadmin; drop api integration ai'],
      ];
      for (const [kind, name] of objects)
        assert.ok(
          (await grantsOn(asAdmin, kind, name)).some((g) => g.endsWith(':R')),
          `${kind} ${name}`,
        );
      for (const [, , drop] of objects) await asAdmin(`use role sysadmin; ${drop}`);
      await asAdmin('use role sysadmin; drop schema og.other');
      // The same names again: only the new owner's grant, nothing of R's.
      await asAdmin(`use role accountadmin;
         create api integration ai api_provider = aws_api_gateway api_aws_role_arn = 'arn:aws:iam::1:role/x' api_allowed_prefixes = ('http://127.0.0.1:9/') enabled = true;
         create external function og.public.ef(x int) returns variant api_integration = ai as 'http://127.0.0.1:9/f';
         use role sysadmin; use schema og.public; create table t (a int); create view v as select a from t;
         create sequence sq; create stream st on table t; create stage sg; create task tk as select 1;
         create schema og.other; create table og.other.x (b int)`);
      for (const [kind, name] of [...objects, ['schema', 'og.other'], ['table', 'og.other.x']] as [string, string][])
        assert.deepEqual(
          (await grantsOn(asAdmin, kind, name)).filter((g) => g.endsWith(':R')),
          [],
          `${kind} ${name} kept a grant to R`,
        );
      await assert.rejects(sql(engine, u, 'select * from og.public.t'), hidden);
      await assert.rejects(sql(engine, u, 'select * from og.other.x'), hidden);

      // A dropped database takes the grants of everything in it.
      await asAdmin(
        'use role sysadmin; grant select on table og.public.t to role r; drop database og; create database og; create table og.public.t (a int)',
      );
      assert.deepEqual(await grantsOn(asAdmin, 'database', 'og'), []);
      assert.deepEqual(await grantsOn(asAdmin, 'table', 'og.public.t'), ['OWNERSHIP:SYSADMIN']);
    }),
  );

  it(
    'a sequence has an owner; drop and alter need OWNERSHIP, nextval needs USAGE, SHOW lists it by privilege',
    { timeout: 180_000 },
    withReader(async ({ engine, admin, u, asAdmin }) => {
      await asAdmin(
        'use role sysadmin; create sequence og.public.sq start = 10 increment = 5; grant select on table og.public.t to role r',
      );
      const shown = await asAdmin("show sequences like 'SQ' in schema og.public");
      assert.deepEqual([shown.rows[0][1], shown.rows[0][6], shown.rows[0][7]], ['SQ', 'SYSADMIN', 'ROLE']);

      assert.deepEqual((await sql(engine, u, 'show sequences in schema og.public')).rows, []);
      await assert.rejects(sql(engine, u, 'select og.public.sq.nextval'), hidden);
      await assert.rejects(sql(engine, u, 'select og.public.sq.nextval from og.public.t'), hidden);
      await assert.rejects(sql(engine, u, 'drop sequence og.public.sq'), hidden);

      await asAdmin('grant usage on sequence og.public.sq to role r');
      assert.deepEqual(
        (await sql(engine, u, 'show sequences in schema og.public')).rows.map((r) => r[1]),
        ['SQ'],
      );
      assert.equal(Number((await sql(engine, u, 'select og.public.sq.nextval')).rows[0][0]), 10);
      await assert.rejects(sql(engine, u, 'drop sequence og.public.sq'), refused);
      await assert.rejects(sql(engine, u, 'alter sequence og.public.sq set increment = 1'), refused);

      // The owner alters it: the new step applies from the next value.
      await asAdmin("alter sequence og.public.sq set increment = 100 comment = 'stepped'");
      assert.deepEqual((await asAdmin('select og.public.sq.nextval, og.public.sq.nextval')).rows[0].map(Number), [15, 115]);
      assert.equal((await asAdmin('describe sequence og.public.sq')).rows[0][8], 'stepped');

      // GRANT OWNERSHIP moves it; the old owner (not above R) can no longer drop it.
      await asAdmin('use role accountadmin; grant ownership on sequence og.public.sq to role r');
      await sql(engine, u, 'drop sequence og.public.sq');
      await assert.rejects(sql(engine, admin, 'describe sequence og.public.sq'), hidden);
    }),
  );

  it(
    'a stream is read with SELECT on it and on its table; grants on it show and follow it',
    { timeout: 180_000 },
    withReader(async ({ engine, u, asAdmin }) => {
      await asAdmin('use role sysadmin; create stream og.public.st on table og.public.t; insert into og.public.t values (3)');
      assert.deepEqual((await sql(engine, u, 'show streams in schema og.public')).rows, []);
      await assert.rejects(sql(engine, u, 'select * from og.public.st'), hidden);
      await assert.rejects(sql(engine, u, 'describe stream og.public.st'), hidden);

      // SELECT on the stream alone is not enough: its table needs SELECT too.
      await asAdmin('grant select on stream og.public.st to role r');
      assert.deepEqual(
        (await sql(engine, u, 'show streams in schema og.public')).rows.map((r) => r[1]),
        ['ST'],
      );
      await assert.rejects(sql(engine, u, 'select a from og.public.st'), hidden);
      await asAdmin('grant select on table og.public.t to role r');
      assert.deepEqual((await sql(engine, u, 'select a from og.public.st')).rows, [[3]]);
      assert.equal((await sql(engine, u, "select system$stream_has_data('og.public.st')")).rows[0][0], true);
      await assert.rejects(sql(engine, u, 'drop stream og.public.st'), refused);

      // SELECT on the table alone is not enough either.
      await asAdmin('revoke select on stream og.public.st from role r');
      await assert.rejects(sql(engine, u, 'select a from og.public.st'), hidden);

      assert.deepEqual(await grantsOn(asAdmin, 'stream', 'og.public.st'), []);
      await asAdmin('use role accountadmin; grant ownership on stream og.public.st to role r');
      assert.deepEqual(await grantsOn(asAdmin, 'stream', 'og.public.st'), ['OWNERSHIP:R']);
      assert.equal((await sql(engine, u, 'show streams in schema og.public')).rows[0][4], 'R');
      await sql(engine, u, 'drop stream og.public.st');
    }),
  );

  it(
    'task_history and task_dependents show only the tasks the role sees',
    { timeout: 180_000 },
    withReader(async ({ engine, u, asAdmin }) => {
      await asAdmin(`use role sysadmin; use schema og.public; create task root as select 1; create task child after root as select 2;
         execute task root`);
      await engine.tasks.idle();
      const history = 'select name from table(og.information_schema.task_history()) order by name';
      assert.deepEqual((await asAdmin(history)).rows, [['ROOT']]);
      assert.deepEqual((await sql(engine, u, history)).rows, []);
      await assert.rejects(
        sql(engine, u, "select name from table(og.information_schema.task_dependents(task_name => 'og.public.root'))"),
        hidden,
      );

      await asAdmin('grant monitor on task og.public.root to role r');
      assert.deepEqual((await sql(engine, u, history)).rows, [['ROOT']]);
      const dependents = await sql(
        engine,
        u,
        "select name from table(og.information_schema.task_dependents(task_name => 'og.public.root'))",
      );
      assert.deepEqual(dependents.rows, [['ROOT']]);
      await asAdmin('grant monitor on task og.public.child to role r');
      const both = await sql(
        engine,
        u,
        "select name from table(og.information_schema.task_dependents(task_name => 'og.public.root')) order by name",
      );
      assert.deepEqual(both.rows, [['CHILD'], ['ROOT']]);
    }),
  );

  it(
    'SHOW ENDPOINT VERSIONS lists only the versions of endpoints the role sees',
    { timeout: 120_000 },
    withReader(async ({ engine, admin, u, asAdmin }) => {
      await asAdmin(`use role sysadmin; use schema og.public;
         create table ratings as select u as userid, i as movieid, 1.0 + ((u * 7 + i * 3) % 5) as rating from range(30) a(u), range(20) b(i);
         create table recs (userid float, recommendations variant);
         select train_and_get_recommendations('ratings', 'recs', parse_json('{"wait": true, "folds": 0, "hyperparameters": {"n_epochs": 2}, "deploy_to": "ep-og", "deploy_policy": "always"}'))`);
      const versions = async (s: Session) => (await sql(engine, s, 'show endpoint versions')).rows.map((r) => r[0]);
      // The deploy decision is recorded once the job's model is in service.
      for (let i = 0; i < 200 && (await versions(admin)).length === 0; i++) await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(await versions(admin), ['ep-og']);
      assert.deepEqual(await versions(u), []);
      await asAdmin('use role accountadmin; grant ownership on endpoint "ep-og" to role r');
      assert.deepEqual(await versions(u), ['ep-og']);
    }),
  );
});
