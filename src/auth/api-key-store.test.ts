import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ApiKeyStore, Authenticator, presentedKey } from './index.js';

/** The secret part of `rpk_<12 hex>_<secret>` (the secret may itself contain '_'). */
const secretOf = (key: string): string => key.slice('rpk_'.length + 13);

describe('ApiKeyStore', () => {
  const home = mkdtempSync(join(tmpdir(), 'recpipe-'));
  after(() => rmSync(home, { recursive: true, force: true }));

  it('stores keys hashed in an owner-only file and verifies them', () => {
    const store = new ApiKeyStore(home);
    const { key, info } = store.create('sysadmin', 'gateway');
    assert.match(key, /^rpk_[0-9a-f]{12}_/);
    assert.equal(info.role, 'SYSADMIN');
    assert.ok(key.startsWith(info.prefix + '_'));
    const text = readFileSync(store.file, 'utf8');
    assert.ok(!text.includes(key.slice(info.prefix.length + 1)), 'the secret is not in the file');
    assert.equal(statSync(store.file).mode & 0o777, 0o600);
    assert.deepEqual(store.verify(key), { name: 'gateway', prefix: info.prefix, role: 'SYSADMIN', user: null });
    assert.equal(store.verify(key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A')), null, 'one changed character fails');
    assert.equal(store.verify('not-a-key'), null);
  });

  it('sees keys created or revoked by another process (another store on the same file)', () => {
    const server = new ApiKeyStore(home);
    const cli = new ApiKeyStore(home);
    const { key } = cli.create('PUBLIC', 'reader');
    assert.equal(server.verify(key)?.role, 'PUBLIC');
    cli.revoke('reader');
    assert.equal(server.verify(key), null);
  });

  it('with the watcher on the home, session checks answer from memory; a revocation by another process still ends them, and its key fails at once', async () => {
    const own = mkdtempSync(join(tmpdir(), 'recpipe-'));
    const auth = new Authenticator(own);
    // The watcher is unref'd (it never keeps a server alive): this keeps the test's process waiting for it.
    const alive = setInterval(() => undefined, 1_000);
    try {
      auth.watchKeys();
      const cli = new ApiKeyStore(own);
      const { key, info } = cli.create('PUBLIC', 'watched', 'KIM');
      assert.equal(auth.identify({ 'x-api-key': key }).prefix, info.prefix);
      const swept = new Promise<void>((resolve) => auth.onRevocation(resolve));
      assert.equal(auth.sessionStands(info.prefix, 'KIM'), true);
      cli.revoke('watched');
      // Presented keys are checked against the file on each request, whatever the watcher has said so far.
      assert.throws(() => auth.identify({ 'x-api-key': key }), /not valid/);
      await swept;
      assert.equal(auth.sessionStands(info.prefix, 'KIM'), false, 'the watcher reported the change');
      // Between changes, a session check reads nothing: the key file may even be gone.
      const { info: second } = cli.create('PUBLIC', 'second', 'KIM');
      for (let i = 0; i < 100 && !auth.sessionStands(second.prefix, 'KIM'); i++) await new Promise((r) => setTimeout(r, 50));
      assert.equal(auth.sessionStands(second.prefix, 'KIM'), true, 'the watcher reported the new key');
      rmSync(cli.file);
      assert.equal(auth.sessionStands(second.prefix, 'KIM'), true, 'answered from memory until the watcher reports');
    } finally {
      clearInterval(alive);
      auth.close();
      rmSync(own, { recursive: true, force: true });
    }
  });

  it('lists names, prefixes and last use, never secrets or hashes', () => {
    const store = new ApiKeyStore(home);
    const { key } = store.create('ACCOUNTADMIN', 'admin');
    store.verify(key, new Date('2026-01-02T03:04:05Z'));
    store.flush();
    const listed = new ApiKeyStore(home).list();
    const admin = listed.find((k) => k.name === 'admin');
    assert.equal(admin?.lastUsedAt, '2026-01-02T03:04:05.000Z');
    const text = JSON.stringify(listed);
    assert.ok(!text.includes(secretOf(key)));
    assert.ok(!/hash|salt/.test(text));
  });

  it('refuses duplicate names, bad roles and unknown revocations', () => {
    const store = new ApiKeyStore(home);
    assert.throws(() => store.create('SYSADMIN', 'gateway'), /already exists/);
    assert.throws(() => store.create('bad role'), /not a valid role name/);
    assert.throws(() => store.revoke('nope'), /no API key named 'nope'.*keys: gateway/);
  });
});

describe('presentedKey', () => {
  it('takes x-api-key or a Bearer token', () => {
    assert.equal(presentedKey({ 'x-api-key': 'k1' }), 'k1');
    assert.equal(presentedKey({ authorization: 'Bearer k2' }), 'k2');
    assert.equal(presentedKey({ authorization: 'Basic abc' }), null);
    assert.equal(presentedKey({}), null);
  });
});
