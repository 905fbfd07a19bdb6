import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Engine, type Session } from '../engine/index.js';
import { ManualClock } from './clock.js';

const T0 = Date.parse('2026-12-01T10:00:00Z');

async function withTasks(fn: (e: Engine, s: Session, clock: ManualClock, home: string) => Promise<void>): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), 'recpipe-tasks-'));
  const clock = new ManualClock(T0);
  const engine = await Engine.open({ home, clock });
  try {
    const s = engine.createSession();
    await engine.execute(s, 'create database db; create table log (what varchar, n int)');
    await fn(engine, s, clock, home);
  } finally {
    await engine.close();
    rmSync(home, { recursive: true, force: true });
  }
}

async function rows(e: Engine, s: Session, text: string): Promise<unknown[][]> {
  const r = await e.execute(s, text);
  return r[r.length - 1].rows;
}

/** Moves the clock and waits for the runs it started. */
async function advance(e: Engine, clock: ManualClock, ms: number): Promise<void> {
  clock.advance(ms);
  await e.tasks.idle();
}

const history =
  "select name, state, error_message from table(information_schema.task_history()) where state <> 'SCHEDULED' order by query_start_time, name";

describe('tasks', () => {
  it('keeps one clock wake-up for all resumed tasks and none for suspended ones, and still runs each on its schedule', async () => {
    await withTasks(async (e, s, clock) => {
      for (let i = 0; i < 5; i++)
        await e.execute(s, `create task idle_${i} schedule = '1 MINUTE' as insert into log values ('idle', ${i})`);
      assert.equal(clock.pending(), 0, 'suspended tasks need no timer');
      for (let i = 1; i <= 3; i++)
        await e.execute(
          s,
          `create task live_${i} schedule = '${i} MINUTES' as insert into log values ('live', ${i}); alter task live_${i} resume`,
        );
      assert.equal(clock.pending(), 1, 'one wake-up, at the earliest next run');
      for (let m = 0; m < 6; m++) await advance(e, clock, 60_000);
      assert.deepEqual(await rows(e, s, 'select what, n, count(*) from log group by all order by n'), [
        ['live', 1, 6],
        ['live', 2, 3],
        ['live', 3, 2],
      ]);
      assert.equal(clock.pending(), 1);
      for (let i = 1; i <= 3; i++) await e.execute(s, `alter task live_${i} suspend`);
      assert.equal(clock.pending(), 0, 'no timer once every task is suspended');
    });
  });

  it('runs a scheduled task on its schedule and records SCHEDULED, then SUCCEEDED, in task_history', async () => {
    await withTasks(async (e, s, clock) => {
      await e.execute(
        s,
        "create task t1 warehouse = compute_wh schedule = '1 MINUTE' comment = 'every minute' as insert into log values ('t1', 1)",
      );
      const shown = await e.execute(s, 'show tasks');
      assert.deepEqual(
        shown[0].rows.map((r) => [r[1], r[8], r[10], r[6]]),
        [['T1', '1 MINUTE', 'suspended', 'every minute']],
      );
      await advance(e, clock, 120_000);
      assert.deepEqual(await rows(e, s, 'select count(*) from log'), [[0]], 'a suspended task does not run');
      await e.execute(s, 'alter task t1 resume');
      const scheduled = await rows(e, s, "select state, scheduled_time from table(information_schema.task_history(task_name => 'T1'))");
      assert.deepEqual(
        scheduled.map((r) => [r[0], Date.parse(String(r[1]))]),
        [['SCHEDULED', T0 + 180_000]],
      );
      await advance(e, clock, 59_000);
      assert.deepEqual(await rows(e, s, 'select count(*) from log'), [[0]]);
      await advance(e, clock, 1_000);
      await advance(e, clock, 60_000);
      assert.deepEqual(await rows(e, s, 'select count(*) from log'), [[2]]);
      const h = await rows(
        e,
        s,
        'select state, scheduled_time, query_start_time, completed_time from table(information_schema.task_history()) order by scheduled_time',
      );
      assert.deepEqual(
        h.map((r) => r[0]),
        ['SUCCEEDED', 'SUCCEEDED', 'SCHEDULED'],
      );
      assert.equal(Date.parse(String(h[0][2])) - Date.parse(String(h[0][1])), 0, 'starts at its scheduled time');
      await e.execute(s, 'alter task t1 suspend');
      await advance(e, clock, 600_000);
      assert.deepEqual(await rows(e, s, 'select count(*) from log'), [[2]]);
      assert.deepEqual(await rows(e, s, "select count(*) from table(information_schema.task_history()) where state = 'SCHEDULED'"), [[0]]);
      const described = await e.execute(s, 'describe task t1');
      assert.equal(described[0].rows[0][10], 'suspended');
    });
  });

  it('runs a graph: children after all parents succeeded, WHEN false skips, a failed parent stops its children, the finalizer always runs', async () => {
    await withTasks(async (e, s, clock) => {
      await e.execute(
        s,
        `create task root schedule = '10 SECONDS' config = $${'$'}{"k": 1}$${'$'} as insert into log values ('root', 1);
         create task a after root as begin insert into log values ('a', 1); insert into log values ('a', 2); end;
         create task b after root when (select count(*) from log where what = 'never') > 0 as insert into log values ('b', 1);
         create task c after root as insert into log values ('c', 1);
         create task d after a, c as insert into log values ('d', 1);
         create task e after b as insert into log values ('e', 1);
         create task fin finalize = root as insert into log values ('fin', 1);
         alter task a resume; alter task b resume; alter task c resume; alter task d resume; alter task e resume; alter task fin resume;
         alter task root resume`,
      );
      await advance(e, clock, 10_000);
      assert.deepEqual(await rows(e, s, 'select what, count(*) from log group by what order by what'), [
        ['a', 2],
        ['c', 1],
        ['d', 1],
        ['fin', 1],
        ['root', 1],
      ]);
      const h = await rows(e, s, history);
      assert.deepEqual(
        new Map(h.map((r) => [r[0], r[1]])),
        new Map([
          ['ROOT', 'SUCCEEDED'],
          ['A', 'SUCCEEDED'],
          ['B', 'SKIPPED'],
          ['C', 'SUCCEEDED'],
          ['D', 'SUCCEEDED'],
          ['FIN', 'SUCCEEDED'],
        ]),
      );
      const deps = await rows(
        e,
        s,
        "select name from table(information_schema.task_dependents(task_name => 'root', recursive => true)) order by name",
      );
      assert.deepEqual(deps.flat(), ['A', 'B', 'C', 'D', 'E', 'FIN', 'ROOT']);
      const direct = await rows(
        e,
        s,
        "select name from table(db.information_schema.task_dependents(task_name => 'public.root', recursive => false)) order by name",
      );
      assert.deepEqual(direct.flat(), ['A', 'B', 'C', 'FIN', 'ROOT']);
      await assert.rejects(e.execute(s, 'alter task c modify as select 1'), /root task DB.PUBLIC.ROOT is not suspended/);
      await e.execute(s, 'alter task root suspend; alter task c modify as insert into nowhere values (1); execute task root');
      await e.tasks.idle();
      const second = await rows(
        e,
        s,
        "select name, state, error_message from table(information_schema.task_history(result_limit => 100)) where scheduled_from = 'EXECUTE TASK' order by name",
      );
      assert.deepEqual(
        second.map((r) => [r[0], r[1]]),
        [
          ['A', 'SUCCEEDED'],
          ['B', 'SKIPPED'],
          ['C', 'FAILED'],
          ['FIN', 'SUCCEEDED'],
          ['ROOT', 'SUCCEEDED'],
        ],
      );
      assert.match(String(second[2][2]), /NOWHERE/i);
      const errorsOnly = await rows(e, s, 'select name from table(information_schema.task_history(error_only => true))');
      assert.deepEqual(errorsOnly.flat(), ['C']);
    });
  });

  it('suspends a root after N consecutive failed runs, retries, and times out', async () => {
    await withTasks(async (e, s, clock) => {
      await e.execute(
        s,
        "create task bad schedule = '1 MINUTE' suspend_task_after_num_failures = 2 task_auto_retry_attempts = 1 as insert into missing_table values (1); alter task bad resume",
      );
      await advance(e, clock, 60_000);
      await advance(e, clock, 60_000);
      const h = await rows(
        e,
        s,
        'select state, attempt_number, error_code from table(information_schema.task_history()) order by query_start_time, attempt_number',
      );
      assert.deepEqual(
        h.map((r) => [r[0], r[1]]),
        [
          ['FAILED', 1],
          ['FAILED', 2],
          ['FAILED', 1],
          ['FAILED', 2],
        ],
      );
      assert.equal(h[0][2], 'NOT_FOUND');
      const shown = await e.execute(s, "show tasks like 'BAD'");
      assert.equal(shown[0].rows[0][10], 'suspended');
      assert.match(String(shown[0].rows[0][21]), /SUSPENDED_DUE_TO_ERRORS: 2 consecutive failed runs/);
    });
  });

  it('skips a run while the previous one still executes; a body waits for the training job it started', async () => {
    await withTasks(async (e, s, clock) => {
      await e.execute(
        s,
        `create table ratings as select i % 50 as userid, i % 40 as movieid, 1 + i % 5 as rating from range(2000) t(i);
         create table recs (userid float, recommendations variant);
         create task slow schedule = '1 MINUTE' as
           select train_and_get_recommendations('ratings', 'recs', parse_json('{"wait": true, "folds": 0, "hyperparameters": {"n_epochs": 100000, "n_factors": 50}}')) as job;
         alter task slow resume`,
      );
      clock.advance(60_000);
      const deadline = Date.now() + 30_000;
      while (
        e.jobs.list().length === 0 ||
        (await rows(e, s, "select count(*) from table(information_schema.task_history()) where state = 'SCHEDULED'"))[0][0] !== 1
      ) {
        assert.ok(
          Date.now() < deadline,
          JSON.stringify(await rows(e, s, 'select state, error_message from table(information_schema.task_history())')),
        );
        await new Promise((r) => setTimeout(r, 20));
      }
      clock.advance(60_000);
      e.jobs.stop(e.jobs.list()[0].name);
      await e.tasks.idle();
      const h = await rows(
        e,
        s,
        "select state, error_message from table(information_schema.task_history()) where state <> 'SCHEDULED' order by scheduled_time",
      );
      assert.equal(h[0][0], 'FAILED');
      assert.match(String(h[0][1]), /training job train-\S+ ended Stopped/);
      assert.deepEqual(h[1], ['SKIPPED', 'the previous run of this task graph was still executing (ALLOW_OVERLAPPING_EXECUTION = FALSE)']);
    });
  });

  it('parses and refuses with clear errors', async () => {
    await withTasks(async (e, s) => {
      await assert.rejects(e.execute(s, "create task x schedule = '5 DAYS' as select 1"), /invalid value '5 DAYS' for property 'SCHEDULE'/);
      await assert.rejects(e.execute(s, 'create task x bogus = 1 as select 1'), /invalid property 'BOGUS' for TASK/);
      await assert.rejects(e.execute(s, 'create task x after nope as select 1'), /Task 'DB.PUBLIC.NOPE' does not exist/);
      await e.execute(s, "create task p schedule = '1 HOUR' as select 1; create task q after p as select 1");
      await assert.rejects(e.execute(s, "create task r schedule = '1 HOUR' after p as select 1"), /cannot have both a SCHEDULE and AFTER/);
      await assert.rejects(e.execute(s, 'alter task p add after q'), /cycle/);
      await assert.rejects(e.execute(s, 'execute task q'), /standalone or root task/);
      await assert.rejects(e.execute(s, 'create task p as select 1'), /already exists/);
      await e.execute(s, 'create task if not exists p as select 1; drop task p');
      const q = await e.execute(s, 'describe task q');
      assert.equal(q[0].rows[0][9], '[]', 'dropping a predecessor frees its child');
      await e.execute(s, 'drop task if exists p');
      await assert.rejects(e.execute(s, 'drop task p'), /does not exist/);
    });
  });
});
