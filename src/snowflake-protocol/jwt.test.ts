import assert from 'node:assert/strict';
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { describe, it } from 'node:test';
import { fingerprintOf } from '../auth/index.js';
import { checkLoginJwt } from './jwt.js';

const NOW = Date.UTC(2026, 0, 1);

function keyPair(): { privateKey: KeyObject; base64: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKey, base64: publicKey.export({ format: 'der', type: 'spki' }).toString('base64') };
}

const b64 = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');

function jwt(key: KeyObject, claims: Record<string, unknown>, header: Record<string, unknown> = { alg: 'RS256', typ: 'JWT' }): string {
  const body = `${b64(header)}.${b64(claims)}`;
  return `${body}.${sign('RSA-SHA256', Buffer.from(body), key).toString('base64url')}`;
}

describe('checkLoginJwt (key-pair sign-in)', () => {
  const mine = keyPair();
  const other = keyPair();
  const fp = fingerprintOf(mine.base64);
  const claims = (over: Record<string, unknown> = {}) => ({
    iss: `RECPIPE.ALICE.${fp}`,
    sub: 'RECPIPE.ALICE',
    iat: NOW / 1000,
    exp: NOW / 1000 + 60,
    ...over,
  });

  it('accepts a token signed by one of the user’s keys, iat/exp in seconds or (as snowflake-sdk writes them) milliseconds', () => {
    assert.deepEqual(checkLoginJwt(jwt(mine.privateKey, claims()), 'alice', [other.base64, mine.base64], NOW), {
      ok: true,
      fingerprint: fp,
    });
    const ms = claims({ iat: NOW, exp: NOW + 120_000 });
    assert.deepEqual(checkLoginJwt(jwt(mine.privateKey, ms), 'Alice', [mine.base64], NOW), { ok: true, fingerprint: fp });
  });

  it('refuses each way a token can be wrong, saying why', () => {
    const cases: [string, string, RegExp][] = [
      ['not.a-jwt', 'alice', /not a JWT|base64url JSON/],
      [jwt(other.privateKey, claims()), 'alice', /signature does not match/],
      [jwt(mine.privateKey, claims(), { alg: 'HS256' }), 'alice', /algorithm is "HS256"/],
      [jwt(mine.privateKey, claims({ sub: 'RECPIPE.BOB' })), 'alice', /subject "RECPIPE.BOB"/],
      [
        jwt(mine.privateKey, claims({ iss: `RECPIPE.ALICE.${fingerprintOf(other.base64)}` })),
        'alice',
        /not one of the user's RSA public keys/,
      ],
      [jwt(mine.privateKey, claims({ iss: 'RECPIPE.ALICE' })), 'alice', /issuer is not/],
      [jwt(mine.privateKey, claims({ exp: NOW / 1000 - 120 })), 'alice', /expired/],
      [jwt(mine.privateKey, claims({ iat: NOW / 1000 + 600, exp: NOW / 1000 + 900 })), 'alice', /issued in the future/],
      [jwt(mine.privateKey, claims({ exp: NOW / 1000 + 7200 })), 'alice', /lifetime is 7200 s/],
      [jwt(mine.privateKey, claims({ exp: 'soon' })), 'alice', /numeric iat and exp/],
    ];
    for (const [token, user, reason] of cases) {
      const r = checkLoginJwt(token, user, [mine.base64], NOW);
      assert.equal(r.ok, false, token);
      assert.match((r as { reason: string }).reason, reason);
    }
  });
});
