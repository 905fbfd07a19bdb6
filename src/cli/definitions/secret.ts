import type { Command } from 'commander';
import { SECRET_ENV_PREFIX } from '../../config/config.js';
import { addHomeOptions } from './options.js';
import { lazy } from './lazy.js';

const secret = () => import('../commands/secret.js');

/** recpipe secret set|list|delete: the home's secret store (values are read from stdin and never printed). */
export function registerSecret(program: Command): void {
  const group = program
    .command('secret')
    .description(`Secrets of the home (<home>/secrets.json, owner-only; ${SECRET_ENV_PREFIX}<NAME> overrides): set, list, delete`);
  addHomeOptions(
    group
      .command('set')
      .description('Store a secret; the value is read from stdin (typed without echo on a terminal, or piped)')
      .argument('<name>'),
  ).action(lazy(secret, 'set'));
  addHomeOptions(group.command('list').description('Names of the secrets (never their values) and where each comes from')).action(
    lazy(secret, 'list'),
  );
  addHomeOptions(group.command('delete').description('Remove a stored secret').argument('<name>')).action(lazy(secret, 'remove'));
}
