import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RecpipeError } from '../../core/errors.js';
import { writeTinyArtifact } from '../../../tests/support/tiny-model-fixture.js';
import { Engine, type Session } from '../../engine/index.js';
import { sql } from '../../../tests/support/temp-engine.js';

/** The three grants of the guide's Lab 3, verbatim. */
const GUIDE_GRANTS = `grant usage on function train_and_get_recommendations(varchar, varchar) to role sysadmin;
grant usage on function deploy_model(varchar, varchar) to role sysadmin;
grant usage on function invoke_model(varchar, varchar, varchar) to role sysadmin;`;

const denied = (fn: string, role: string) => (e: unknown) =>
  e instanceof RecpipeError &&
  e.code === 'PERMISSION_DENIED' &&
  new RegExp(
    `^SQL access control error: Insufficient privileges to operate on function '${fn}' \\(current role ${role} has no USAGE on it\\)`,
  ).test(e.message);

describe('roles, users and grants', () => {
  let root: string;
  let engine: Engine;
  let admin: Session;
  let modelUri: string;
  const scalar = async (s: Session, text: string): Promise<unknown> => (await sql(engine, s, text)).rows[0][0];

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'recpipe-'));
    modelUri = (await writeTinyArtifact(join(root, 'home', 'artifacts', 'model'))).manifest.uri;
    engine = await Engine.open({ home: join(root, 'home') });
    admin = engine.createSession({ role: 'accountadmin' });
    await sql(
      engine,
      admin,
      `use role sysadmin; create database MOVIELENS; use role accountadmin; select deploy_model('m1', '${modelUri}')`,
    );
    await engine.endpoints.waitFor('m1', 'InService', 5000);
  });
  after(async () => {
    await engine.close();
    rmSync(root, { recursive: true, force: true });
  });

  it("runs the guide's grant statements verbatim and records them", async () => {
    const results = await engine.execute(admin, GUIDE_GRANTS);
    assert.deepEqual(
      results.map((r) => r.rows[0][0]),
      Array(3).fill('Statement executed successfully.'),
    );
    const grants = (await sql(engine, admin, "show grants like '%(VARCHAR%'")).rows.map((r) => [r[0], r[1], r[4]]);
    assert.deepEqual(grants, [
      ['TRAIN_AND_GET_RECOMMENDATIONS(VARCHAR, VARCHAR)', 'USAGE', 'SYSADMIN'],
      ['DEPLOY_MODEL(VARCHAR, VARCHAR)', 'USAGE', 'SYSADMIN'],
      ['INVOKE_MODEL(VARCHAR, VARCHAR, VARCHAR)', 'USAGE', 'SYSADMIN'],
    ]);
  });

  it('records that sysadmin owns MOVIELENS, as the role that created it', async () => {
    const row = (await sql(engine, admin, 'show databases')).rows.find((r) => r.includes('MOVIELENS'));
    assert.ok(row?.includes('SYSADMIN'), `MOVIELENS row names its owner SYSADMIN: ${JSON.stringify(row)}`);
  });

  it('refuses invoke_model to a PUBLIC session and allows SYSADMIN', async () => {
    const s = engine.createSession({ role: 'public' });
    await assert.rejects(sql(engine, s, "select invoke_model('m1', '1', '2')"), denied('INVOKE_MODEL', 'PUBLIC'));
    await sql(engine, s, 'use role sysadmin');
    const score = await scalar(s, "select invoke_model('m1', '1', '2')");
    assert.equal(typeof score, 'number');
    assert.ok((score as number) >= 1 && (score as number) <= 5, `a rating on the model's scale, got ${score}`);
  });

  it('makes a grant to PUBLIC take effect at once, and a revoke too', async () => {
    const s = engine.createSession({ role: 'public' });
    await sql(engine, admin, 'grant usage on function invoke_model(string, text, varchar(100)) to role public');
    assert.equal(typeof (await scalar(s, "select invoke_model('m1', '1', '2')")), 'number');
    await sql(engine, admin, 'revoke usage on function invoke_model(varchar, varchar, varchar) from role public');
    await assert.rejects(sql(engine, s, "select invoke_model('m1', '1', '2')"), denied('INVOKE_MODEL', 'PUBLIC'));
  });

  it('matches grants by signature: a two-argument grant does not cover the three-argument overload', async () => {
    await sql(
      engine,
      admin,
      'create role trainer; grant usage on function train_and_get_recommendations(varchar, varchar) to role trainer',
    );
    // TRAINER has no USAGE on MOVIELENS: a session cannot start there, as USE DATABASE cannot.
    assert.throws(
      () => engine.createSession({ role: 'trainer', database: 'movielens' }),
      /Database 'movielens' does not exist or not authorized/,
    );
    const s = engine.createSession({ role: 'trainer' });
    await assert.rejects(
      sql(engine, s, "select train_and_get_recommendations('a', 'b', parse_json('{}'))"),
      denied('TRAIN_AND_GET_RECOMMENDATIONS', 'TRAINER'),
    );
    // Past the function's usage check, the call checks the role's privileges on its tables.
    await assert.rejects(
      sql(engine, s, "select train_and_get_recommendations('movielens.public.nope', 'movielens.public.out')"),
      /Object 'MOVIELENS\.PUBLIC\.NOPE' does not exist or not authorized/,
    );
  });

  it('inherits: a role granted SYSADMIN may call what SYSADMIN owns; revoking the role removes it', async () => {
    await sql(engine, admin, 'create role analyst; grant role sysadmin to role analyst');
    const s = engine.createSession({ role: 'analyst' });
    assert.equal(typeof (await scalar(s, "select invoke_model('m1', '1', '2')")), 'number');
    await sql(engine, admin, 'revoke role sysadmin from role analyst');
    await assert.rejects(sql(engine, s, "select invoke_model('m1', '1', '2')"), denied('INVOKE_MODEL', 'ANALYST'));
    await assert.rejects(sql(engine, admin, 'grant role analyst to role analyst'), /would create a cycle/);
  });

  it('lets a user USE ROLE only for roles granted to them', async () => {
    await sql(engine, admin, "create role reader; create user ann password = 'pw-1' default_role = reader; grant role reader to user ann");
    const ann = engine.createSession({ user: 'ann' });
    assert.equal(ann.role, 'READER');
    await assert.rejects(
      sql(engine, ann, 'use role sysadmin'),
      /SQL compilation error: Requested role 'SYSADMIN' is not assigned to the executing user\. Specify another role to activate\./,
    );
    await assert.rejects(sql(engine, ann, 'use role nobody'), /SQL compilation error: Role 'NOBODY' does not exist or not authorized\./);
    await sql(engine, ann, 'use role public');
    assert.equal(ann.role, 'PUBLIC');
    await sql(engine, admin, 'grant role sysadmin to role reader');
    await sql(engine, ann, 'use role sysadmin');
    assert.equal(ann.role, 'SYSADMIN');
    assert.throws(() => engine.createSession({ user: 'ann', role: 'accountadmin' }), /not assigned to the executing user/);
    assert.equal(await engine.access.signIn('ANN', 'pw-1'), 'ok');
    assert.equal(await engine.access.signIn('ANN', 'pw-2'), 'wrong');
  });

  it('keeps account administration to the roles that hold it', async () => {
    const s = engine.createSession({ role: 'sysadmin' });
    await assert.rejects(
      sql(engine, s, 'create role sneaky'),
      /Insufficient privileges to operate on account: CREATE ROLE needs ACCOUNTADMIN, SECURITYADMIN, USERADMIN/,
    );
    await assert.rejects(sql(engine, s, 'grant role accountadmin to role sysadmin'), /Insufficient privileges/);
    await assert.rejects(
      sql(
        engine,
        engine.createSession({ role: 'public' }),
        'grant usage on function invoke_model(varchar, varchar, varchar) to role public',
      ),
      /Insufficient privileges/,
    );
    // SYSADMIN owns MOVIELENS and the built-in functions, so it may grant on them.
    await sql(
      engine,
      s,
      'grant usage on database movielens to role public; grant usage on function recommend(varchar, varchar, number) to role public',
    );
    await assert.rejects(sql(engine, admin, 'drop role sysadmin'), /system role and cannot be dropped/);
  });

  it('validates grants: unknown privileges, roles and objects are named in the error', async () => {
    await assert.rejects(
      sql(engine, admin, 'grant select on function invoke_model(varchar) to role public'),
      /Invalid privilege SELECT for FUNCTION; valid: USAGE, ALL/,
    );
    await assert.rejects(
      sql(engine, admin, 'grant usage on function invoke_model(varchar) to role ghost'),
      /Role 'GHOST' does not exist or not authorized/,
    );
    await assert.rejects(
      sql(engine, admin, 'grant usage on database nope to role public'),
      /Database 'NOPE' does not exist or not authorized/,
    );
    await assert.rejects(sql(engine, admin, 'grant usage on function invoke_model(blob) to role public'), /unknown argument type 'BLOB'/);
    // A function that does not exist is refused like a missing database, and no grant row is left behind.
    await assert.rejects(
      sql(engine, admin, 'grant usage on function movielens.public.nope(varchar, int) to role public'),
      /Function 'NOPE\(VARCHAR, NUMBER\)' does not exist or not authorized/,
    );
    assert.ok(!engine.access.grants().some((g) => g.objectName.startsWith('NOPE(')));
    await sql(
      engine,
      admin,
      'create table movielens.public.ratings (userid int); grant select, insert on table movielens.public.ratings to role public',
    );
    assert.ok(engine.access.hasPrivilege('PUBLIC', 'SELECT', { kind: 'TABLE', name: 'MOVIELENS.PUBLIC.RATINGS' }));
    assert.ok(!engine.access.hasPrivilege('PUBLIC', 'DELETE', { kind: 'TABLE', name: 'MOVIELENS.PUBLIC.RATINGS' }));
  });

  it('shows roles and users', async () => {
    const roles = (await sql(engine, admin, 'show roles')).rows.map((r) => r[0]);
    for (const r of ['ACCOUNTADMIN', 'SYSADMIN', 'PUBLIC', 'SECURITYADMIN', 'USERADMIN', 'ANALYST', 'READER'])
      assert.ok(roles.includes(r), `${r} in ${roles.join(', ')}`);
    const users = (await sql(engine, admin, 'show users')).rows;
    const ann = users.find((u) => u[0] === 'ANN');
    assert.deepEqual([ann?.[2], ann?.[3]], ['READER', true]);
    assert.ok(!JSON.stringify(users).includes('pw-1'), 'SHOW USERS never shows a password');
  });
});

