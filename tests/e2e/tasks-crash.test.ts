import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Engine } from '../../src/engine/index.js';
import { ManualClock } from '../../src/tasks/index.js';

const CHILD = fileURLToPath(new URL('./tasks-crash-child.js', import.meta.url));

/** Runs the child until its task run is executing, then SIGKILLs it; resolves with the run's scheduled time. */
function runThenKill(home: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, home], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let scheduled: number | null = null;
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const m = /EXECUTING (\d+)/.exec(stdout);
      if (m && scheduled === null) {
        scheduled = Number(m[1]);
        child.kill('SIGKILL');
      }
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (scheduled !== null && signal === 'SIGKILL') resolve(scheduled);
      else reject(new Error(`the child ended (code ${code}, signal ${signal}) before its task ran: ${stderr}`));
    });
  });
}

describe('tasks: a process killed during a task run', () => {
  it('finds the run FAILED after restart, the missed run SKIPPED (not replayed), the next run scheduled, the output and the stream offset untouched', async () => {
    const home = mkdtempSync(join(tmpdir(), 'recpipe-'));
    try {
      const scheduled = await runThenKill(home);
      // Past the next scheduled time (2 s) and the 1 s grace, so that run counts as missed.
      await new Promise((r) => setTimeout(r, 3_500));
      const restart = Date.now();
      const clock = new ManualClock(restart);
      const e = await Engine.open({ home, clock });
      try {
        const s = e.createSession({ database: 'movielens' });
        const h = (
          await e.execute(
            s,
            'select state, epoch_ms(scheduled_time), error_message from table(information_schema.task_history()) order by scheduled_time',
          )
        )[0].rows;
        const byState = (state: string) => h.filter((r) => r[0] === state);
        const failed = byState('FAILED');
        assert.equal(failed.length, 1, JSON.stringify(h));
        assert.equal(failed[0][1], scheduled);
        assert.match(String(failed[0][2]), /ended while this run was executing/);
        // On a loaded machine the child may also have skipped an overlapping run before it was killed.
        const missed = byState('SKIPPED').filter((r) => /^missed: no recpipe process owned the home .* not replayed/.test(String(r[2])));
        assert.equal(missed.length, 1, JSON.stringify(h));
        const next = byState('SCHEDULED');
        assert.equal(next.length, 1, JSON.stringify(h));
        const at = Number(next[0][1]);
        assert.ok(at > restart && at <= restart + 2_000, `next run at ${at}, restart at ${restart}`);
        assert.deepEqual((await e.execute(s, 'select count(*) from out'))[0].rows, [[0]]);
        // The stream's offset did not move: its ten new ratings are still there, none consumed.
        assert.deepEqual((await e.execute(s, 'select count(*) from consumed'))[0].rows, [[0]]);
        assert.deepEqual((await e.execute(s, "select count(*), system$stream_has_data('new_ratings') from new_ratings"))[0].rows, [
          [10, true],
        ]);
        // The job may not have been saved before the kill; one that was is not Completed.
        for (const job of e.jobs.list()) assert.equal(job.status, 'Failed');
        await e.execute(s, 'alter task retrain suspend');
      } finally {
        await e.close();
      }
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
