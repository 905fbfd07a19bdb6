/**
 * Child process of jobs-crash.test.ts: opens the home given as its argument, starts a training job
 * that would run for minutes, prints `TRAINING <job name>` once the worker trains, then waits to be
 * killed. Without an argument (e.g. when a test runner loads every file) it does nothing.
 */
import { table, openFixture } from './jobs-fixture.js';

const home = process.argv[2];
if (home) {
  const fx = await openFixture(home);
  const jobs = await fx.manager();
  const job = await jobs.start({
    input: table('RATINGS'),
    output: table('OUT'),
    folds: 0,
    hyperparameters: { n_epochs: 100_000, n_factors: 50 },
  });
  jobs.on('progress', (name, progress) => {
    if (name === job.name && (progress.fit?.done ?? 0) > 0) process.stdout.write(`TRAINING ${job.name}\n`);
  });
}
