import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { knownWallMs, reportRun, startTiming, writeTime, type FileTime } from './file-times.js';
import { tempDir } from './temp-engine.js';

const record = (file: string, wallMs: number): FileTime => ({ file, startedAt: 1_000, wallMs, cpuMs: 10, childCpuMs: 0, shard: 1 });

describe('test file times', () => {
  it('charges a child process’s CPU to the file that ran it', { timeout: 60_000 }, async () => {
    const timing = startTiming('x.test.js');
    await promisify(execFile)(process.execPath, ['-e', 'const end = Date.now() + 300; while (Date.now() < end);']);
    const t = timing();
    assert.ok(t.childCpuMs >= 100, `child CPU ${t.childCpuMs} ms`);
    assert.ok(t.wallMs >= 300);
  });

  it('charges a child still running, with what its own reaped children used, to the file it ran during', { timeout: 60_000 }, async () => {
    const timing = startTiming('x.test.js');
    // The child reaps a busy grandchild, then says so and stays alive until killed, like a shared browser.
    const child = spawn(
      process.execPath,
      [
        '-e',
        "require('node:child_process').execFileSync(process.execPath, ['-e', 'const end = Date.now() + 300; while (Date.now() < end);']); console.log('busy done'); setInterval(() => {}, 1000)",
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await once(child.stdout!, 'data');
      const t = timing();
      assert.ok(t.childCpuMs >= 250, `CPU of the live child and its grandchild ${t.childCpuMs} ms`);
    } finally {
      child.kill('SIGKILL');
      await once(child, 'close');
    }
  });

  it('reports once, when every claimed file is recorded, slowest first; the queue reads the order back', () => {
    const tmp = tempDir();
    try {
      const claims = join(tmp.dir, 'claims');
      const out = join(tmp.dir, 'out');
      writeTime(claims, record('src/a.test.js', 100));
      for (const f of ['src__a.test.js', 'src__b.test.js']) writeFileSync(join(claims, f), '1\n');
      assert.equal(reportRun(claims, out), null, 'b is claimed but not finished');
      writeTime(claims, record('src/b.test.js', 5_000));
      const table = reportRun(claims, out);
      assert.match(table ?? '', /test files: 2; shards' run 5\.0 s wall/);
      assert.match(table ?? '', / 5\.0 .* src\/b\.test\.js\n.* 0\.1 .* src\/a\.test\.js\n$/);
      assert.equal(reportRun(claims, out), null, 'reported by one shard only');
      const written = JSON.parse(readFileSync(join(out, 'test-times.json'), 'utf8')) as FileTime[];
      assert.deepEqual(
        written.map((t) => t.file),
        ['src/b.test.js', 'src/a.test.js'],
      );
      // The committed copy of that file orders the next run's queue.
      const repo = join(tmp.dir, 'repo');
      mkdirSync(join(repo, 'tests', 'shards'), { recursive: true });
      copyFileSync(join(out, 'test-times.json'), join(repo, 'tests', 'shards', 'file-times.json'));
      assert.deepEqual(
        knownWallMs(repo),
        new Map([
          ['src/b.test.js', 5_000],
          ['src/a.test.js', 100],
        ]),
      );
      assert.deepEqual(knownWallMs(join(tmp.dir, 'nowhere')), new Map());
    } finally {
      tmp.remove();
    }
  });
});
