import type { Command } from 'commander';
import { addControlOptions } from './options.js';
import { lazy } from './lazy.js';

export function registerDeploy(program: Command): void {
  addControlOptions(
    program
      .command('deploy')
      .description(
        "Deploy a model artifact, or a Completed training job's model, as endpoint NAME (create, or update in place); waits until it serves",
      )
      .argument('<name>', 'endpoint name: 1–63 letters, digits and hyphens')
      .argument('<artifact-or-job>', 'model artifact (directory or file:// URI) or a training job name (train-…)')
      .option('--no-wait', 'return once the deployment has started (Creating/Updating)')
      .option('--timeout <seconds>', 'how long to wait for the endpoint to serve', '300'),
  ).action(lazy(() => import('../commands/deploy.js'), 'deploy'));
}
