import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';

const CHILD = fileURLToPath(new URL('./request-memory-child.js', import.meta.url));
const MB = 1024 * 1024;

describe('memory after a large request (issue 9)', () => {
  it('keeps nothing of a 1,000-statement request once it ended, and the idle server collects its garbage', {
    timeout: 180_000,
  }, async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', CHILD], { timeout: 170_000 });
    const r = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
      watched: number;
      reachable: number;
      grownBytes: number;
      beforeIdle: number;
      afterIdle: number;
    };
    assert.equal(r.watched, 1_001, 'the request answered 1,000 results');
    assert.equal(r.reachable, 0, 'no result of the request (nor its statement text) is reachable after it ended');
    // The request's SQL alone is 3.6 MB; anything that kept it would show here. What may stay is
    // RESULT_SCAN's entry per statement (~1 KB each, bounded by the result cache's budget).
    assert.ok(r.grownBytes < 2 * MB, `the heap grew ${(r.grownBytes / MB).toFixed(2)} MB across the request`);
    assert.ok(
      r.afterIdle < r.beforeIdle - 4 * MB,
      `the idle server collected: ${(r.beforeIdle / MB).toFixed(0)} MB → ${(r.afterIdle / MB).toFixed(0)} MB`,
    );
  });
});
