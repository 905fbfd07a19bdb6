/**
 * Child process of tasks-crash.test.ts: opens the home given as its argument, creates a task that
 * starts a very long training job and waits for it and then consumes a stream of ten new ratings, resumes it, and prints `EXECUTING <scheduled
 * time>` once the run is executing (and its successor is scheduled); then waits to be killed. Without an argument it does nothing.
 */
import { Engine } from '../../src/engine/index.js';

const home = process.argv[2];
if (home) {
  const e = await Engine.open({ home });
  const s = e.createSession();
  await e.execute(
    s,
    `create database movielens;
     create table ratings (userid int, movieid int, rating float);
     insert into ratings select i % 500, (i * 7) % 400, 1 + (i % 5) from range(50000) t(i);
     create table out (userid float, recommendations variant);
     create table consumed (userid int, movieid int, rating float);
     create stream new_ratings on table ratings;
     insert into ratings select 1000 + i, i, 5 from range(10) t(i);
     create task retrain schedule = '2 SECONDS' as begin
       select train_and_get_recommendations('ratings', 'out', parse_json('{"wait": true, "folds": 0, "hyperparameters": {"n_epochs": 100000}}'));
       insert into consumed select userid, movieid, rating from new_ratings;
     end;
     alter task retrain resume`,
  );
  const poll = setInterval(() => {
    void e
      .execute(
        s,
        "select epoch_ms(scheduled_time), (select count(*) from table(information_schema.task_history()) where state = 'SCHEDULED') from table(information_schema.task_history()) where state = 'EXECUTING'",
      )
      .then((r) => {
        if (r[0].rows.length > 0 && r[0].rows[0][1] === 1) {
          clearInterval(poll);
          process.stdout.write(`EXECUTING ${String(r[0].rows[0][0])}\n`);
        }
      });
  }, 100);
}
