import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Engine, type Session } from '../engine/index.js';
import { ManualClock } from './clock.js';

const T0 = Date.parse('2026-12-01T10:00:00Z');

const rows = async (e: Engine, s: Session, text: string): Promise<unknown[][]> => {
  const r = await e.execute(s, text);
  return r[r.length - 1].rows;
};

describe('task failures and timeouts', () => {
  it('counts consecutive failed runs across a restart for SUSPEND_TASK_AFTER_NUM_FAILURES', async () => {
    const home = mkdtempSync(join(tmpdir(), 'recpipe-task-failures-'));
    try {
      const first = new ManualClock(T0);
      let e = await Engine.open({ home, clock: first });
      await e.execute(
        e.createSession(),
        "create database db; create task bad schedule = '1 MINUTE' suspend_task_after_num_failures = 2 as insert into missing values (1); alter task bad resume",
      );
      first.advance(60_000);
      await e.tasks.idle();
      await e.close();

      const second = new ManualClock(T0 + 60_000);
      e = await Engine.open({ home, clock: second });
      try {
        const s = e.createSession({ database: 'db' });
        assert.equal((await rows(e, s, "show tasks like 'BAD'"))[0][10], 'started');
        second.advance(60_000);
        await e.tasks.idle();
        const shown = await rows(e, s, "show tasks like 'BAD'");
        assert.equal(shown[0][10], 'suspended', 'the failure before the restart still counts');
        assert.match(String(shown[0][21]), /SUSPENDED_DUE_TO_ERRORS: 2 consecutive failed runs/);
      } finally {
        await e.close();
      }
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('cancels a body that outlives USER_TASK_TIMEOUT_MS: its statement is interrupted and the run FAILED', async () => {
    const home = mkdtempSync(join(tmpdir(), 'recpipe-task-timeout-'));
    const clock = new ManualClock(T0);
    const e = await Engine.open({ home, clock });
    try {
      const s = e.createSession();
      await e.execute(
        s,
        `create database db; create table log (n bigint);
         create task slow user_task_timeout_ms = 1000 as insert into log select count(*) from range(1000000000000) t(i) where i % 7 = 3;
         execute task slow`,
      );
      const deadline = Date.now() + 30_000;
      while ((await rows(e, s, "select count(*) from table(information_schema.task_history()) where state = 'EXECUTING'"))[0][0] !== 1) {
        assert.ok(Date.now() < deadline, 'the run never started');
        await new Promise((r) => setTimeout(r, 20));
      }
      await new Promise((r) => setTimeout(r, 200)); // let the scan get going
      const cancelledAt = Date.now();
      clock.advance(1000);
      await e.tasks.idle();
      assert.ok(Date.now() - cancelledAt < 20_000, 'a scan of 10^12 rows ends this soon only when interrupted');
      const h = await rows(e, s, "select state, error_message from table(information_schema.task_history()) where name = 'SLOW'");
      assert.equal(h.length, 1);
      assert.equal(h[0][0], 'FAILED');
      assert.match(String(h[0][1]), /timeout of 1 second\(s\) and was canceled .*USER_TASK_TIMEOUT_MS = 1000/);
      assert.deepEqual(await rows(e, s, 'select count(*) from log'), [[0]], 'nothing was written');
    } finally {
      await e.close();
      rmSync(home, { recursive: true, force: true });
    }
  });
});
