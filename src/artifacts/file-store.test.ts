import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { fileStore } from './file-store.js';
import { describeArtifactStore } from '../../tests/support/store-contract.js';
import { resolveArtifactStore } from './store.js';

const root = mkdtempSync(join(tmpdir(), 'recpipe-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

describeArtifactStore('file', () => {
  const dir = join(root, `contract-${n++}`);
  return { store: fileStore, location: (name) => join(dir, 'nested', name) };
});

describe('file store', () => {
  it('leaves no temporary directory behind after a lost race', async () => {
    const parent = join(root, 'race');
    const at = join(parent, 'model');
    const file = [{ name: 'x', bytes: Buffer.from('x') }];
    await Promise.allSettled([fileStore.create(at, file), fileStore.create(at, file), fileStore.create(at, file)]);
    assert.deepEqual(readdirSync(parent), ['model']);
  });

  it('answers NOT_FOUND for a path that is a file, not an artifact directory', async () => {
    const file = join(root, 'plain-file');
    writeFileSync(file, 'x');
    await assert.rejects(fileStore.read(file, 'manifest.json'), { code: 'NOT_FOUND', message: `no artifact at ${file}: not a directory` });
  });
});

describe('resolveArtifactStore', () => {
  it('takes plain paths and file:// URIs to the same absolute directory', () => {
    const dir = join(root, 'some model');
    assert.equal(resolveArtifactStore(dir).location, dir);
    assert.equal(resolveArtifactStore(pathToFileURL(dir).href).location, dir);
    assert.equal(resolveArtifactStore(pathToFileURL(dir).href).store.scheme, 'file');
  });

  it('names the known schemes when the scheme is unknown', () => {
    assert.throws(
      () => resolveArtifactStore('s3://bucket/models/v1'),
      (e: Error & { code: string }) =>
        e.code === 'INVALID_ARGUMENT' && /'s3:\/\/'/.test(e.message) && /known schemes: file:\/\//.test(e.message),
    );
  });

  it('refuses a file URI naming a remote host', () => {
    assert.throws(() => resolveArtifactStore('file://otherhost/models/v1'), { code: 'INVALID_ARGUMENT' });
  });
});