describe('access control persistence', () => {
  it('keeps roles, users and grants across an engine restart', async () => {
    const home = mkdtempSync(join(tmpdir(), 'recpipe-'));
    try {
      const first = await Engine.open({ home });
      await sql(
        first,
        first.createSession({ role: 'accountadmin' }),
        'create role ops; create user bob; grant role ops to user bob; grant usage on function invoke_model(varchar, varchar, varchar) to role ops',
      );
      await first.close();
      const second = await Engine.open({ home });
      try {
        const bob = second.createSession({ user: 'bob', role: 'ops' });
        assert.equal(bob.role, 'OPS');
        assert.ok(second.access.hasUsage('OPS', 'invoke_model', ['varchar', 'varchar', 'varchar']));
        assert.ok(!second.access.hasUsage('OPS', 'deploy_model'));
        assert.ok(!second.access.hasUsage('PUBLIC', 'invoke_model'));
        assert.ok(second.access.hasUsage('ACCOUNTADMIN', 'invoke_model'), 'ACCOUNTADMIN inherits SYSADMIN, the owner');
        await sql(second, second.createSession({ role: 'accountadmin' }), 'drop role ops');
        assert.throws(() => second.createSession({ user: 'bob', role: 'ops' }), /Role 'OPS' does not exist/);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
