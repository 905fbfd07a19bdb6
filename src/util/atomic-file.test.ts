import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../../tests/support/temp-engine.js';
import { writeFileAtomic, writeFileAtomicSync } from './atomic-file.js';

describe('the atomic writer', () => {
  for (const [kind, write] of [
    ['async', writeFileAtomic],
    ['sync', async (...a: Parameters<typeof writeFileAtomicSync>) => writeFileAtomicSync(...a)],
  ] as const) {
    it(`${kind}: creates the directory, writes owner-only by default, replaces whole, leaves no temp file`, async () => {
      const files = tempDir();
      try {
        const path = join(files.dir, 'deep', 'state.json');
        await write(path, '{"a":1}');
        assert.equal(readFileSync(path, 'utf8'), '{"a":1}');
        assert.equal(statSync(path).mode & 0o777, 0o600);
        await write(path, new TextEncoder().encode('{"a":2}'), { mode: 0o644 });
        assert.equal(readFileSync(path, 'utf8'), '{"a":2}');
        assert.equal(statSync(path).mode & 0o777, 0o644);
        assert.deepEqual(readdirSync(join(files.dir, 'deep')), ['state.json']);
      } finally {
        files.remove();
      }
    });

    it(`${kind}: a failed rename leaves the target as it was and no temp file`, async () => {
      const files = tempDir();
      try {
        const target = join(files.dir, 'taken');
        mkdirSync(join(target, 'inside'), { recursive: true });
        await assert.rejects(write(target, 'x'));
        assert.deepEqual(readdirSync(files.dir), ['taken']);
        assert.deepEqual(readdirSync(target), ['inside']);
      } finally {
        files.remove();
      }
    });
  }
});
