import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isRecpipeError } from '../core/errors.js';
import {
  DEFAULT_HOST,
  DEFAULT_PORT,
  homeFiles,
  loadWarehouseUrl,
  readServerInfo,
  recpipeVersion,
  removeServerInfo,
  resolveConfig,
  writeServerInfo,
} from './index.js';

describe('loadWarehouseUrl', () => {
  it('takes the flag over RECPIPE_WAREHOUSE_URL, trims a trailing slash, and is unset by default', () => {
    const env = { RECPIPE_WAREHOUSE_URL: 'http://10.0.0.5:7878/' };
    assert.equal(loadWarehouseUrl('https://wh.example.com', env), 'https://wh.example.com');
    assert.equal(loadWarehouseUrl(undefined, env), 'http://10.0.0.5:7878');
    assert.equal(loadWarehouseUrl(undefined, {}), undefined);
    assert.equal(loadWarehouseUrl('', { RECPIPE_WAREHOUSE_URL: '' }), undefined);
  });

  it('refuses anything but a plain http(s) URL, naming where it came from', () => {
    assert.throws(() => loadWarehouseUrl('ftp://wh:21'), /--warehouse-url must be the http\(s\) URL/);
    assert.throws(() => loadWarehouseUrl(undefined, { RECPIPE_WAREHOUSE_URL: 'wh:7878 x' }), /RECPIPE_WAREHOUSE_URL must be/);
    assert.throws(() => loadWarehouseUrl('http://user:pw@wh:7878'), /--warehouse-url must be/);
  });
});

describe('resolveConfig', () => {
  it('prefers the flag, then the environment, then the default', () => {
    const env = { RECPIPE_HOME: 'env-home', RECPIPE_PORT: '9000', RECPIPE_HOST: '0.0.0.0' };
    assert.deepEqual(resolveConfig({ home: '/flag', port: '81', host: '::1' }, env, '/cwd'), { home: '/flag', port: 81, host: '::1' });
    assert.deepEqual(resolveConfig({}, env, '/cwd'), { home: '/cwd/env-home', port: 9000, host: '0.0.0.0' });
    assert.deepEqual(resolveConfig({}, {}, '/cwd'), { home: '/cwd/recpipe-data', port: DEFAULT_PORT, host: DEFAULT_HOST });
  });

  it('accepts port 0 (any free port) and treats empty variables as unset', () => {
    assert.equal(resolveConfig({ port: 0 }, {}, '/').port, 0);
    assert.equal(resolveConfig({}, { RECPIPE_PORT: '', RECPIPE_HOME: '' }, '/w').home, '/w/recpipe-data');
  });

  it('refuses ports that are not 0–65535 and names where the value came from', () => {
    for (const [flags, env, source] of [
      [{ port: '70000' }, {}, '--port'],
      [{ port: '12ab' }, {}, '--port'],
      [{}, { RECPIPE_PORT: '-1' }, 'RECPIPE_PORT'],
    ] as const) {
      assert.throws(
        () => resolveConfig(flags, env, '/'),
        (e: unknown) => isRecpipeError(e) && e.code === 'INVALID_ARGUMENT' && e.message.startsWith(source),
      );
    }
  });
});

describe('server info file', () => {
  const home = mkdtempSync(join(tmpdir(), 'recpipe-'));
  after(() => rmSync(home, { recursive: true, force: true }));

  it('round-trips, ignores junk, and is removed only by the server it names', async () => {
    assert.equal(readServerInfo(home), null);
    const info = { pid: 4242, url: 'http://127.0.0.1:1', home, version: '1', startedAt: 'now' };
    await writeServerInfo(info);
    assert.deepEqual(readServerInfo(home), info);
    removeServerInfo(home, 1);
    assert.deepEqual(readServerInfo(home), info, 'another pid must not remove the record');
    removeServerInfo(home, 4242);
    assert.equal(readServerInfo(home), null);
    writeFileSync(homeFiles(home).serverInfo, '{"pid": "x"');
    assert.equal(readServerInfo(home), null);
  });

  it('reads the version from package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    assert.equal(recpipeVersion(), pkg.version);
  });
});
