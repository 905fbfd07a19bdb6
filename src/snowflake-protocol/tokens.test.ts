import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../tests/support/temp-engine.js';
import { SfTokens, snowflakeLoginFile } from './tokens.js';

const CONTEXT = { role: 'SYSADMIN', database: null, schema: null, warehouse: null };

describe('SfTokens', () => {
  it('expires session tokens, renews them with the master token and ends with the master token', () => {
    let now = 0;
    const tokens = new SfTokens(10, 100, () => now);
    const { login, tokens: issued } = tokens.issue('s1', 'ALICE', CONTEXT);
    assert.deepEqual(tokens.session(issued.token), { login });
    now = 10_000;
    assert.deepEqual(tokens.session(issued.token), { expired: login });
    assert.equal(tokens.renew(issued.masterToken, 'not-the-old-token'), null, 'the old session token must be the login’s');
    const renewed = tokens.renew(issued.masterToken, issued.token);
    assert.ok(renewed !== null && renewed !== 'expired');
    assert.equal(tokens.session(issued.token), null, 'the old token is gone');
    assert.deepEqual(tokens.session(renewed.tokens.token), { login });
    assert.equal(renewed.tokens.masterValidityInSeconds, 90);
    now = 100_000;
    assert.equal(tokens.renew(issued.masterToken, renewed.tokens.token), 'expired');
    assert.deepEqual(tokens.sweep(), [login]);
    assert.equal(tokens.session(renewed.tokens.token), null);
    assert.equal(tokens.size, 0);
  });

  it('forgets a login on sign-out and never accepts a guessed token', () => {
    const tokens = new SfTokens(10, 100);
    const { login, tokens: issued } = tokens.issue('s1', 'BOB', CONTEXT);
    assert.equal(tokens.session(issued.token.slice(0, -1)), null);
    tokens.end(login);
    assert.equal(tokens.session(issued.token), null);
    assert.equal(tokens.renew(issued.masterToken, undefined), null);
  });

  it('keeps logins across a restart in an owner-only file of hashes, with their expiry and context', async () => {
    const tmp = tempDir();
    try {
      let now = 0;
      const first = new SfTokens(10, 100, () => now, snowflakeLoginFile(tmp.dir));
      const { login, tokens: issued } = first.issue('s1', 'CAROL', CONTEXT);
      first.update(login, 's2', { ...CONTEXT, database: 'DB' });
      await first.saved();
      const file = join(tmp.dir, 'snowflake-sign-ins.json');
      assert.equal(statSync(file).mode & 0o777, 0o600);
      const text = readFileSync(file, 'utf8');
      for (const secret of [issued.token, issued.masterToken]) assert.ok(!text.includes(secret.slice(-20)), 'no token in the file');

      now = 5_000;
      const second = new SfTokens(10, 100, () => now, snowflakeLoginFile(tmp.dir));
      const found = second.session(issued.token);
      assert.ok(found && 'login' in found);
      assert.deepEqual(found.login, { id: login.id, sessionId: 's2', user: 'CAROL', context: { ...CONTEXT, database: 'DB' } });
      assert.equal(second.issue('s3', 'DAN', CONTEXT).login.id, login.id + 1, 'ids are not reused');
      now = 100_000;
      assert.equal(
        new SfTokens(10, 100, () => now, snowflakeLoginFile(tmp.dir)).session(issued.token),
        null,
        'expired logins are not loaded',
      );
    } finally {
      tmp.remove();
    }
  });
});
