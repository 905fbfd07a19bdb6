import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql, withEngine } from '../../../tests/support/temp-engine.js';

describe('SHOW STAGES', () => {
  it('lists named stages in scope with their type, LIKE filters, and a role sees only stages it may use', { timeout: 120_000 }, () =>
    withEngine(async (engine, admin) => {
      await sql(
        engine,
        admin,
        `use role accountadmin; create role r; create user u default_role = r; grant role r to user u;
           use role sysadmin; create database sd; create schema sd.other;
           create stage sd.public.load_here comment = 'for ratings'; create stage sd.public.mine;
           create stage sd.other.elsewhere;
           grant usage on database sd to role r; grant usage on schema sd.public to role r;
           grant usage on stage sd.public.load_here to role r`,
      );
      const shown = await sql(engine, admin, 'use schema sd.public; show stages');
      const col = (name: string) => shown.columns.findIndex((c) => c.name === name);
      assert.deepEqual(
        shown.rows.map((r) => [r[col('name')], r[col('schema_name')], r[col('type')], r[col('owner')], r[col('comment')]]),
        [
          ['LOAD_HERE', 'PUBLIC', 'INTERNAL', 'SYSADMIN', 'for ratings'],
          ['MINE', 'PUBLIC', 'INTERNAL', 'SYSADMIN', ''],
        ],
      );
      const account = await sql(engine, admin, "show stages like '%here' in account");
      assert.deepEqual(account.rows.map((r) => r[col('name')]).sort(), ['ELSEWHERE', 'LOAD_HERE']);
      const inOther = await sql(engine, admin, 'show stages in schema sd.other');
      assert.deepEqual(
        inOther.rows.map((r) => r[col('name')]),
        ['ELSEWHERE'],
      );
      const u = engine.createSession({ user: 'u' });
      const theirs = await sql(engine, u, 'show stages in database sd');
      assert.deepEqual(
        theirs.rows.map((r) => r[col('name')]),
        ['LOAD_HERE'],
        'a stage without a grant stays hidden',
      );
    }),
  );
});
