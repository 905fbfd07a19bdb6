import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ManualClock } from '../tasks/index.js';
import { Engine } from './index.js';

/**
 * Deploy-when-done through a task that waits for its training job: if_better compares the
 * challenger with the endpoint's model on the same held-out table, keeps the better one, records both
 * scores; rollback is deploy_model to an older version's artifact.
 */
describe('deploy with judgement', () => {
  it('deploys the first model, keeps it against a worse one, deploys always, rolls back', async () => {
    const home = mkdtempSync(join(tmpdir(), 'recpipe-deploy-'));
    const clock = new ManualClock(Date.parse('2026-12-01T00:00:00Z'));
    const e = await Engine.open({ home, clock });
    try {
      const s = e.createSession();
      // Ratings with structure a factor model learns: each user prefers one of 5 item groups.
      await e.execute(
        s,
        `create database movielens;
         create table ratings as select u as userid, i as movieid, case when (u % 5) = (i % 5) then 5.0 else 1.0 + ((u * 7 + i * 3) % 3) end as rating
           from range(200) a(u), range(100) b(i) where (u * 31 + i * 17) % 4 = 0;
         create table holdout as select * from ratings where hash(userid, movieid) % 10 = 0;
         create table train as select * from ratings where hash(userid, movieid) % 10 <> 0;
         create table recs (userid float, recommendations variant)`,
      );
      const train = (options: string): Promise<unknown> => (
        clock.advance(1000),
        e
          .execute(
            s,
            `create or replace task retrain as select train_and_get_recommendations('train', 'recs', parse_json('${options}')); execute task retrain`,
          )
          .then(() => e.tasks.idle())
      );
      const lastRun = async (): Promise<[string, string]> => {
        const r = await e.execute(
          s,
          "select state, coalesce(return_value, error_message) from table(information_schema.task_history(task_name => 'RETRAIN')) order by completed_time desc limit 1",
        );
        return r[0].rows[0] as [string, string];
      };
      const good = '"wait": true, "folds": 0, "seed": 1, "hyperparameters": {"n_factors": 10, "n_epochs": 40}';
      await train(`{${good}, "deploy_to": "ep", "deploy_policy": "if_better", "holdout_table": "holdout"}`);
      assert.match((await lastRun())[1], /ep: deployed \(no model in service to compare with\)/);
      const worse = '"wait": true, "folds": 0, "seed": 2, "hyperparameters": {"n_factors": 2, "n_epochs": 1, "lr_all": 0.0001}';
      await train(`{${worse}, "deploy_to": "ep", "deploy_policy": "if_better", "holdout_table": "holdout", "deploy_margin": 0.01}`);
      const [state, value] = await lastRun();
      assert.equal(state, 'SUCCEEDED');
      assert.match(value, /ep: not deployed \(current model kept .* RMSE [\d.]+ vs [\d.]+/);
      await train(`{${worse}, "deploy_to": "ep", "deploy_policy": "always"}`);
      assert.match((await lastRun())[1], /ep: deployed \(policy always\)/);

      const versions = (await e.execute(s, 'show endpoint versions'))[0];
      const rows = versions.rows.map((r) => Object.fromEntries(versions.columns.map((c, k) => [c.name, r[k]])));
      assert.deepEqual(
        rows.map((r) => [r.version, r.policy, r.deployed]),
        [
          [1, 'if_better', true],
          [null, 'if_better', false],
          [2, 'always', true],
        ],
      );
      const kept = rows[1];
      assert.ok(Number(kept.challenger_rmse) > Number(kept.current_rmse), JSON.stringify(kept));
      assert.equal(kept.holdout_table, 'MOVIELENS.PUBLIC.HOLDOUT');
      assert.ok(Number(kept.holdout_rows) > 100);

      await e.execute(s, `select deploy_model('ep', '${String(rows[0].artifact)}')`);
      await e.endpoints.waitFor('ep', 'InService');
      assert.equal(e.endpoints.describe('ep').artifactUri, rows[0].artifact);
      await new Promise((r) => setTimeout(r, 200));
      const after = (await e.execute(s, "show endpoint versions like 'ep'"))[0].rows;
      assert.deepEqual(after[3].slice(0, 3), ['ep', 3, rows[0].artifact]);

      await assert.rejects(
        e.execute(s, `select train_and_get_recommendations('train', 'recs', parse_json('{"deploy_to": "ep"}'))`),
        /if_better' needs holdout_table/,
      );
      await assert.rejects(
        e.execute(
          s,
          `select train_and_get_recommendations('train', 'recs', parse_json('{"deploy_to": "ep", "deploy_policy": "sometimes"}'))`,
        ),
        /deploy_policy must be/,
      );
    } finally {
      await e.close();
      rmSync(home, { recursive: true, force: true });
    }
  });
});
