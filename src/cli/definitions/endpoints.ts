import type { Command } from 'commander';
import { addControlOptions } from './options.js';
import { lazy } from './lazy.js';

const endpoints = () => import('../commands/endpoints.js');

export function registerEndpoints(program: Command): void {
  const group = program.command('endpoints').description('Deployed models (SageMaker-style endpoints) of the home: list, describe, delete');
  addControlOptions(group.command('list').description('Every endpoint, by name').option('--json', 'print the endpoints as JSON')).action(
    lazy(endpoints, 'list'),
  );
  addControlOptions(
    group
      .command('describe')
      .description('An endpoint: status, artifact, the model it serves')
      .argument('<name>')
      .option('--json', 'print the endpoint as JSON'),
  ).action(lazy(endpoints, 'describe'));
  addControlOptions(group.command('delete').description('Delete an endpoint (it stops answering at once)').argument('<name>')).action(
    lazy(endpoints, 'remove'),
  );
}
