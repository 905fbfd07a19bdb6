import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ManualClock } from '../tasks/index.js';
import { Engine } from './index.js';

const START = `select system$wait_for_training_job(train_and_get_recommendations('ratings', 'recs', parse_json('{"folds": 0}')):TrainingJobName::varchar, 120)`;

describe('system$wait_for_training_job', () => {
  it('answers a job outcome once it ended, fails on a timeout or an unknown job, and lets AFTER children see the result', async () => {
    const home = mkdtempSync(join(tmpdir(), 'recpipe-wait-'));
    const clock = new ManualClock(Date.parse('2026-12-01T00:00:00Z'));
    const e = await Engine.open({ home, clock });
    try {
      const s = e.createSession();
      await e.execute(
        s,
        `create database movielens;
         create table ratings as select u as userid, i as movieid, 1.0 + ((u * 7 + i * 3) % 5) as rating from range(60) a(u), range(40) b(i);
         create table recs (userid float, recommendations variant)`,
      );
      const [r] = await e.execute(s, START);
      const outcome = JSON.parse(String(r.rows[0][0])) as { TrainingJobName: string; TrainingJobStatus: string };
      assert.equal(outcome.TrainingJobStatus, 'Completed');
      assert.equal(e.jobs.get(outcome.TrainingJobName).status, 'Completed');
      await assert.rejects(e.execute(s, "select system$wait_for_training_job('no-such-job')"), /no-such-job/);
      const long = `train_and_get_recommendations('ratings', 'recs', parse_json('{"folds": 0, "hyperparameters": {"n_epochs": 100000}}')):TrainingJobName::varchar`;
      await assert.rejects(e.execute(s, `select system$wait_for_training_job(${long}, 0.2)`), /still .* after 0.2 s/);
      for (const job of e.jobs.list()) if (job.status === 'InProgress') e.jobs.stop(job.name);

      // The root waits for its job; the child runs after it and sees the model's recommendations.
      await e.execute(
        s,
        `create table seen (n int);
         create task root as ${START};
         create task child after root as insert into seen select count(*) from recs;
         alter task child resume; execute task root`,
      );
      await e.tasks.idle();
      assert.deepEqual((await e.execute(s, 'select n > 0 from seen'))[0].rows, [[true]]);
    } finally {
      await e.close();
      rmSync(home, { recursive: true, force: true });
    }
  });
});
