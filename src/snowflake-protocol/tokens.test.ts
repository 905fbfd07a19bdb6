import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SfTokens } from './tokens.js';

describe('SfTokens', () => {
  it('expires session tokens, renews them with the master token and ends with the master token', () => {
    let now = 0;
    const tokens = new SfTokens(10, 100, () => now);
    const { login, tokens: issued } = tokens.issue('s1', 'ALICE');
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
    const { login, tokens: issued } = tokens.issue('s1', 'BOB');
    assert.equal(tokens.session(issued.token.slice(0, -1)), null);
    tokens.end(login);
    assert.equal(tokens.session(issued.token), null);
    assert.equal(tokens.renew(issued.masterToken, undefined), null);
  });
});
