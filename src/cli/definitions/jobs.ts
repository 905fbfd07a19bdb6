import type { Command } from 'commander';
import { addControlOptions } from './options.js';
import { lazy } from './lazy.js';

const jobs = () => import('../commands/jobs.js');

export function registerJobs(program: Command): void {
  const group = program
    .command('jobs')
    .description('Training jobs of the home: list, describe, logs, wait, stop (through its server when one runs)');
  addControlOptions(
    group.command('list').description('Every training job, newest first').option('--json', 'print the jobs as JSON'),
  ).action(lazy(jobs, 'list'));
  addControlOptions(
    group
      .command('describe')
      .description('A job: statuses with their transitions, settings, metrics, artifact')
      .argument('<name>')
      .option('--json', 'print the job as JSON'),
  ).action(lazy(jobs, 'describe'));
  addControlOptions(group.command('logs').description("A job's log so far").argument('<name>')).action(lazy(jobs, 'logs'));
  addControlOptions(
    group
      .command('wait')
      .description('Follow a job until it ends, printing its status changes, progress and log; exits 1 if it ends Failed or Stopped')
      .argument('<name>')
      .option('--timeout <seconds>', 'give up after this many seconds (exit 5) while the job still runs'),
  ).action(lazy(jobs, 'wait'));
  addControlOptions(
    group.command('stop').description('Stop a job (a queued one at once, a running one at its next step)').argument('<name>'),
  ).action(lazy(jobs, 'stop'));
}
