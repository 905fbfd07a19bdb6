import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';

const CHILD = fileURLToPath(new URL('./task-memory-child.js', import.meta.url));
const MB = 1024 * 1024;

describe('task definitions in memory (issue 12)', () => {
  it('keeps the body of a task, not the request that created it', { timeout: 120_000 }, async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', CHILD], { timeout: 110_000 });
    const r = JSON.parse(stdout.trim().split('\n').at(-1)!) as { tasks: number; grownBytes: number };
    assert.equal(r.tasks, 1, 'the task the request created exists');
    // The request is 2 MB of text; a definition sliced from it would keep all of it.
    assert.ok(r.grownBytes < 1 * MB, `the heap grew ${(r.grownBytes / MB).toFixed(2)} MB across the request`);
  });
});
