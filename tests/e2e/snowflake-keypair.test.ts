import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Engine } from '../../src/engine/index.js';
import { startServer } from '../../src/service/index.js';
import { connectDriver, sfRequest } from '../support/snowflake-driver.js';

/** A generated RSA key pair: the private key as PKCS#8 PEM (what snowflake-sdk takes) and the public key as Snowflake's guide pastes it. */
function keyPair(bits = 2048): { privatePem: string; publicBody: string; fingerprint: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  const der = publicKey.export({ format: 'der', type: 'spki' });
  return {
    privatePem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicBody: der.toString('base64'),
    fingerprint: `SHA256:${createHash('sha256').update(der).digest('base64')}`,
  };
}

describe('snowflake-sdk key-pair (SNOWFLAKE_JWT) authentication', () => {
  const home = mkdtempSync(join(tmpdir(), 'recpipe-sf-jwt-'));
  let engine: Engine;
  let server: Awaited<ReturnType<typeof startServer>>;
  const alice = keyPair();
  const rotated = keyPair();
  const stranger = keyPair();
  const jwtLogin = (pem: string, user = 'alice') =>
    connectDriver(server.url, user, '', { authenticator: 'SNOWFLAKE_JWT', privateKey: pem, database: 'shop', schema: 'public' });

  before(async () => {
    engine = await Engine.open({ home });
    await engine.execute(
      engine.createSession(),
      `use role accountadmin;
       create user alice default_role = sysadmin rsa_public_key = '${alice.publicBody}';
       grant role sysadmin to user alice; grant role accountadmin to user alice;
       create user bob password = 'bob password 1';
       use role sysadmin; create database shop`,
    );
    server = await startServer(engine, { home, host: '127.0.0.1', port: 0 });
  });
  after(async () => {
    await server?.close();
    await engine?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('signs in with the private key whose public key the user holds, and DESC USER shows its fingerprint', async () => {
    const c = await jwtLogin(alice.privatePem);
    try {
      const { rows } = await c.execute('select current_user() as u, current_role() as r');
      assert.deepEqual(rows, [{ U: 'ALICE', R: 'SYSADMIN' }]);
      await c.execute('use role accountadmin');
      const desc = await c.execute('desc user alice');
      const fp = desc.rows.find((r) => Object.values(r).includes('RSA_PUBLIC_KEY_FP'));
      assert.ok(fp && Object.values(fp).includes(alice.fingerprint), JSON.stringify(desc.rows));
    } finally {
      await c.destroy();
    }
  });

  it('refuses another key, a user without a key, and a key once unset; slot 2 rotates without downtime', async () => {
    await assert.rejects(jwtLogin(stranger.privatePem), /JWT token is invalid.*not one of the user's RSA public keys/);
    await assert.rejects(jwtLogin(alice.privatePem, 'bob'), /JWT token is invalid.*no RSA_PUBLIC_KEY/);
    const admin = engine.createSession();
    await engine.execute(admin, `use role accountadmin; alter user alice set rsa_public_key_2 = '${rotated.publicBody}'`);
    for (const pem of [alice.privatePem, rotated.privatePem]) await (await jwtLogin(pem)).destroy();
    await engine.execute(admin, 'alter user alice unset rsa_public_key');
    await assert.rejects(jwtLogin(alice.privatePem), /JWT token is invalid/);
    await (await jwtLogin(rotated.privatePem)).destroy();
    // The service keeps serving password sign-ins beside key-pair ones.
    await (await connectDriver(server.url, 'bob', 'bob password 1')).destroy();
  });

  it('checks keys at ALTER USER and lets only user administrators set them', async () => {
    const admin = engine.createSession();
    await engine.execute(admin, 'use role accountadmin');
    await assert.rejects(engine.execute(admin, "alter user alice set rsa_public_key = 'not a key!'"), /base64 text of a PEM public key/);
    await assert.rejects(
      engine.execute(admin, `alter user alice set rsa_public_key = '${keyPair(1024).publicBody}'`),
      /1024-bit key; at least 2048/,
    );
    await assert.rejects(engine.execute(admin, "alter user alice set password = 'x'"), /SET PASSWORD is not supported/);
    await assert.rejects(engine.execute(admin, `alter user nobody set rsa_public_key = '${alice.publicBody}'`), /does not exist/);
    const bob = engine.createSession({ user: 'BOB' });
    await assert.rejects(engine.execute(bob, `alter user bob set rsa_public_key = '${stranger.publicBody}'`), /Insufficient privileges/);
  });

  it('answers a forged or malformed JWT with Snowflake’s 390144, and a wrong authenticator with 390196', async () => {
    const forged = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{}').toString('base64url')}.`;
    const r = await sfRequest(server.url, '/session/v1/login-request', {
      data: { LOGIN_NAME: 'alice', AUTHENTICATOR: 'SNOWFLAKE_JWT', TOKEN: forged },
    });
    assert.equal(r.json.success, false);
    assert.equal(r.json.code, '390144');
    assert.match(String(r.json.message), /algorithm is "none"/);
    const other = await sfRequest(server.url, '/session/v1/login-request', { data: { LOGIN_NAME: 'alice', AUTHENTICATOR: 'OAUTH' } });
    assert.equal(other.json.code, '390196');
    const missing = await sfRequest(server.url, '/session/v1/login-request', {
      data: { LOGIN_NAME: 'alice', AUTHENTICATOR: 'SNOWFLAKE_JWT' },
    });
    assert.equal(missing.status, 400);
    assert.match(String(missing.json.message), /data.TOKEN/);
  });
});
