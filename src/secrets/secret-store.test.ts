import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { RecpipeError } from '../core/errors.js';
import { loadSecretEnv } from '../config/index.js';
import { SecretStore } from './index.js';

const VALUE = 'sk-live-9f2c1e77d0a4';
const posix = process.platform !== 'win32';

describe('SecretStore', () => {
  let home: string;
  beforeEach(() => (home = mkdtempSync(join(tmpdir(), 'recpipe-'))));
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('stores values in an owner-only file, atomically, and reads them back', () => {
    const s = new SecretStore(home, new Map());
    s.set('api_key', VALUE);
    s.set('WAREHOUSE_PASSWORD', 'pw');
    assert.equal(s.get('API_KEY'), VALUE);
    assert.deepEqual(s.list(), [
      { name: 'API_KEY', source: 'file' },
      { name: 'WAREHOUSE_PASSWORD', source: 'file' },
    ]);
    if (posix) assert.equal(statSync(s.file).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(home), ['secrets.json'], 'no temp file is left behind');
    assert.equal(s.delete('api_key'), true);
    assert.equal(s.delete('api_key'), false);
    assert.equal(new SecretStore(home, new Map()).get('API_KEY'), undefined);
  });

  it('lets RECPIPE_SECRET_<NAME> override the file', () => {
    const env = loadSecretEnv({ RECPIPE_SECRET_API_KEY: 'from-env', RECPIPE_SECRET_ONLY_ENV: 'x', RECPIPE_SECRET_EMPTY: '', OTHER: 'y' });
    const s = new SecretStore(home, env);
    s.set('API_KEY', VALUE);
    assert.equal(s.resolve('api_key'), 'from-env');
    assert.ok(s.overridden('API_KEY'));
    assert.deepEqual(s.list(), [
      { name: 'API_KEY', source: 'environment' },
      { name: 'ONLY_ENV', source: 'environment' },
    ]);
  });

  it('refuses a store others can read, naming the file and mode but never a value', { skip: !posix && 'POSIX permissions' }, () => {
    const s = new SecretStore(home, new Map());
    s.set('API_KEY', VALUE);
    chmodSync(s.file, 0o644);
    assert.throws(
      () => s.get('API_KEY'),
      (e: unknown) =>
        e instanceof RecpipeError &&
        e.code === 'PERMISSION_DENIED' &&
        /has mode 0644: group or others may read it; run 'chmod 600/.test(e.message) &&
        !e.message.includes(VALUE),
    );
  });

  it('never repeats the file content when it is malformed, and says how to provide a missing secret', () => {
    const s = new SecretStore(home, new Map());
    writeFileSync(s.file, `{"secrets": {"API_KEY": "${VALUE}"`, { mode: 0o600 });
    assert.throws(
      () => s.get('API_KEY'),
      (e: Error) => /is not valid JSON/.test(e.message) && !e.message.includes(VALUE),
    );
    rmSync(s.file);
    assert.throws(() => s.resolve('api_key'), /secret API_KEY is not set: run 'recpipe secret set API_KEY' or set RECPIPE_SECRET_API_KEY/);
    assert.throws(() => s.set('1bad', 'v'), /secret name '1bad' is not valid/);
    assert.throws(() => s.set('OK', ''), /the value is empty/);
  });
});
