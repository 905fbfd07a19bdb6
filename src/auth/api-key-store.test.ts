import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ApiKeyStore, presentedKey } from './index.js';

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
